//! wasm-bindgen exports used by the package's JavaScript entry (`index.js`), which adds
//! the custom element, auto-mount and the promise-returning `mount()` of the contract.

use crate::core::machine::EventKind;
use crate::driver::{Callbacks, Options, Widget};
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// The handle `mount()` resolves to.
#[wasm_bindgen]
pub struct WidgetHandle {
    widget: Option<Widget>,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes the widget's DOM and stops every timer, request and listener. Idempotent.
    pub fn destroy(&mut self) {
        if let Some(w) = self.widget.take() {
            w.destroy();
        }
    }
}

fn get(options: &JsValue, key: &str) -> JsValue {
    if options.is_object() {
        Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn get_string(options: &JsValue, key: &str) -> Option<String> {
    get(options, key).as_string().filter(|s| !s.is_empty())
}

fn get_function(options: &JsValue, key: &str) -> Option<Function> {
    get(options, key).dyn_into::<Function>().ok()
}

/// A yes/no option: `true`, or an attribute's text (present, and not `"false"`).
fn flag(value: &JsValue) -> bool {
    value
        .as_string()
        .map_or(value.is_truthy(), |text| text != "false")
}

/// `autoOpen`: only `false` (or an attribute's `"false"`) turns the automatic app opening off.
fn auto_open(value: &JsValue) -> bool {
    value.as_bool() != Some(false) && crate::core::plan::auto_open(value.as_string().as_deref())
}

/// The charge as JSON text: a string is taken as it is; an object is serialised first (one
/// that cannot be, such as a cyclic one, becomes an empty text, which is not JSON).
fn charge_text(value: JsValue) -> Option<String> {
    if value.is_undefined() || value.is_null() {
        return None;
    }
    value.as_string().or_else(|| {
        Some(
            js_sys::JSON::stringify(&value)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default(),
        )
    })
}

/// Mounts a widget in `host` with `options` (the contract's `mount()` options object).
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(host: HtmlElement, options: JsValue) -> Result<WidgetHandle, JsValue> {
    let o = &options;
    let options = Options {
        charge: charge_text(get(o, "charge")),
        status_url: get_string(o, "statusUrl"),
        locale: get_string(o, "locale"),
        mode: get_string(o, "mode"),
        environment: get_string(o, "environment"),
        retry: flag(&get(o, "retry"))
            || get_function(o, EventKind::Retry.callback_name()).is_some(),
        auto_open: auto_open(&get(o, "autoOpen")),
        callbacks: Callbacks(EventKind::ALL.map(|kind| get_function(o, kind.callback_name()))),
    };
    let widget = Widget::mount(host, options)?;
    Ok(WidgetHandle {
        widget: Some(widget),
    })
}

/// The options of `renderToString` / `renderFirstPaint`, read from the JS object: the
/// `mount()` options plus `userAgent`, `stylesheet`, `nonce` and `id`.
#[cfg(feature = "server")]
struct ServerOptions {
    charge: Option<String>,
    status_url: Option<String>,
    locale: Option<String>,
    mode: Option<String>,
    environment: Option<String>,
    user_agent: Option<String>,
    stylesheet: Option<String>,
    nonce: Option<String>,
    id: Option<String>,
    retry: bool,
    auto_open: bool,
}

#[cfg(feature = "server")]
impl ServerOptions {
    fn read(o: &JsValue) -> ServerOptions {
        let text = |key| get_string(o, key);
        let auto_open = get(o, "autoOpen");
        ServerOptions {
            charge: charge_text(get(o, "charge")),
            status_url: text("statusUrl"),
            locale: text("locale"),
            mode: text("mode"),
            environment: text("environment"),
            user_agent: text("userAgent"),
            stylesheet: text("stylesheet"),
            nonce: text("nonce"),
            id: text("id"),
            retry: flag(&get(o, "retry")),
            // On unless turned off: `false`, or the attribute's text "false".
            auto_open: auto_open.is_undefined() || auto_open.is_null() || flag(&auto_open),
        }
    }

    fn render(&self) -> crate::server::RenderOptions<'_> {
        crate::server::RenderOptions {
            charge: self.charge.as_deref(),
            status_url: self.status_url.as_deref(),
            locale: self.locale.as_deref(),
            mode: self.mode.as_deref(),
            environment: self.environment.as_deref(),
            user_agent: self.user_agent.as_deref(),
            stylesheet: self.stylesheet.as_deref(),
            nonce: self.nonce.as_deref(),
            id: self.id.as_deref(),
            retry: self.retry,
            auto_open: self.auto_open,
            now_ms: js_sys::Date::now() as i64,
        }
    }
}

/// `renderToString(options)` of the package's `gopay-widget/server` entry (the `server` wasm
/// build that Node loads): the whole `<gopay-widget>` element.
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = renderToString)]
pub fn render_to_string(options: JsValue) -> String {
    crate::server::render_to_string(&ServerOptions::read(&options).render())
}

/// `renderFirstPaint(options)`: only the declarative shadow root, for a `<gopay-widget>`
/// that a framework's component renders itself.
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = renderFirstPaint)]
pub fn render_first_paint(options: JsValue) -> String {
    crate::server::render_first_paint(&ServerOptions::read(&options).render())
}

/// The widget's stylesheet, written by the build as the package's `gopay-widget.css` for
/// server-rendered pages (the browser build adopts the same text from the wasm).
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = widgetCss)]
pub fn widget_css() -> String {
    crate::ui::CSS.to_owned()
}
