//! The driver: the only place with timers, fetch, visibility, storage and DOM events.
//! It feeds the core's payment machine and renders what the machine says.

use crate::core::charge::{self, Charge, ChargeError, QrSource};
use crate::core::countdown::{self, Threshold};
use crate::core::deeplink::{self, Environment};
use crate::core::device::{self, ClientHints, Device};
use crate::core::i18n::{self, Locale, Msg};
use crate::core::json::{self, Value};
use crate::core::machine::{Command, Config, Event, EventKind, Input, Machine, Snapshot, State};
use crate::core::qr;
use crate::ui::{self, Intent, Live, QrPicture, Setup};
use js_sys::{Function, Object, Reflect};
use leptos::prelude::*;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, CssStyleSheet, CustomEvent, CustomEventInit, HtmlElement, ShadowRoot,
};

/// Largest status response body read; a real one is well under 2 KB.
const MAX_STATUS_BYTES: usize = 64 * 1024;

/// Options as the embed read them from attributes or from `mount()`.
pub struct Options {
    /// The charge JSON text, or why there is none.
    pub charge: Result<String, ChargeError>,
    pub status_url: Option<String>,
    pub locale: Option<String>,
    pub mode: Option<String>,
    pub environment: Option<String>,
    pub on_status: Option<Function>,
    pub on_success: Option<Function>,
    pub on_failure: Option<Function>,
    pub on_expire: Option<Function>,
    pub on_error: Option<Function>,
}

/// A `setTimeout` or `setInterval` that is cleared when dropped. The handle is kept as the
/// page returned it: fake clocks (Playwright's, `@sinonjs/fake-timers`) hand out ids above
/// `i32`, which web-sys' `i32` handles would cut, leaving the timer to call a dropped closure.
struct Timer {
    id: JsValue,
    clear: &'static str,
    _closure: Closure<dyn FnMut()>,
}

/// `window[name]` as a function, looked up when called so a replaced one is the one used.
fn window_fn(w: &web_sys::Window, name: &str) -> Option<Function> {
    Reflect::get(w, &JsValue::from_str(name))
        .ok()?
        .dyn_into()
        .ok()
}

impl Timer {
    fn new(ms: i32, repeat: bool, f: impl FnMut() + 'static) -> Option<Timer> {
        let closure = Closure::<dyn FnMut()>::new(f);
        let w = web_sys::window()?;
        let (set, clear) = if repeat {
            ("setInterval", "clearInterval")
        } else {
            ("setTimeout", "clearTimeout")
        };
        let id = window_fn(&w, set)?
            .call2(&w, closure.as_ref(), &JsValue::from(ms))
            .ok()?;
        Some(Timer {
            id,
            clear,
            _closure: closure,
        })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            if let Some(clear) = window_fn(&w, self.clear) {
                let _ = clear.call1(&w, &self.id);
            }
        }
    }
}

/// An event listener that is removed when dropped.
struct Listener {
    target: web_sys::EventTarget,
    kind: &'static str,
    closure: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    fn new(
        target: &web_sys::EventTarget,
        kind: &'static str,
        f: impl FnMut(web_sys::Event) + 'static,
    ) -> Option<Listener> {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        target
            .add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref())
            .ok()?;
        Some(Listener {
            target: target.clone(),
            kind,
            closure,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.closure.as_ref().unchecked_ref());
    }
}

/// One mounted widget.
pub struct Widget {
    host: HtmlElement,
    container: HtmlElement,
    locale: Locale,
    options: Options,
    destroyed: Cell<bool>,
    charge: RefCell<Option<Charge>>,
    machine: RefCell<Option<Machine>>,
    live: Cell<Option<RwSignal<Live>>>,
    /// What the view shows; also the deeplink to open and the QR to save.
    setup: RefCell<Option<Arc<Setup>>>,
    unmount: RefCell<Option<Box<dyn Any>>>,
    wake: RefCell<Option<Timer>>,
    tick: RefCell<Option<Timer>>,
    fetch: RefCell<Option<AbortController>>,
    listeners: RefCell<Vec<Listener>>,
    last_remaining: Cell<Option<i64>>,
    announce: RefCell<String>,
    refocus: RefCell<Option<Timer>>,
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

fn window() -> web_sys::Window {
    web_sys::window().expect_throw("gopay-widget needs a window")
}

/// The stylesheet shared by every widget on the page.
fn shared_sheet() -> Option<CssStyleSheet> {
    thread_local! {
        static SHEET: Option<CssStyleSheet> = CssStyleSheet::new().ok().inspect(|s| {
            let _ = s.replace_sync(ui::CSS);
        });
    }
    SHEET.with(Clone::clone)
}

fn shadow_root(host: &HtmlElement) -> Result<ShadowRoot, JsValue> {
    if let Some(root) = host.shadow_root() {
        return Ok(root);
    }
    let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
    host.attach_shadow(&init)
}

fn page_origin() -> Option<String> {
    window().location().origin().ok()
}

fn pick_locale(requested: Option<&str>) -> Locale {
    let html_lang = window()
        .document()
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"));
    let browser = window().navigator().language();
    [requested.map(str::to_owned), html_lang, browser]
        .into_iter()
        .flatten()
        .find_map(|l| Locale::parse(&l))
        .unwrap_or(Locale::Id)
}

fn device_class() -> Device {
    let nav = window().navigator();
    let ua = nav.user_agent().unwrap_or_default();
    let hints = Reflect::get(&nav, &"userAgentData".into())
        .ok()
        .filter(|v| v.is_object())
        .map(|data| ClientHints {
            mobile: Reflect::get(&data, &"mobile".into())
                .ok()
                .and_then(|v| v.as_bool()),
            platform: Reflect::get(&data, &"platform".into())
                .ok()
                .and_then(|v| v.as_string()),
        });
    let touch = nav.max_touch_points().max(0) as u32;
    device::classify(&ua, hints.as_ref(), touch)
}

fn storage() -> Option<web_sys::Storage> {
    // Private modes and sandboxed iframes throw here: the widget then works without resume.
    window().session_storage().ok().flatten()
}

fn storage_key(order_id: &str) -> String {
    format!("gopay-widget:v1:{order_id}")
}

/// The `order_id` and `result` the app appends to `callback_url`, when they name this order.
fn app_return(order_id: &str) -> Option<Option<String>> {
    let search = window().location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let result = params.get("result")?;
    (params.get("order_id")? == order_id).then(|| Some(result.chars().take(32).collect()))
}

/// Reads a JSON text into the core's loose value; `None` for anything that is not JSON.
/// The browser's own `JSON.parse` does the parsing; the walk below only copies what it
/// built, cutting nesting at [`json::MAX_DEPTH`] like the native reader does. Callers cap
/// the text's length first.
pub fn read_json(text: &str) -> Option<Value> {
    let parsed = js_sys::JSON::parse(text).ok()?;
    Some(from_js(&parsed, 0))
}

fn from_js(v: &JsValue, depth: usize) -> Value {
    if depth > json::MAX_DEPTH {
        Value::TooDeep
    } else if let Some(s) = v.as_string() {
        Value::String(s)
    } else if let Some(n) = v.as_f64() {
        Value::Number(n)
    } else if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if js_sys::Array::is_array(v) {
        let items: &js_sys::Array = v.unchecked_ref();
        Value::Array(items.iter().map(|item| from_js(&item, depth + 1)).collect())
    } else if v.is_object() {
        let entries = Object::entries(v.unchecked_ref());
        Value::Object(
            entries
                .iter()
                .filter_map(|entry| {
                    let pair: js_sys::Array = entry.unchecked_into();
                    Some((pair.get(0).as_string()?, from_js(&pair.get(1), depth + 1)))
                })
                .collect(),
        )
    } else {
        Value::Null
    }
}

fn set_prop(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn opt_str(v: &Option<String>) -> JsValue {
    v.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str)
}

impl Widget {
    /// Builds the widget inside `host` and starts the transaction.
    pub fn mount(host: HtmlElement, options: Options) -> Result<Rc<Widget>, JsValue> {
        let root = shadow_root(&host)?;
        // Emptied node by node: an innerHTML write would be refused under Trusted Types.
        while let Some(child) = root.first_child() {
            root.remove_child(&child)?;
        }
        if let Some(sheet) = shared_sheet() {
            let sheets = js_sys::Array::of1(&sheet);
            Reflect::set(&root, &"adoptedStyleSheets".into(), &sheets)?;
        }
        let document = window().document().ok_or("no document")?;
        let container: HtmlElement = document.create_element("div")?.unchecked_into();
        root.append_child(&container)?;
        let locale = pick_locale(options.locale.as_deref());
        let widget = Rc::new(Widget {
            host,
            container,
            locale,
            options,
            destroyed: Cell::new(false),
            charge: RefCell::new(None),
            machine: RefCell::new(None),
            live: Cell::new(None),
            setup: RefCell::new(None),
            unmount: RefCell::new(None),
            wake: RefCell::new(None),
            tick: RefCell::new(None),
            fetch: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            last_remaining: Cell::new(None),
            announce: RefCell::new(String::new()),
            refocus: RefCell::new(None),
        });
        widget.set_state("loading");
        match widget.prepare() {
            Ok(setup) => widget.start(setup),
            Err(e) => widget.fail(&e),
        }
        Ok(widget)
    }

    fn set_state(&self, state: &str) {
        let _ = self.host.set_attribute("data-state", state);
    }

    fn environment(&self) -> Environment {
        self.options
            .environment
            .as_deref()
            .and_then(Environment::parse)
            .unwrap_or(Environment::Production)
    }

    /// Parses and checks the charge and decides what to show.
    fn prepare(&self) -> Result<(Setup, bool), ChargeError> {
        let text = self.options.charge.as_ref().map_err(Clone::clone)?;
        if text.len() > charge::MAX_CHARGE_BYTES {
            return Err(ChargeError::too_large());
        }
        let value = read_json(text).ok_or_else(ChargeError::invalid_json)?;
        let charge = charge::parse_charge(&value)?;
        let env = self.environment();
        let origin = page_origin();
        let deeplink = charge
            .deeplink
            .as_deref()
            .and_then(|url| deeplink::check_deeplink(url, env, origin.as_deref()).ok());
        let qr = match &charge.qr {
            Some(QrSource::Payload(payload)) => {
                qr::qr_svg(payload).ok().map(|svg| QrPicture::Svg {
                    size: svg.size,
                    path: svg.path,
                })
            }
            Some(QrSource::Image(url)) => deeplink::check_qr_image_url(url, env, origin.as_deref())
                .ok()
                .map(|url| QrPicture::Image { url }),
            None => None,
        };
        if qr.is_none() && deeplink.is_none() {
            return Err(ChargeError::no_safe_method());
        }
        let app_first = deeplink.is_some()
            && match self.options.mode.as_deref() {
                Some("qr") => false,
                Some("deeplink") => true,
                _ => device_class() == Device::Phone,
            };
        let l = self.locale;
        let amount = i18n::format_idr(charge.amount, l);
        let setup = Setup {
            lang: l.as_str(),
            title: i18n::t(l, Msg::Title),
            amount_label: i18n::t(l, Msg::AmountLabel),
            order_label: i18n::t(l, Msg::OrderLabel),
            time_label: i18n::t(l, Msg::TimeLeftLabel),
            qr_label: i18n::qr_label(l, &amount, &charge.order_id),
            amount,
            order_id: charge.order_id.clone(),
            qr,
            qr_steps: i18n::qr_steps(l),
            deeplink,
            deeplink_steps: i18n::deeplink_steps(l),
            open_app: i18n::t(l, Msg::OpenGopay),
            pay_with_qr: i18n::t(l, Msg::PayWithQr),
            show_app_button: i18n::t(l, Msg::ShowPayButton),
            save_qr: i18n::t(l, Msg::SaveQr),
        };
        *self.charge.borrow_mut() = Some(charge);
        Ok((setup, app_first))
    }

    /// Shows the error state and tells the page, once.
    fn fail(self: &Rc<Self>, e: &ChargeError) {
        let l = self.locale;
        let (title, heading, message) = (
            i18n::t(l, Msg::Title),
            i18n::t(l, Msg::Error),
            e.message.clone(),
        );
        let lang = l.as_str();
        let handle = leptos::mount::mount_to(self.container.clone(), move || {
            ui::error_view(lang, title, heading, message)
        });
        *self.unmount.borrow_mut() = Some(Box::new(handle));
        self.set_state("error");
        let detail = Object::new();
        set_prop(&detail, "code", &JsValue::from_str(e.code.as_str()));
        set_prop(&detail, "message", &JsValue::from_str(&e.message));
        self.dispatch("gopay-error", &detail, &self.options.on_error);
    }

    fn start(self: &Rc<Self>, (setup, app_first): (Setup, bool)) {
        let Some(charge) = self.charge.borrow().clone() else {
            return;
        };
        let live_cell = Rc::new(Cell::new(None));
        let cell = live_cell.clone();
        let weak = Rc::downgrade(self);
        let intents: ui::Intents = Rc::new(move |intent| {
            if let Some(w) = weak.upgrade() {
                w.intent(intent);
            }
        });
        let setup = Arc::new(setup);
        *self.setup.borrow_mut() = Some(setup.clone());
        let handle = leptos::mount::mount_to(self.container.clone(), move || {
            let live = RwSignal::new(Live {
                app_first,
                ..Live::default()
            });
            cell.set(Some(live));
            ui::payment_view(setup, live, intents)
        });
        *self.unmount.borrow_mut() = Some(Box::new(handle));
        self.live.set(live_cell.get());

        let key = storage_key(&charge.order_id);
        let restored = storage()
            .and_then(|s| s.get_item(&key).ok().flatten())
            .and_then(|text| Snapshot::decode(&text, &charge.order_id));
        let returned = app_return(&charge.order_id);
        let config = Config {
            order_id: charge.order_id.clone(),
            transaction_id: charge.transaction_id.clone(),
            gross_amount: charge.gross_amount.clone(),
            expiry_ms: charge.expiry_ms,
            initial_status: charge.transaction_status.clone(),
            auto_open_app: app_first && returned.is_none() && self.options.status_url.is_some(),
            seed: (js_sys::Math::random() * u32::MAX as f64) as u64,
        };
        *self.machine.borrow_mut() = Some(Machine::new(config, restored, now_ms()));
        if self.options.status_url.is_some() {
            self.listen();
        }
        let weak = Rc::downgrade(self);
        *self.tick.borrow_mut() = Timer::new(1000, true, move || {
            if let Some(w) = weak.upgrade() {
                w.render();
            }
        });
        // Before Start, so that a page loading hidden asks nothing and a return from the
        // app makes one check, not two.
        if let Some(result) = returned {
            self.feed(Input::ReturnedFromApp { result });
        }
        // Without a status endpoint the widget only displays the charge: the machine is
        // told the page is out of sight for good, so it never asks and never opens the app.
        let display_only = self.options.status_url.is_none();
        if display_only || window().document().is_some_and(|d| d.hidden()) {
            self.feed(Input::Visibility { visible: false });
        }
        self.feed(Input::Start);
    }

    fn listen(self: &Rc<Self>) {
        let mut listeners = self.listeners.borrow_mut();
        let win: &web_sys::EventTarget = &window();
        let doc = window().document();
        let on = |target: &web_sys::EventTarget, kind: &'static str, input: fn() -> Input| {
            let weak: Weak<Widget> = Rc::downgrade(self);
            Listener::new(target, kind, move |_| {
                if let Some(w) = weak.upgrade() {
                    w.feed(input());
                }
            })
        };
        listeners.extend(on(win, "online", || Input::Online));
        if let Some(doc) = doc {
            // Both report the page's real visibility: pageshow also comes with the load of
            // a page opened in a background tab, which must not start polling.
            for (target, kind) in [(win, "pageshow"), (doc.as_ref(), "visibilitychange")] {
                let weak = Rc::downgrade(self);
                let d = doc.clone();
                listeners.extend(Listener::new(target, kind, move |_| {
                    if let Some(w) = weak.upgrade() {
                        w.feed(Input::Visibility {
                            visible: !d.hidden(),
                        });
                    }
                }));
            }
        }
    }

    fn intent(self: &Rc<Self>, intent: Intent) {
        match intent {
            Intent::OpenApp => self.feed(Input::AppOpened),
            Intent::ShowQr | Intent::ShowAppButton => {
                let app = intent == Intent::ShowAppButton;
                if let Some(live) = self.live.get() {
                    live.update(|l| l.app_first = app);
                }
                // The control just used is hidden now: keep keyboard and screen reader users
                // in the widget by focusing the first control of the part shown, once the
                // view has applied the change.
                let target = if app {
                    "[part=open-button]"
                } else {
                    // A linked PNG QR has no save button.
                    "[part=save-button], [part=app-button]"
                };
                let container = self.container.clone();
                *self.refocus.borrow_mut() = Timer::new(0, false, move || {
                    let found = container.query_selector(target).ok().flatten();
                    if let Some(el) = found.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                        let _ = el.focus();
                    }
                });
            }
            Intent::SaveQr => self.save_qr(),
        }
    }

    /// Feeds one input to the machine and carries out what it answers.
    pub fn feed(self: &Rc<Self>, input: Input) {
        if self.destroyed.get() {
            return;
        }
        let commands = match self.machine.borrow_mut().as_mut() {
            Some(m) => m.handle(input, now_ms()),
            None => return,
        };
        for command in commands {
            if self.destroyed.get() {
                return;
            }
            match command {
                Command::Fetch { timeout_ms } => self.fetch_status(timeout_ms),
                Command::AbortFetch => {
                    if let Some(c) = self.fetch.take() {
                        c.abort();
                    }
                }
                Command::OpenApp => self.open_app(),
                Command::Emit(event) => self.emit(&event),
                Command::Persist(snapshot) => {
                    if let (Some(s), Some(c)) = (storage(), self.charge.borrow().as_ref()) {
                        let _ = s.set_item(&storage_key(&c.order_id), &snapshot.encode());
                    }
                }
            }
        }
        if self.destroyed.get() {
            return;
        }
        self.schedule();
        self.render();
    }

    fn schedule(self: &Rc<Self>) {
        let next = self
            .machine
            .borrow()
            .as_ref()
            .and_then(Machine::next_wakeup);
        let timer = next.and_then(|at| {
            let delay = (at - now_ms()).clamp(0, i32::MAX as i64) as i32;
            let weak = Rc::downgrade(self);
            Timer::new(delay, false, move || {
                if let Some(w) = weak.upgrade() {
                    w.feed(Input::Tick);
                }
            })
        });
        *self.wake.borrow_mut() = timer;
    }

    fn render(&self) {
        let Some(live) = self.live.get() else { return };
        let Some(view) = self.machine.borrow().as_ref().map(|m| m.view(now_ms())) else {
            return;
        };
        let l = self.locale;
        let status = match view.state {
            State::Loading => Msg::Loading,
            State::Pending => Msg::Pending,
            State::Confirming if view.local_expired => Msg::ExpiredConfirming,
            State::Confirming => Msg::Confirming,
            State::Success => Msg::Success,
            State::Failure => Msg::Failure,
            State::Expire => Msg::Expire,
            State::Reversed => Msg::Reversed,
            State::Error => Msg::Error,
        };
        let terminal = view.state.is_terminal();
        let remaining = if terminal { 0 } else { view.remaining_ms };
        if let Some(prev) = self.last_remaining.replace(Some(remaining)) {
            if let Some(th) = countdown::crossed(prev, remaining).filter(|_| !terminal) {
                *self.announce.borrow_mut() = i18n::t(
                    l,
                    match th {
                        Threshold::FiveMinutes => Msg::FiveMinutesLeft,
                        Threshold::OneMinute => Msg::OneMinuteLeft,
                        Threshold::Expired => Msg::TimeIsUp,
                    },
                )
                .to_owned();
            }
        }
        self.set_state(view.state.as_str());
        live.update(|live| {
            live.state = view.state.as_str();
            live.status = i18n::t(l, status).to_owned();
            live.remaining = countdown::format_remaining(remaining, l);
            live.trouble = view.trouble.then(|| i18n::t(l, Msg::Trouble).to_owned());
            live.announce = self.announce.borrow().clone();
        });
        if terminal {
            self.tick.take();
        }
    }

    fn status_url(&self) -> Option<String> {
        let template = self.options.status_url.as_deref()?;
        let charge = self.charge.borrow();
        let order_id = &charge.as_ref()?.order_id;
        let encoded = String::from(js_sys::encode_uri_component(order_id));
        Some(template.replace("{order_id}", &encoded))
    }

    fn fetch_status(self: &Rc<Self>, timeout_ms: u32) {
        // Without a status endpoint the widget only displays the charge.
        let Some(url) = self.status_url() else { return };
        let Ok(controller) = AbortController::new() else {
            return;
        };
        let signal = controller.signal();
        *self.fetch.borrow_mut() = Some(controller.clone());
        let timed_out = Rc::new(Cell::new(false));
        let flag = timed_out.clone();
        let timer = Timer::new(timeout_ms.min(i32::MAX as u32) as i32, false, move || {
            flag.set(true);
            controller.abort();
        });
        let weak = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            let input = request_status(&url, &signal, &timed_out).await;
            drop(timer);
            if let Some(w) = weak.upgrade() {
                if !w.destroyed.get() {
                    w.fetch.take();
                    w.feed(input);
                }
            }
        });
    }

    fn open_app(&self) {
        let deeplink = self
            .setup
            .borrow()
            .as_ref()
            .and_then(|s| s.deeplink.clone());
        if let Some(href) = deeplink {
            let _ = window().location().assign(&href);
        }
    }

    fn save_qr(&self) {
        let order = self
            .charge
            .borrow()
            .as_ref()
            .map(|c| c.order_id.clone())
            .unwrap_or_default();
        // Only a drawn QR has a save button; a linked PNG is saved with the browser's own
        // long-press.
        if let Some(QrPicture::Svg { size, path }) =
            self.setup.borrow().as_ref().and_then(|s| s.qr.clone())
        {
            let _ = save_png(size, &path, &order);
        }
    }

    fn emit(&self, event: &Event) {
        let detail = Object::new();
        set_prop(&detail, "order_id", &JsValue::from_str(&event.order_id));
        set_prop(
            &detail,
            "transaction_id",
            &JsValue::from_str(&event.transaction_id),
        );
        set_prop(
            &detail,
            "transaction_status",
            &JsValue::from_str(&event.transaction_status),
        );
        set_prop(&detail, "status_code", &opt_str(&event.status_code));
        set_prop(&detail, "gross_amount", &opt_str(&event.gross_amount));
        if let Some(code) = event.code {
            set_prop(&detail, "code", &JsValue::from_str(code));
        }
        set_prop(&detail, "message", &opt_str(&event.message));
        let o = &self.options;
        let (name, callback) = match event.kind {
            EventKind::Status => ("gopay-status", &o.on_status),
            EventKind::Success => ("gopay-success", &o.on_success),
            EventKind::Failure => ("gopay-failure", &o.on_failure),
            EventKind::Expire => ("gopay-expire", &o.on_expire),
            EventKind::Error => ("gopay-error", &o.on_error),
        };
        self.dispatch(name, &detail, callback);
    }

    fn dispatch(&self, name: &str, detail: &Object, callback: &Option<Function>) {
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(detail);
        if let Ok(ev) = CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = self.host.dispatch_event(&ev);
        }
        if let Some(f) = callback {
            // A merchant callback that throws must not stop the widget.
            if let Err(e) = f.call1(&JsValue::NULL, detail) {
                web_sys::console::error_2(&"gopay-widget: callback threw".into(), &e);
            }
        }
    }

    /// Stops everything and removes the widget's DOM.
    pub fn destroy(self: &Rc<Self>) {
        if self.destroyed.get() {
            return;
        }
        if let Some(m) = self.machine.borrow_mut().as_mut() {
            let _ = m.handle(Input::Destroy, now_ms());
        }
        self.destroyed.set(true);
        if let Some(c) = self.fetch.take() {
            c.abort();
        }
        self.wake.take();
        self.tick.take();
        self.refocus.take();
        self.listeners.borrow_mut().clear();
        self.unmount.take();
        self.container.remove();
        let _ = self.host.remove_attribute("data-state");
    }
}

async fn request_status(url: &str, signal: &web_sys::AbortSignal, timed_out: &Cell<bool>) -> Input {
    let failed = || Input::RequestFailed {
        timed_out: timed_out.get(),
    };
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_cache(web_sys::RequestCache::NoStore);
    init.set_signal(Some(signal));
    let Ok(headers) = web_sys::Headers::new() else {
        return failed();
    };
    let _ = headers.set("Accept", "application/json");
    init.set_headers(&headers);
    let fetched = JsFuture::from(window().fetch_with_str_and_init(url, &init)).await;
    let Ok(response) = fetched.and_then(|r| r.dyn_into::<web_sys::Response>()) else {
        return failed();
    };
    let date_ms = response
        .headers()
        .get("date")
        .ok()
        .flatten()
        .map(|d| js_sys::Date::parse(&d))
        .filter(|ms| ms.is_finite())
        .map(|ms| ms as i64);
    let http_status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string()),
        Err(_) => None,
    };
    let Some(text) = text else { return failed() };
    let body = if text.len() > MAX_STATUS_BYTES {
        None
    } else {
        read_json(&text)
    };
    Input::StatusResponse {
        http_status,
        body,
        date_ms,
    }
}

/// Draws the QR path on a canvas and offers it as a PNG download, so the shopper can
/// pay from another app on the same phone.
fn save_png(size: u32, path: &str, order_id: &str) -> Result<(), JsValue> {
    const SCALE: u32 = 10;
    let document = window().document().ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas")?.unchecked_into();
    canvas.set_width(size * SCALE);
    canvas.set_height(size * SCALE);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or("no 2d context")?
        .unchecked_into();
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, (size * SCALE) as f64, (size * SCALE) as f64);
    ctx.scale(SCALE as f64, SCALE as f64)?;
    ctx.set_fill_style_str("#000000");
    ctx.fill_with_path_2d(&web_sys::Path2d::new_with_path_string(path)?);
    let url = canvas.to_data_url_with_type("image/png")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    let safe: String = order_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(50)
        .collect();
    a.set_download(&format!("gopay-qr-{safe}.png"));
    a.click();
    Ok(())
}
