//! The status request: one `GET` of the merchant's endpoint with a timeout, its body read
//! by the core's status reader, answered as the machine's input. Dropping it aborts it.

use super::browser::window;
use super::timer::Timeout;
use crate::core::machine::Input;
use crate::core::status;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortController;

/// Largest status response body read; a real one is well under 2 KB.
const MAX_STATUS_BYTES: usize = 64 * 1024;

/// A status request in flight.
#[must_use = "the request is aborted when dropped"]
pub struct StatusRequest {
    controller: AbortController,
    /// Set when dropped: the answer is then not delivered.
    dropped: Rc<Cell<bool>>,
    _timeout: Option<Timeout>,
}

impl StatusRequest {
    /// Starts the request; `done` gets its one answer unless the request is dropped first.
    pub fn start(
        url: &str,
        timeout_ms: u32,
        done: impl FnOnce(Input) + 'static,
    ) -> Option<StatusRequest> {
        let controller = AbortController::new().ok()?;
        let timed_out = Rc::new(Cell::new(false));
        let timeout = {
            let (flag, controller) = (timed_out.clone(), controller.clone());
            Timeout::new(i64::from(timeout_ms), move || {
                flag.set(true);
                controller.abort();
            })
        };
        let dropped = Rc::new(Cell::new(false));
        let gone = dropped.clone();
        let url = url.to_owned();
        let own = controller.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let input = request(&url, &own, &timed_out).await;
            if !gone.get() {
                done(input);
            }
        });
        Some(StatusRequest {
            controller,
            dropped,
            _timeout: timeout,
        })
    }
}

impl Drop for StatusRequest {
    fn drop(&mut self) {
        self.dropped.set(true);
        self.controller.abort();
    }
}

async fn request(url: &str, controller: &AbortController, timed_out: &Cell<bool>) -> Input {
    let failed = || Input::RequestFailed {
        timed_out: timed_out.get(),
    };
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_cache(web_sys::RequestCache::NoStore);
    init.set_signal(Some(&controller.signal()));
    let Ok(headers) = web_sys::Headers::new() else {
        return failed();
    };
    let _ = headers.set("Accept", "application/json");
    init.set_headers(&headers);
    let fetched = JsFuture::from(window().fetch_with_str_and_init(url, &init)).await;
    let Ok(response) = fetched.and_then(|r| r.dyn_into::<web_sys::Response>()) else {
        return failed();
    };
    let answered = response.headers();
    let header = |name: &str| answered.get(name).ok().flatten();
    let date_ms = header("date")
        .map(|d| js_sys::Date::parse(&d))
        .filter(|ms| ms.is_finite())
        .map(|ms| ms as i64);
    // Followed to another origin: whatever answers there is not the merchant's endpoint.
    if response.redirected() && !same_origin(url, &response.url()) {
        return failed();
    }
    let http_status = response.status();
    let json = header("content-type").is_some_and(|t| status::is_json_media_type(&t));
    let retry_after_ms = header("retry-after").and_then(|v| retry_after_ms(&v, date_ms));
    // Not served as JSON, or announced longer than any status answer: an unreadable answer,
    // left unread (the rest of the body is not downloaded).
    let announced = header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
    let reply = if json && announced.is_none_or(|n| n <= MAX_STATUS_BYTES as u64) {
        // Read chunk by chunk and let go past the limit: a body without a length (or
        // compressed) could otherwise stream on until the timeout, all of it kept in memory.
        match read_capped(&response, MAX_STATUS_BYTES).await {
            // Parsed here, at the edge: the machine gets a typed reply, or none.
            Read::Body(bytes) => status::read_reply(&bytes),
            Read::TooLong => {
                controller.abort();
                None
            }
            Read::Failed => return failed(),
        }
    } else {
        controller.abort();
        None
    };
    Input::StatusResponse {
        http_status,
        reply,
        date_ms,
        retry_after_ms,
    }
}

enum Read {
    Body(Vec<u8>),
    /// More than the limit: the rest was not read.
    TooLong,
    /// The body failed (reset, aborted, not decodable).
    Failed,
}

/// The response's body, at most `limit` bytes of it: each chunk is measured before it is
/// copied into the wasm's memory.
async fn read_capped(response: &web_sys::Response, limit: usize) -> Read {
    let Some(stream) = response.body() else {
        return Read::Body(Vec::new());
    };
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let Ok(chunk) = JsFuture::from(reader.read()).await else {
            return Read::Failed;
        };
        let field = |key: &str| js_sys::Reflect::get(&chunk, &key.into()).ok();
        if field("done").is_some_and(|d| d.is_truthy()) {
            return Read::Body(bytes);
        }
        let Some(value) = field("value").and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok())
        else {
            return Read::Failed;
        };
        if value.length() as usize > limit - bytes.len() {
            return Read::TooLong;
        }
        let start = bytes.len();
        bytes.resize(start + value.length() as usize, 0);
        value.copy_to(&mut bytes[start..]);
    }
}

/// The requested URL (relative to the page) and the answered one have the same origin.
fn same_origin(requested: &str, answered: &str) -> bool {
    let base = window().location().href().unwrap_or_default();
    let origin = |u: &str, base: &str| {
        web_sys::Url::new_with_base(u, base)
            .ok()
            .map(|u| u.origin())
    };
    matches!((origin(requested, &base), origin(answered, &base)), (Some(a), Some(b)) if a == b)
}

/// `Retry-After` as ms from now: delta-seconds, or an HTTP date (against the answer's own
/// `Date` when it has one, so the shopper's clock does not matter).
fn retry_after_ms(value: &str, date_ms: Option<i64>) -> Option<i64> {
    let value = value.trim();
    if !value.is_empty() && value.len() <= 10 && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<i64>().ok().map(|s| s * 1000);
    }
    let at = js_sys::Date::parse(value);
    if !at.is_finite() {
        return None;
    }
    let now = date_ms.map_or_else(js_sys::Date::now, |d| d as f64);
    Some((at - now).max(0.0) as i64)
}
