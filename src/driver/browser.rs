//! The browser's facts the widget reads: time, locale sources, device, origin, visibility,
//! session storage and the return from the GoPay app.

use crate::core::device::{self, ClientHints, Device};
use crate::core::options::Facts;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

pub fn window() -> web_sys::Window {
    web_sys::window().expect_throw("gopay-widget needs a window")
}

pub fn document() -> Option<web_sys::Document> {
    window().document()
}

fn page_origin() -> Option<String> {
    window().location().origin().ok()
}

/// `<html lang>`.
fn html_lang() -> Option<String> {
    document()?.document_element()?.get_attribute("lang")
}

/// `navigator.language`.
fn browser_language() -> Option<String> {
    window().navigator().language()
}

/// The page is out of sight (a background tab, a minimised window).
pub fn page_hidden() -> bool {
    document().is_some_and(|d| d.hidden())
}

fn device_class() -> Device {
    let nav = window().navigator();
    let ua = nav.user_agent().unwrap_or_default();
    let field = |obj: &JsValue, key: &str| Reflect::get(obj, &JsValue::from_str(key)).ok();
    let hints = field(&nav, "userAgentData")
        .filter(|v| v.is_object())
        .map(|data| ClientHints {
            mobile: field(&data, "mobile").and_then(|v| v.as_bool()),
            platform: field(&data, "platform").and_then(|v| v.as_string()),
        });
    let touch = nav.max_touch_points().max(0) as u32;
    device::classify(&ua, hints.as_ref(), touch)
}

/// What the page knows besides the widget's options, now; `qr_in_page` is the order of a QR
/// a server drew in the host.
pub fn facts(qr_in_page: Option<String>) -> Facts {
    Facts {
        html_lang: html_lang(),
        browser_language: browser_language(),
        page_origin: page_origin(),
        device: device_class(),
        visible: !page_hidden(),
        qr_in_page,
        seed: (js_sys::Math::random() * f64::from(u32::MAX)) as u64,
        now_ms: now_ms(),
    }
}

/// Per-tab storage for one order's snapshot. Private modes and sandboxed iframes throw
/// here: the widget then works without resume.
pub struct OrderStorage {
    key: String,
}

impl OrderStorage {
    pub fn new(order_id: &str) -> OrderStorage {
        OrderStorage {
            key: format!("gopay-widget:v1:{order_id}"),
        }
    }

    fn storage() -> Option<web_sys::Storage> {
        window().session_storage().ok().flatten()
    }

    pub fn load(&self) -> Option<String> {
        Self::storage()?.get_item(&self.key).ok().flatten()
    }

    pub fn save(&self, text: &str) {
        if let Some(s) = Self::storage() {
            let _ = s.set_item(&self.key, text);
        }
    }
}

/// The `result` the app appends to `callback_url` (with `order_id`), when the page was
/// loaded for this order: `Some(result)`, or `None` when this is no return from the app.
pub fn app_return(order_id: &str) -> Option<Option<String>> {
    let search = window().location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let result = params.get("result")?;
    (params.get("order_id")? == order_id).then(|| Some(result.chars().take(32).collect()))
}
