//! `SendWrapper<T>`: a value that is `Send` and `Sync` whatever `T` is, usable only on the
//! thread that wrapped it (a deref, take, poll or drop elsewhere panics).
//!
//! The API is send_wrapper 0.6's, which Leptos (tachys, reactive_graph, leptos_dom,
//! leptos_server) wraps its DOM handles and callbacks in. That crate asks
//! `std::thread::current()` on every wrap and deref; on wasm32 without the atomics feature
//! no second thread can exist, and asking keeps std's thread registry, its `Arc`s and the
//! allocator paths they need in the widget's wasm. There the owner check is a constant
//! `true`; everywhere else (native tests, a server rendering the view) it compares thread ids.

use std::fmt;
use std::mem::{self, ManuallyDrop};
use std::ops::{Deref, DerefMut};

#[cfg(feature = "futures")]
mod futures;

/// Which thread may use a wrapped value.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[derive(Clone, Copy)]
struct Owner;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
impl Owner {
    #[inline(always)]
    fn current() -> Self {
        Owner
    }

    #[inline(always)]
    fn is_current(self) -> bool {
        true
    }
}

#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
#[derive(Clone, Copy)]
struct Owner(std::thread::ThreadId);

#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
impl Owner {
    fn current() -> Self {
        Owner(std::thread::current().id())
    }

    fn is_current(self) -> bool {
        self.0 == std::thread::current().id()
    }
}

/// Wraps a value so it can be moved to and shared with other threads, though only the
/// thread that created the wrapper may reach the value or drop it.
pub struct SendWrapper<T> {
    // ManuallyDrop: a drop on another thread must not run T's destructor there.
    data: ManuallyDrop<T>,
    owner: Owner,
}

// Safety: every access to `data` (deref, take, poll, drop) first checks that the caller is
// on the owner thread, and panics otherwise; so `T` is only ever used on one thread.
unsafe impl<T> Send for SendWrapper<T> {}
unsafe impl<T> Sync for SendWrapper<T> {}

impl<T> SendWrapper<T> {
    /// Wraps `data`, owned by the current thread.
    #[inline]
    pub fn new(data: T) -> SendWrapper<T> {
        SendWrapper {
            data: ManuallyDrop::new(data),
            owner: Owner::current(),
        }
    }

    /// Whether the current thread may use the value.
    #[inline]
    pub fn valid(&self) -> bool {
        self.owner.is_current()
    }

    /// Unwraps the value.
    ///
    /// # Panics
    /// On a thread other than the one that wrapped it.
    #[track_caller]
    pub fn take(self) -> T {
        self.check("take");
        let mut this = ManuallyDrop::new(self);
        // Safety: `this` is never dropped, so `data` is moved out exactly once.
        unsafe { ManuallyDrop::take(&mut this.data) }
    }

    #[inline]
    #[track_caller]
    fn check(&self, what: &str) {
        if !self.valid() {
            wrong_thread(what)
        }
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn wrong_thread(what: &str) -> ! {
    panic!("SendWrapper: {what} on a thread other than the one that wrapped the value")
}

impl<T> Deref for SendWrapper<T> {
    type Target = T;

    #[inline]
    #[track_caller]
    fn deref(&self) -> &T {
        self.check("deref");
        &self.data
    }
}

impl<T> DerefMut for SendWrapper<T> {
    #[inline]
    #[track_caller]
    fn deref_mut(&mut self) -> &mut T {
        self.check("deref");
        &mut self.data
    }
}

impl<T> Drop for SendWrapper<T> {
    #[track_caller]
    fn drop(&mut self) {
        // A value without drop glue touches nothing when dropped: any thread may.
        if mem::needs_drop::<T>() {
            self.check("drop");
        }
        // Safety: `data` is dropped only here, and `take` forgets `self`.
        unsafe { ManuallyDrop::drop(&mut self.data) }
    }
}

impl<T: fmt::Debug> fmt::Debug for SendWrapper<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendWrapper")
            .field("data", self.deref())
            .finish_non_exhaustive()
    }
}

impl<T: Clone> Clone for SendWrapper<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        Self::new(self.deref().clone())
    }
}

#[cfg(test)]
mod tests {
    use super::SendWrapper;
    use std::rc::Rc;
    use std::thread;

    #[test]
    fn the_owner_thread_uses_takes_and_drops_the_value() {
        let rc = Rc::new(5);
        let mut w = SendWrapper::new(Rc::clone(&rc));
        assert!(w.valid());
        assert_eq!(**w, 5);
        *w = Rc::new(6);
        let w2 = w.clone();
        assert_eq!(*w2.take(), 6);
        drop(w);
        assert_eq!(Rc::strong_count(&rc), 1);
    }

    #[test]
    fn another_thread_may_move_it_but_not_use_it() {
        let w = SendWrapper::new(Rc::new(1));
        let w = thread::spawn(move || {
            assert!(!w.valid());
            assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| **w)).is_err());
            w
        })
        .join()
        .unwrap();
        assert_eq!(**w, 1);
    }

    #[test]
    fn dropping_it_on_another_thread_panics_unless_trivial() {
        let w = SendWrapper::new(Rc::new(1));
        assert!(thread::spawn(move || drop(w)).join().is_err());
        let w = SendWrapper::new(7u32);
        assert!(thread::spawn(move || drop(w)).join().is_ok());
    }
}
