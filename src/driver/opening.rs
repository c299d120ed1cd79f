//! The automatic opening of the GoPay app, once the page's load event is over. A navigation
//! started by script before that (also from a `load` handler) replaces the page in the
//! history, so the shopper's way back from the app would skip the payment page (a
//! server-rendered one opens the app early).

use super::browser;
use super::listener::Listener;
use super::timer::Timeout;
use std::cell::Cell;
use std::rc::Rc;

/// One app opening under way; dropped, it opens nothing.
#[must_use = "the opening is cancelled when dropped"]
pub struct AppOpening {
    /// Waiting for the page's `load` ...
    _load: Option<Listener>,
    /// ... then for a task after it.
    _soon: Rc<Cell<Option<Timeout>>>,
}

impl AppOpening {
    /// Opens `href` once the page has loaded, in a task of its own, never inside the load
    /// event's dispatch; `opened` learns the moment first, for the check that the app opened.
    pub fn start(href: String, opened: impl Fn() + 'static) -> AppOpening {
        let soon = Rc::new(Cell::new(None));
        let opened = Rc::new(opened);
        let open_soon = move || {
            let (href, opened) = (href.clone(), opened.clone());
            Timeout::new(0, move || {
                opened();
                let _ = browser::window().location().assign(&href);
            })
        };
        if browser::document().is_none_or(|d| d.ready_state() == "complete") {
            soon.set(open_soon());
            return AppOpening {
                _load: None,
                _soon: soon,
            };
        }
        // The listener stays while it runs; it only sets the timeout.
        let load = Listener::new(&browser::window(), "load", {
            let soon = soon.clone();
            move |_| soon.set(open_soon())
        });
        AppOpening {
            _load: load,
            _soon: soon,
        }
    }
}
