//! Timeouts and intervals that are cleared when dropped (`#[must_use]` handles).

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// `window[name]` as a function, looked up when called so a replaced one (a test's fake
/// clock) is the one used.
fn window_fn(w: &web_sys::Window, name: &str) -> Option<Function> {
    Reflect::get(w, &JsValue::from_str(name))
        .ok()?
        .dyn_into()
        .ok()
}

/// The timer the page handed out. Its id is kept as the page returned it: fake clocks
/// (Playwright's, `@sinonjs/fake-timers`) hand out ids above `i32`, which web-sys' `i32`
/// handles would cut, leaving the timer to call a dropped closure.
struct Timer {
    id: JsValue,
    clear: &'static str,
    _closure: Closure<dyn FnMut()>,
}

impl Timer {
    fn new(
        ms: i32,
        (set, clear): (&str, &'static str),
        f: impl FnMut() + 'static,
    ) -> Option<Timer> {
        let closure = Closure::<dyn FnMut()>::new(f);
        let w = web_sys::window()?;
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

/// Runs `f` once after `ms`, unless dropped first.
#[must_use = "the timeout is cleared when dropped"]
pub struct Timeout(#[allow(dead_code)] Timer);

impl Timeout {
    pub fn new(ms: i64, f: impl FnMut() + 'static) -> Option<Timeout> {
        let ms = ms.clamp(0, i64::from(i32::MAX)) as i32;
        Timer::new(ms, ("setTimeout", "clearTimeout"), f).map(Timeout)
    }
}

/// Runs `f` every `ms` until dropped.
#[must_use = "the interval is cleared when dropped"]
pub struct Interval(#[allow(dead_code)] Timer);

impl Interval {
    pub fn new(ms: i32, f: impl FnMut() + 'static) -> Option<Interval> {
        Timer::new(ms, ("setInterval", "clearInterval"), f).map(Interval)
    }
}
