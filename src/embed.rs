//! wasm-bindgen exports used by the package's JavaScript entry (`index.js`), which adds
//! the custom element, auto-mount and the promise-returning `mount()` of the contract. The
//! options are read through the core's one table of them ([`Key::spec`]).

use crate::core::machine::EventKind;
use crate::core::options::{Key, Kind, Options};
use crate::driver::{Callbacks, Widget};
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

fn get_function(options: &JsValue, key: &str) -> Option<Function> {
    get(options, key).dyn_into::<Function>().ok()
}

/// The options in a JavaScript object, by their names in the table: the element's own, and
/// with `server`, those only a server render takes. A string is taken as it is; a charge
/// object is serialised first (one that cannot be, such as a cyclic one, becomes an empty
/// text, which is not JSON); another value says yes or no: for a flag by its truthiness, for
/// one on unless turned off only as `false`.
fn read_options(o: &JsValue, server: bool) -> Options {
    let mut options = Options::default();
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

/// Mounts a widget in `host` with `options` (the contract's `mount()` options object).
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(host: HtmlElement, options: JsValue) -> Result<WidgetHandle, JsValue> {
    let callbacks =
        Callbacks(EventKind::ALL.map(|kind| get_function(&options, kind.callback_name())));
    let mut read = read_options(&options, false);
    // An `onRetry` callback takes "Get a new QR" as `retry: true` does.
    if get_function(&options, EventKind::Retry.callback_name()).is_some() {
        read.set_flag(Key::Retry, true);
    }
    let widget = Widget::mount(host, &read, callbacks)?;
    Ok(WidgetHandle {
        widget: Some(widget),
    })
}

/// `renderToString(options)` of the package's `gopay-widget/server` entry (the `server` wasm
/// build that Node loads): the whole `<gopay-widget>` element.
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = renderToString)]
pub fn render_to_string(options: JsValue) -> String {
    crate::render::element(&read_options(&options, true), js_sys::Date::now() as i64)
}

/// `renderFirstPaint(options)`: only the declarative shadow root, for a `<gopay-widget>`
/// that a framework's component renders itself.
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = renderFirstPaint)]
pub fn render_first_paint(options: JsValue) -> String {
    crate::render::first_paint(&read_options(&options, true), js_sys::Date::now() as i64)
}

/// The widget's stylesheet, written by the build as the package's `gopay-widget.css` for
/// server-rendered pages (the browser build adopts the same text from the wasm).
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = widgetCss)]
pub fn widget_css() -> String {
    crate::ui::CSS.to_owned()
}
