//! wasm-bindgen exports used by the package's JavaScript entry (`index.js`), which adds
//! the custom element, auto-mount and the promise-returning `mount()` of the contract.

use crate::core::charge::{ChargeError, ErrorCode};
use crate::driver::{Options, Widget};
use js_sys::{Function, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// The handle `mount()` resolves to.
#[wasm_bindgen]
pub struct WidgetHandle {
    widget: Option<Rc<Widget>>,
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

/// The charge as JSON text: a string is taken as it is; an object is serialised first.
fn charge_text(value: JsValue) -> Result<String, ChargeError> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if value.is_undefined() || value.is_null() {
        return Err(ChargeError {
            code: ErrorCode::MissingCharge,
            message: "no charge was given (data-charge or the charge option)".into(),
        });
    }
    js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or(ChargeError {
            code: ErrorCode::InvalidJson,
            message: "the charge could not be read as JSON".into(),
        })
}

/// Mounts a widget in `host` with `options` (the contract's `mount()` options object).
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(host: HtmlElement, options: JsValue) -> Result<WidgetHandle, JsValue> {
    let options = Options {
        charge: charge_text(get(&options, "charge")),
        status_url: get_string(&options, "statusUrl"),
        locale: get_string(&options, "locale"),
        mode: get_string(&options, "mode"),
        environment: get_string(&options, "environment"),
        on_status: get_function(&options, "onStatus"),
        on_success: get_function(&options, "onSuccess"),
        on_failure: get_function(&options, "onFailure"),
        on_expire: get_function(&options, "onExpire"),
        on_error: get_function(&options, "onError"),
    };
    let widget = Widget::mount(host, options)?;
    Ok(WidgetHandle {
        widget: Some(widget),
    })
}
