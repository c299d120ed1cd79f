//! gopay-widget: a GoPay / QRIS checkout widget for Midtrans charges.
//!
//! `core` is pure Rust (no clock, no I/O, no web APIs) and is tested natively. The view
//! (`ui`) compiles everywhere, so [`server::render_to_string`] can render the first paint on
//! a server; the driver and the JavaScript embed only exist on wasm32.

pub mod core;
pub mod server;
pub(crate) mod ui;

#[cfg(target_arch = "wasm32")]
mod driver;
#[cfg(target_arch = "wasm32")]
pub mod embed;
