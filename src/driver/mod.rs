//! The driver: the I/O shell around the core, one capability a file. It reads the browser,
//! asks the core for a plan, feeds the machine, carries out its commands and re-arms its
//! next wake-up. A mounted widget's running session owns every timer, listener, request and
//! the view, so destroying the widget is dropping its session.

mod browser;
mod listener;
mod opening;
mod page;
mod request;
mod save;
mod shadow;
mod takeover;
mod timer;

pub use page::Callbacks;

use crate::core::charge::ChargeError;
use crate::core::deeplink::Environment;
use crate::core::i18n::Locale;
use crate::core::machine::{Command, EventKind, Input, Machine, Snapshot, State};
use crate::core::plan::{self, Mode, Plan, PlanInput, QrPicture};
use crate::core::present::Presenter;
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

/// Options as the embed read them from attributes or from `mount()`.
pub struct Options {
    /// The charge JSON text; `None` when none was given.
    pub charge: Option<String>,
    pub status_url: Option<String>,
    pub locale: Option<String>,
    pub mode: Option<String>,
    pub environment: Option<String>,
    /// The page takes "Get a new QR" (`data-retry`, `retry: true` or an `onRetry` callback).
    pub retry: bool,
    /// The app may open by itself (`autoOpen`, `data-auto-open`; see [`plan::auto_open`]).
    pub auto_open: bool,
    pub callbacks: Callbacks,
}

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
    ended: Option<crate::core::machine::Event>,
    _listeners: Vec<Listener>,
    _view: Box<dyn Any>,
}

impl Widget {
    /// Builds the widget inside `host` and starts the transaction. A server-rendered view of
    /// the same charge is taken over: its QR `<svg>` stays the same element.
    pub fn mount(host: HtmlElement, options: Options) -> Result<Widget, JsValue> {
        takeover::adopt_unparsed_root(&host);
        let in_page = takeover::painted_qr(&host);
        let container = shadow::prepare_root(&host)?;
        let shared = Rc::new(Shared {
            page: Page {
                host,
                callbacks: options.callbacks,
            },
            container,
            session: RefCell::new(None),
        });
        shared.page.set_state(State::Loading);
        let locale = plan::pick_locale(
            options.locale.as_deref(),
            browser::html_lang().as_deref(),
            browser::browser_language().as_deref(),
        );
        let origin = browser::page_origin();
        let planned = plan::plan(PlanInput {
            charge: options.charge.as_deref(),
            status_url: options.status_url.as_deref(),
            environment: options
                .environment
                .as_deref()
                .and_then(Environment::parse)
                .unwrap_or_default(),
            page_origin: origin.as_deref(),
            mode: options
                .mode
                .as_deref()
                .and_then(Mode::parse)
                .unwrap_or_default(),
            device: browser::device_class(),
            locale,
            qr_in_page: in_page.as_ref().map(PaintedQr::order_id),
        });
        match planned {
            Ok(mut plan) => {
                plan.auto_open = options.auto_open;
                start(&shared, plan, options.retry, in_page)
            }
            Err(e) => fail(&shared, locale, &e),
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
fn fail(shared: &Rc<Shared>, locale: Locale, e: &ChargeError) {
    let view = ui::mount(shared.container.clone(), FirstView::Error(locale));
    *shared.session.borrow_mut() = Some(Session::Failed { _view: view.view });
    shared.page.set_state(State::Error);
    shared.page.set_live(true);
    if e.warn {
        web_sys::console::warn_1(&format!("gopay-widget: {e}").into());
    }
    shared.page.error(e.code.as_str(), &e.message);
}

fn start(shared: &Rc<Shared>, plan: Plan, retry: bool, painted: Option<PaintedQr>) {
    let plan = Arc::new(plan);
    let order_id = plan.charge.order_id.clone();
    let storage = OrderStorage::new(&order_id);
    let restored = storage
        .load()
        .and_then(|text| Snapshot::decode(&text, &order_id));
    let config = plan.machine_config(
        (js_sys::Math::random() * f64::from(u32::MAX)) as u64,
        !browser::page_hidden(),
        browser::app_return(&order_id),
    );
    let now = now_ms();
    let machine = Machine::new(config, restored, now);
    let mut presenter = Presenter::new(plan.locale, retry);
    let first = presenter.present(&machine.view(now));

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
    let adopted_qr = painted.and_then(|painted| parts.adopt(painted));
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
        plan,
        machine,
        presenter,
        signals,
        parts,
        storage,
        wake: None,
        tick,
        request: None,
        opening: None,
        adopted_qr,
        ended: None,
        _listeners: listeners,
        _view: view.view,
    })));
    shared.page.set_live(true);
    feed(shared, Input::Start);
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

/// Feeds one input to the machine, carries out what it answers, re-arms the wake-up and
/// renders. No borrow of the session is held while the page's code runs (events and
/// callbacks may destroy the widget), and nothing runs after it is gone.
fn feed(shared: &Rc<Shared>, input: Input) {
    let Some(commands) = with_running(shared, |r| r.machine.handle(input, now_ms())) else {
        return;
    };
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
