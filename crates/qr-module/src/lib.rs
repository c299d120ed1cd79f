//! The widget's QR encoder (`src/core/qr` of the widget crate, the same source) as a wasm
//! module of its own, with no bindings. The browser build of the widget has no encoder: the
//! package loads this module beside it for a page that has no server-drawn QR, and the view
//! draws what it returns. A server-rendered page that already shows the QR never fetches it.
//!
//! The calling convention, used by the package's `pure.js`:
//! 1. `input(len)` starts a drawing: it forgets the previous one and returns where to write
//!    the payload's `len` UTF-8 bytes in `memory`;
//! 2. `draw(at, len)` draws them and returns the address of three little-endian `u32`s: the side
//!    in modules (quiet zone included) and the address and length of the path's text; a side
//!    of 0 means the payload cannot be drawn (empty, or too long for a QR code at level M).
//!
//! Everything a drawing allocates lives until the next `input`: one bump of a pointer each,
//! nothing freed, the whole heap taken back at the start of the next drawing.

#[allow(dead_code)]
#[path = "../../../src/core/qr/mod.rs"]
mod qr;

#[cfg(target_arch = "wasm32")]
mod heap {
    use core::alloc::{GlobalAlloc, Layout};
    use core::arch::wasm32::{memory_grow, memory_size};
    use core::cell::Cell;

    const PAGE: usize = 65_536;

    extern "C" {
        /// Where the linker put the end of the statics and the stack: the heap's start.
        static __heap_base: u8;
    }

    /// A bump allocator that [`Heap::reset`] empties.
    pub struct Heap {
        next: Cell<usize>,
    }

    // Safety: wasm32 without the atomics feature runs one thread.
    unsafe impl Sync for Heap {}

    impl Heap {
        fn base() -> usize {
            // Only the symbol's address is taken (no read), which needs no `unsafe`.
            core::ptr::addr_of!(__heap_base) as usize
        }

        /// Forgets every allocation: the next one starts at the heap's base again.
        pub fn reset(&self) {
            self.next.set(Self::base());
        }
    }

    unsafe impl GlobalAlloc for Heap {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let next = match self.next.get() {
                0 => Self::base(),
                n => n,
            };
            let start = (next + layout.align() - 1) & !(layout.align() - 1);
            let Some(end) = start.checked_add(layout.size()) else {
                return core::ptr::null_mut();
            };
            let have = memory_size(0) * PAGE;
            if end > have && memory_grow(0, (end - have).div_ceil(PAGE)) == usize::MAX {
                return core::ptr::null_mut();
            }
            self.next.set(end);
            start as *mut u8
        }

        unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
    }

    #[global_allocator]
    pub static HEAP: Heap = Heap { next: Cell::new(0) };
}

/// The three `u32`s `draw` returns the address of.
static mut DRAWN: [u32; 3] = [0; 3];

/// Starts a drawing: where to write the payload's `len` bytes.
#[no_mangle]
pub extern "C" fn input(len: usize) -> *mut u8 {
    #[cfg(target_arch = "wasm32")]
    heap::HEAP.reset();
    let mut buffer = Vec::<u8>::with_capacity(len);
    let at = buffer.as_mut_ptr();
    core::mem::forget(buffer);
    at
}

/// Draws the `len` bytes written where `input(len)` said (see the crate's documentation).
///
/// # Safety
///
/// `input(len)` was called just before, with the same `len`, and its bytes are UTF-8.
#[no_mangle]
pub unsafe extern "C" fn draw(at: *const u8, len: usize) -> *const u32 {
    let bytes = core::slice::from_raw_parts(at, len);
    let drawn = match core::str::from_utf8(bytes).ok().map(qr::qr_svg_plain) {
        Some(Ok(svg)) => {
            let path = core::mem::ManuallyDrop::new(svg.path);
            [svg.size, path.as_ptr() as u32, path.len() as u32]
        }
        _ => [0; 3],
    };
    let out = core::ptr::addr_of_mut!(DRAWN);
    out.write(drawn);
    out.cast()
}
