//! gopay-widget: a GoPay / QRIS checkout widget for Midtrans charges.
//!
//! For a Rust backend: [`server::render_to_string`] (or [`server::render_first_paint`]) renders
//! the widget's first paint into the payment page, [`device::classify`] tells a phone from a
//! tablet or a computer by the widget's own rule, and [`format_idr`] writes an amount as the
//! widget shows it in a [`Locale`].
//!
//! Inside, `core` is pure Rust (no clock, no I/O, no web APIs) and is tested natively. The
//! view (`ui`) compiles everywhere, so the server renders the same first paint the browser
//! mounts; the driver and the JavaScript embed only exist on wasm32. The `internals` feature
//! opens `core` to the project's own tests, fuzz targets and examples; it is no API.

#[cfg(feature = "internals")]
pub mod core;
// Without `internals`, parts of the core serve only the project's tests and tools, and a native
// build (no driver) uses little of it beyond the renderer: unused here, not dead.
#[cfg(not(feature = "internals"))]
#[allow(dead_code, unused_imports)]
mod core;
#[path = "server.rs"]
mod render;
pub(crate) mod ui;

#[cfg(target_arch = "wasm32")]
mod driver;
#[cfg(target_arch = "wasm32")]
pub mod embed;

pub use crate::core::i18n::{format_idr, Locale};

/// Server-side rendering of the widget's first paint: the HTML of one `<gopay-widget>` with
/// its view in a declarative shadow root, from the same components the browser mounts.
pub mod server {
    #[cfg(feature = "internals")]
    pub use crate::render::render_view;
    pub use crate::render::{render_first_paint, render_to_string, RenderOptions};
}

/// Phone, tablet or desktop, by the rule the widget applies in the browser: only phones get
/// the GoPay app first.
pub mod device {
    pub use crate::core::device::{classify, ClientHints, Device};
}

// The browser build's allocator: lol_alloc's free list (address-ordered, coalescing) is much
// smaller than std's dlmalloc, and the widget's heap is small (measured with the send_wrapper
// patch: -2.3 KB brotli; talc: -1.4 KB; alone, either gains nothing, as std's thread
// machinery kept dlmalloc). The wasm is single-threaded (no atomics), which
// AssumeSingleThreaded needs. The `server` build keeps std's for its longer-lived heaps.
#[cfg(all(target_arch = "wasm32", not(feature = "server")))]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // Safety: wasm32 without the atomics feature runs one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
