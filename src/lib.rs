//! gopay-widget: a GoPay / QRIS checkout widget for Midtrans charges.
//!
//! `core` is pure Rust (no clock, no I/O, no web APIs) and is tested natively.
//! The view, the driver and the JavaScript embed only exist on wasm32.

pub mod core;

#[cfg(target_arch = "wasm32")]
mod driver;
#[cfg(target_arch = "wasm32")]
pub mod embed;
#[cfg(target_arch = "wasm32")]
mod ui;
