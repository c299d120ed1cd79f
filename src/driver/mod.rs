//! The driver: the I/O shell around the core, one capability a file. A mounted widget's
//! session is started by the core ([`options::start`]) from the page's options and facts; it
//! then feeds the machine what the page tells it, carries out its commands, re-arms its next
//! wake-up and shows its screens through the view. The session owns every timer, listener,
//! request and the view, so destroying the widget is dropping its session.

mod browser;
mod listener;
mod opening;
mod page;
#[cfg(browser_build)]
pub(crate) mod qr_module;
mod request;
mod save;
mod shadow;
mod takeover;
mod timer;

pub use page::Callbacks;

use crate::core::machine::{Command, Event, EventKind, Input, Machine, State};
use crate::core::options::{self, Options, OrderFacts, Refused, Started};
use crate::core::plan::{Plan, QrPicture};
use crate::core::present::Presenter;
use crate::core::snapshot::Snapshot;
use crate::ui::paint::{AdoptedQr, PaintedQr};
use crate::ui::{self, FirstView, Intent, Intents, Parts, Signals};
use browser::{now_ms, OrderStorage};
use listener::Listener;
use opening::AppOpening;
use page::Page;
use request::StatusRequest;
use std::any::Any;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use timer::{Interval, Timeout};
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// One mounted widget.
pub struct Widget {
    shared: Rc<Shared>,
}

struct Shared {
    page: Page,
    /// The element in the shadow root the view is mounted in.
    container: HtmlElement,
    session: RefCell<Option<Session>>,
}

enum Session {
    /// The charge cannot be shown: only the error view.
    Failed {
        _view: Box<dyn Any>,
    },
    Running(Box<Running>),
}

/// A transaction being shown: everything that lives as long as it does.
struct Running {
    plan: Arc<Plan>,
    machine: Machine,
    presenter: Presenter,
    signals: Signals,
    parts: Parts,
    storage: OrderStorage,
    /// The machine's next wake-up.
    wake: Option<Timeout>,
    /// The countdown's second hand, until the transaction ends.
    tick: Option<Interval>,
    request: Option<StatusRequest>,
    /// The automatic app opening, waiting for its moment.
    opening: Option<AppOpening>,
    /// The server-rendered QR taken over ([`QrPicture::InPage`]).
    adopted_qr: Option<AdoptedQr>,
    /// The terminal event, for the detail of `gopay-retry`.
    ended: Option<Event>,
    _listeners: Vec<Listener>,
    _view: Box<dyn Any>,
}

impl Widget {
    /// Builds the widget inside `host` and starts the transaction. A server-rendered view of
    /// the same charge is taken over: its QR `<svg>` stays the same element.
    pub fn mount(
        host: HtmlElement,
        options: &Options,
        callbacks: Callbacks,
    ) -> Result<Widget, JsValue> {
        takeover::adopt_unparsed_root(&host);
        let painted = takeover::painted_qr(&host);
        let container = shadow::prepare_root(&host)?;
        let shared = Rc::new(Shared {
            page: Page { host, callbacks },
            container,
            session: RefCell::new(None),
        });
        shared.page.set_state(State::Loading);
        let facts = browser::facts(painted.as_ref().map(|p| p.order_id().to_owned()));
        let started = options::start(options, &facts, |order_id| OrderFacts {
            restored: OrderStorage::new(order_id)
                .load()
                .and_then(|text| Snapshot::decode(&text, order_id)),
            returned_from_app: browser::app_return(order_id),
        });
        match started {
            Ok(started) => run(&shared, started, painted),
            Err(refused) => fail(&shared, &refused),
        }
        Ok(Widget { shared })
    }

    /// Stops everything and removes the widget's DOM. Idempotent.
    pub fn destroy(&self) {
        let session = self.shared.session.borrow_mut().take();
        if let Some(Session::Running(mut r)) = session {
            // The machine learns it is over; the request dies with the session anyway.
            let _ = r.machine.handle(Input::Destroy, now_ms());
        }
        self.shared.container.remove();
        self.shared.page.clear_state();
        self.shared.page.set_live(false);
    }
}

/// Shows the error view and tells the page, once.
fn fail(shared: &Rc<Shared>, refused: &Refused) {
    let view = ui::mount(shared.container.clone(), FirstView::Error(refused.locale));
    *shared.session.borrow_mut() = Some(Session::Failed { _view: view.view });
    shared.page.set_state(State::Error);
    shared.page.set_live(true);
    let e = &refused.error;
    if e.warn {
        web_sys::console::warn_1(&format!("gopay-widget: {e}").into());
    }
    shared.page.error(e.code.as_str(), &e.message);
}

/// Shows the started transaction, adopting a QR the server painted, and runs it: the
/// machine's first commands are carried out once the session holds everything.
fn run(shared: &Rc<Shared>, started: Started, painted: Option<PaintedQr>) {
    let Started {
        plan,
        machine,
        presenter,
        first,
        commands,
    } = started;
    let plan = Arc::new(plan);
    let state = first.state;
    let weak = Rc::downgrade(shared);
    let intents: Intents = Rc::new(move |intent| {
        if let Some(shared) = weak.upgrade() {
            on_intent(&shared, intent);
        }
    });
    let view = ui::mount(
        shared.container.clone(),
        FirstView::Payment {
            plan: plan.clone(),
            screen: first,
            intents,
        },
    );
    let Some((signals, parts)) = view.payment else {
        return;
    };
    let adopted_qr = painted.and_then(|painted| parts.adopt(painted, &plan.qr_label));
    let listeners = listen(shared, plan.status_url.is_some(), plan.deeplink.is_some());
    let tick = {
        let weak = Rc::downgrade(shared);
        Interval::new(1000, move || {
            if let Some(shared) = weak.upgrade() {
                render(&shared);
            }
        })
    };
    *shared.session.borrow_mut() = Some(Session::Running(Box::new(Running {
        storage: OrderStorage::new(&plan.charge.order_id),
        plan,
        machine,
        presenter,
        signals,
        parts,
        wake: None,
        tick,
        request: None,
        opening: None,
        adopted_qr,
        ended: None,
        _listeners: listeners,
        _view: view.view,
    })));
    // The host says what the view shows before the page hears anything.
    shared.page.set_state(state);
    shared.page.set_live(true);
    carry_out(shared, commands);
}

/// The page's visibility and the network's return, for a widget that polls; the page's
/// visibility and focus, for one that opens the app (did it open?).
fn listen(shared: &Rc<Shared>, polls: bool, opens_app: bool) -> Vec<Listener> {
    let win: &web_sys::EventTarget = &browser::window();
    let on = |target: &web_sys::EventTarget, kind: &'static str, input: fn() -> Input| {
        let weak: Weak<Shared> = Rc::downgrade(shared);
        Listener::new(target, kind, move |_| {
            if let Some(shared) = weak.upgrade() {
                feed(&shared, input());
            }
        })
    };
    let visibility = || Input::Visibility {
        visible: !browser::page_hidden(),
    };
    let mut listeners = Vec::new();
    if polls {
        listeners.extend(on(win, "online", || Input::Online));
        // Both report the page's real visibility: pageshow also comes with the load of a
        // page opened in a background tab, which must not start polling.
        listeners.extend(on(win, "pageshow", visibility));
    }
    if polls || opens_app {
        if let Some(doc) = browser::document() {
            listeners.extend(on(&doc, "visibilitychange", visibility));
        }
    }
    if opens_app {
        listeners.extend(on(win, "blur", || Input::Focus { focused: false }));
        listeners.extend(on(win, "focus", || Input::Focus { focused: true }));
    }
    listeners
}

/// Runs `f` on the running session, if there is one.
fn with_running<T>(shared: &Shared, f: impl FnOnce(&mut Running) -> T) -> Option<T> {
    match shared.session.borrow_mut().as_mut() {
        Some(Session::Running(r)) => Some(f(r)),
        _ => None,
    }
}

fn on_intent(shared: &Rc<Shared>, intent: Intent) {
    match intent {
        // The link itself opens the app; the machine only learns not to try by itself.
        Intent::OpenApp => feed(shared, Input::AppOpened),
        Intent::Retry => {
            // The detail of the event that ended the transaction, as `gopay-retry`.
            let ended = with_running(shared, |r| r.ended.clone()).flatten();
            if let Some(mut event) = ended {
                event.kind = EventKind::Retry;
                shared.page.emit(&event);
            }
        }
        Intent::SaveQr => {
            let Some((plan, drawn)) = with_running(shared, |r| {
                let drawn = match (&r.plan.qr, &r.adopted_qr) {
                    (Some(QrPicture::Svg { size, path }), _) => Some((*size, path.clone())),
                    (Some(QrPicture::InPage), Some(adopted)) => adopted.drawing(),
                    _ => None,
                };
                (r.plan.clone(), drawn)
            }) else {
                return;
            };
            if let Some((size, path)) = drawn {
                let _ = save::save_png(size, &path, &plan);
            } else if let Some(QrPicture::Image { url }) = &plan.qr {
                let (url, weak) = (url.clone(), Rc::downgrade(shared));
                wasm_bindgen_futures::spawn_local(async move {
                    if !save::save_image(&url, &plan.charge.order_id).await {
                        if let Some(shared) = weak.upgrade() {
                            with_running(&shared, |r| r.signals.image_not_saved());
                        }
                    }
                });
            }
        }
    }
}

/// Feeds one input to the machine and carries out what it answers.
fn feed(shared: &Rc<Shared>, input: Input) {
    if let Some(commands) = with_running(shared, |r| r.machine.handle(input, now_ms())) {
        carry_out(shared, commands);
    }
}

/// Carries out the machine's commands, re-arms its wake-up and renders. No borrow of the
/// session is held while the page's code runs (events and callbacks may destroy the widget),
/// and nothing runs after it is gone.
fn carry_out(shared: &Rc<Shared>, commands: Vec<Command>) {
    for command in commands {
        let carried = match command {
            Command::Emit(event) => {
                if event.kind.is_terminal() {
                    with_running(shared, |r| r.ended = Some(event.clone()));
                }
                shared.page.emit(&event);
                Some(())
            }
            Command::OpenApp => with_running(shared, |r| {
                if let Some(href) = r.plan.deeplink.clone() {
                    let weak = Rc::downgrade(shared);
                    r.opening = Some(AppOpening::start(href, move || {
                        if let Some(shared) = weak.upgrade() {
                            feed(&shared, Input::AppOpened);
                        }
                    }));
                }
            }),
            Command::Fetch { timeout_ms } => with_running(shared, |r| {
                let weak = Rc::downgrade(shared);
                let url = r.plan.status_url.as_deref().unwrap_or_default();
                r.request = StatusRequest::start(url, timeout_ms, move |answer| {
                    if let Some(shared) = weak.upgrade() {
                        with_running(&shared, |r| r.request = None);
                        feed(&shared, answer);
                    }
                });
            }),
            Command::AbortFetch => with_running(shared, |r| r.request = None),
            Command::Persist(snapshot) => {
                with_running(shared, |r| r.storage.save(&snapshot.encode()))
            }
        };
        if carried.is_none() {
            return;
        }
    }
    let weak = Rc::downgrade(shared);
    let armed = with_running(shared, |r| {
        r.wake = r.machine.next_wakeup().and_then(|at| {
            Timeout::new(at - now_ms(), move || {
                if let Some(shared) = weak.upgrade() {
                    feed(&shared, Input::Tick);
                }
            })
        });
    });
    if armed.is_some() {
        render(shared);
    }
}

/// Shows the machine's view now: the host's `data-state` and the view's signals. Once the
/// QR and the app button are no longer offered, they leave the view.
fn render(shared: &Rc<Shared>) {
    let shown = with_running(shared, |r| {
        let screen = r.presenter.present(&r.machine.view(now_ms()));
        if screen.state.is_terminal() {
            r.tick = None;
        }
        let withdrawn = !screen.offer && r.signals.offered();
        if withdrawn {
            r.adopted_qr = None;
        }
        (screen, r.signals, withdrawn.then_some(r.parts))
    });
    if let Some((screen, signals, withdrawn)) = shown {
        shared.page.set_state(screen.state);
        signals.show(screen);
        if let Some(parts) = withdrawn {
            parts.withdraw();
        }
    }
}
