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

/// `renderToString(options)` of the package's `gopay-widget/server` entry (the `server` wasm
/// build that Node loads): the `mount()` options plus `userAgent` and `stylesheet`.
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = renderToString)]
pub fn render_to_string(options: JsValue) -> String {
    let o = &options;
    let charge = charge_text(get(o, "charge"));
    let text = |key| get_string(o, key);
    let (status_url, locale, mode) = (text("statusUrl"), text("locale"), text("mode"));
    let (environment, user_agent, stylesheet) =
        (text("environment"), text("userAgent"), text("stylesheet"));
    let id = text("id");
    crate::server::render_to_string(&crate::server::RenderOptions {
        retry: flag(&get(o, "retry")),
        charge: charge.as_deref(),
        status_url: status_url.as_deref(),
        locale: locale.as_deref(),
        mode: mode.as_deref(),
        environment: environment.as_deref(),
        user_agent: user_agent.as_deref(),
        stylesheet: stylesheet.as_deref(),
        id: id.as_deref(),
        now_ms: js_sys::Date::now() as i64,
    })
}

/// The widget's stylesheet, written by the build as the package's `gopay-widget.css` for
/// server-rendered pages (the browser build adopts the same text from the wasm).
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = widgetCss)]
pub fn widget_css() -> String {
    crate::ui::CSS.to_owned()
}
