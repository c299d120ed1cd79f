//! wasm-bindgen exports used by the package's JavaScript entry (`index.js`), which adds
//! the custom element, auto-mount and the promise-returning `mount()` of the contract.

use crate::core::machine::EventKind;
#[cfg(feature = "server")]
use crate::core::options::{self, Key, Kind};
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

/// The options in a JavaScript object, by their names in the table: the element's own, and
/// with `server`, those only a server render takes. A string is taken as it is; a charge
/// object is serialised first (one that cannot be, such as a cyclic one, becomes an empty
/// text, which is not JSON); another value says yes or no: for a flag by its truthiness, for
/// one on unless turned off only as `false`.
#[cfg(feature = "server")]
fn read_options(o: &JsValue, server: bool) -> options::Options {
    let mut options = options::Options::default();
    for key in Key::ALL {
        let spec = key.spec();
        if spec.server_only && !server {
            continue;
        }
        let value = get(o, spec.name);
        if value.is_undefined() || value.is_null() {
            continue;
        }
        match (value.as_string(), spec.kind) {
            (Some(text), _) => options.set(key, text),
            (None, Kind::Charge) => options.set(
                key,
                js_sys::JSON::stringify(&value)
                    .ok()
                    .and_then(|s| s.as_string())
                    .unwrap_or_default(),
            ),
            (None, Kind::Flag) => options.set_flag(key, value.is_truthy()),
            (None, Kind::OnUnlessNo) => options.set_flag(key, value.as_bool() != Some(false)),
            (None, Kind::Text) => {}
        }
    }
    options
}

/// `renderToString(options)` of the package's `gopay-widget/server` entry (the `server` wasm
/// build that Node loads): the whole `<gopay-widget>` element.
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = renderToString)]
pub fn render_to_string(options: JsValue) -> String {
    crate::server::element(&read_options(&options, true), js_sys::Date::now() as i64)
}

/// `renderFirstPaint(options)`: only the declarative shadow root, for a `<gopay-widget>`
/// that a framework's component renders itself.
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = renderFirstPaint)]
pub fn render_first_paint(options: JsValue) -> String {
    crate::server::first_paint(&read_options(&options, true), js_sys::Date::now() as i64)
}

/// The widget's stylesheet, written by the build as the package's `gopay-widget.css` for
/// server-rendered pages (the browser build adopts the same text from the wasm).
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = widgetCss)]
pub fn widget_css() -> String {
    crate::ui::CSS.to_owned()
}
