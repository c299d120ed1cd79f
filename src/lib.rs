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
