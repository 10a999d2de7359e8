//! The synchronisation primitives of the host mock: `std`'s, or `loom`'s
//! when built with `RUSTFLAGS="--cfg loom"`, so the same lane hand-off and
//! barrier code can be model-checked (see `host::loom_tests`).

#[cfg(not(loom))]
pub(crate) use std::{
    hint::spin_loop,
    sync::Arc,
    sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering},
    thread::{self, JoinHandle, Thread},
};

#[cfg(loom)]
pub(crate) use loom::{
    hint::spin_loop,
    sync::Arc,
    sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering},
    thread::{self, JoinHandle, Thread},
};

/// A value set once, then read by every lane without taking a lock. The
/// first `set` wins; no lock means no lane ever blocks on it, whatever wakes
/// it meanwhile.
pub(crate) struct SetOnce<T> {
    ptr: AtomicPtr<T>,
    /// Owns a `Box<T>`: `Send`/`Sync` follow `T`'s.
    _owns: std::marker::PhantomData<Box<T>>,
}

impl<T> SetOnce<T> {
    pub(crate) fn new() -> Self {
        Self {
            ptr: AtomicPtr::new(std::ptr::null_mut()),
            _owns: std::marker::PhantomData,
        }
    }

    /// Sets the value unless one is set already; returns whether it did.
    pub(crate) fn set(&self, value: T) -> bool {
        let new = Box::into_raw(Box::new(value));
        let null = std::ptr::null_mut();
        match self
            .ptr
            .compare_exchange(null, new, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => true,
            Err(_) => {
                // SAFETY: `new` came from `Box::into_raw` above and was not published.
                drop(unsafe { Box::from_raw(new) });
                false
            }
        }
    }

    /// The value, if set.
    pub(crate) fn get(&self) -> Option<&T> {
        let ptr = self.ptr.load(Ordering::SeqCst);
        // SAFETY: a published pointer is never replaced or freed before
        // `self` is dropped, so it is valid for `&self`'s lifetime.
        unsafe { ptr.as_ref() }
    }
}

impl<T> Drop for SetOnce<T> {
    fn drop(&mut self) {
        let ptr = self.ptr.swap(std::ptr::null_mut(), Ordering::SeqCst);
        if !ptr.is_null() {
            // SAFETY: published by `set` from `Box::into_raw`, freed once here.
            drop(unsafe { Box::from_raw(ptr) });
        }
    }
}
