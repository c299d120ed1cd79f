//! The package's QR module, as the page gave it: `pure.js` loads crates/qr-module for any view
//! that may draw a QR and hands this build its drawing function ([`use_qr_module`]), with
//! which [`crate::core::qr::draw`] draws.

use crate::core::qr::{QrError, QrSvg};
use js_sys::{Array, Function};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    static DRAW: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// `useQrModule(draw)`: `draw(payload)` returns `[side, path]`, the side in modules (quiet zone
/// included) and the path's text as [`QrSvg`] has them, or `undefined` for a payload no QR
/// code at level M holds.
#[wasm_bindgen(js_name = useQrModule)]
pub fn use_qr_module(draw: Function) {
    DRAW.with(|d| *d.borrow_mut() = Some(draw));
}

/// `payload` drawn by the QR module.
pub fn draw(payload: &str) -> Result<QrSvg, QrError> {
    let draw = DRAW.with(|d| d.borrow().clone()).ok_or(QrError::NoModule)?;
    let drawn = draw
        .call1(&JsValue::UNDEFINED, &payload.into())
        .ok()
        .and_then(|v| v.dyn_into::<Array>().ok())
        .ok_or(QrError::TooLong)?;
    match (drawn.get(0).as_f64(), drawn.get(1).as_string()) {
        (Some(size), Some(path)) if size >= 1.0 => Ok(QrSvg {
            size: size as u32,
            path,
        }),
        _ => Err(QrError::TooLong),
    }
}
