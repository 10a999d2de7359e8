//! The shared region and per-lane scratch regions: one typed value at the
//! start of an aligned allocation, followed by an untyped arena.

use std::alloc::{self, Layout};
use std::fmt;
use std::marker::PhantomData;
use std::mem::{align_of, size_of};
use std::ptr::NonNull;

use bytemuck::Pod;

use super::TaskletError;

/// Alignment of every region and of the arena inside it: any `Pod` element
/// type with an alignment up to 16 can be viewed in the arena.
pub const ARENA_ALIGN: usize = 16;

/// Offset of the arena in a region whose value is a `T`.
pub(crate) const fn arena_offset<T>() -> usize {
    size_of::<T>().next_multiple_of(ARENA_ALIGN)
}

/// An owned, aligned, zeroed allocation of `len` bytes holding a `T` at
/// offset 0. Drops the `T` and frees the memory on drop.
struct RegionBuf<T> {
    ptr: NonNull<u8>,
    len: usize,
    layout: Layout,
    _value: PhantomData<T>,
}

impl<T: Default> RegionBuf<T> {
    /// Allocates `len` bytes (at least `size_of::<T>()`, checked by the caller)
    /// and writes `T::default()` at the start.
    fn new(len: usize, what: &str) -> Result<Self, TaskletError> {
        debug_assert!(len >= size_of::<T>());
        let align = align_of::<T>().max(ARENA_ALIGN);
        // A zero-sized allocation is not allowed; a region always spans one
        // alignment unit at least.
        let layout = Layout::from_size_align(len.max(align), align).map_err(|_| {
            TaskletError::invalid_config(format!("{what} of {len} bytes is too large to allocate"))
        })?;
        // SAFETY: `layout` has a non-zero size.
        let raw = unsafe { alloc::alloc_zeroed(layout) };
        let ptr = NonNull::new(raw).ok_or_else(|| {
            TaskletError::invalid_config(format!("could not allocate {len} bytes for the {what}"))
        })?;
        // Build the value first: if `T::default()` panics, the memory leaks
        // no value and is freed by the guard below.
        struct FreeOnUnwind(NonNull<u8>, Layout);
        impl Drop for FreeOnUnwind {
            fn drop(&mut self) {
                // SAFETY: allocated above with this layout, not yet owned by a RegionBuf.
                unsafe { alloc::dealloc(self.0.as_ptr(), self.1) }
            }
        }
        let guard = FreeOnUnwind(ptr, layout);
        let value = T::default();
        std::mem::forget(guard);
        // SAFETY: the allocation is at least `size_of::<T>()` bytes and aligned for `T`.
        unsafe { ptr.cast::<T>().as_ptr().write(value) };
        Ok(Self {
            ptr,
            len,
            layout,
            _value: PhantomData,
        })
    }
}

impl<T> RegionBuf<T> {
    fn value(&self) -> &T {
        // SAFETY: a valid `T` lives at offset 0 for the buffer's whole life.
        unsafe { self.ptr.cast::<T>().as_ref() }
    }

    fn value_mut(&mut self) -> &mut T {
        // SAFETY: as above, and `&mut self` makes the access exclusive.
        unsafe { self.ptr.cast::<T>().as_mut() }
    }

    fn arena_len_bytes(&self) -> usize {
        self.len.saturating_sub(arena_offset::<T>())
    }

    fn arena<E: Pod>(&self) -> &[E] {
        let (start, count) = self.arena_span::<E>();
        // SAFETY: `start..start + count * size_of::<E>()` lies inside the
        // zero-initialised allocation and past the `T`; it is aligned for `E`
        // (checked in `arena_span`), every bit pattern is a valid `E`, and the
        // arena is only written through `&mut self`.
        unsafe { std::slice::from_raw_parts(start.cast::<E>(), count) }
    }

    fn arena_mut<E: Pod>(&mut self) -> &mut [E] {
        let (start, count) = self.arena_span::<E>();
        // SAFETY: as in `arena`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(start.cast::<E>(), count) }
    }

    fn arena_span<E: Pod>(&self) -> (*mut u8, usize) {
        const {
            assert!(
                size_of::<E>() > 0,
                "arena element types must not be zero-sized"
            );
            assert!(
                align_of::<E>() <= ARENA_ALIGN,
                "arena element types must be aligned to at most 16 bytes"
            );
        }
        let count = self.arena_len_bytes() / size_of::<E>();
        let offset = arena_offset::<T>().min(self.len);
        // SAFETY: `offset <= len <= allocation size`.
        (unsafe { self.ptr.as_ptr().add(offset) }, count)
    }
}

impl<T> Drop for RegionBuf<T> {
    fn drop(&mut self) {
        // SAFETY: the value was written in `new` and is dropped exactly once;
        // the memory was allocated with `self.layout`.
        unsafe {
            self.ptr.cast::<T>().as_ptr().drop_in_place();
            alloc::dealloc(self.ptr.as_ptr(), self.layout);
        }
    }
}

/// Typed wrapper over the shared region of a tasklet: one `S` at the start of
/// `shared_bytes` bytes, followed by the **arena**, raw bytes viewed as
/// slices of any [`Pod`] type.
///
/// Workers see it shared (`&SharedRegion<S>`: use atomics inside `S`, or read
/// the arena); the coordinator sees it mutably between regions.
///
/// The arena starts at `size_of::<S>()` rounded up to 16 bytes. If `S` holds
/// `usize`s or pointers its size differs between the host and wasm32, and so
/// does the arena's length: size the arena by your data, not by what is left.
///
/// ```
/// use grafos::cpu::{CpuBuilder, CoordinatorCtx};
/// let lease = CpuBuilder::new().cores(2).acquire().unwrap();
/// let result = lease.cpu().shared_memory_tasklet::<u64, ()>()
///     .workers(2)
///     .shared_bytes(16 + 4 * 8)
///     .launch(|coord: &mut CoordinatorCtx<u64, ()>| {
///         coord.shared_region_mut().arena_mut::<u32>().copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
///         coord.parallel_for_workers(|w| {
///             let sum: u32 = w.shared_region().arena::<u32>().iter().sum();
///             assert_eq!(sum, 36);
///         })?;
///         coord.set_output(&[coord.shared_region().arena::<u32>().len() as u8]);
///         Ok(())
///     })
///     .unwrap();
/// assert_eq!(result.output(), &[8]);
/// ```
pub struct SharedRegion<S> {
    buf: RegionBuf<S>,
}

// SAFETY: data lanes share `&SharedRegion<S>`; through it they reach `&S`
// (hence `S: Sync`) and read-only arena bytes.
unsafe impl<S: Sync> Sync for SharedRegion<S> {}
// SAFETY: owning the region owns the `S`.
unsafe impl<S: Send> Send for SharedRegion<S> {}

impl<S: Default> SharedRegion<S> {
    pub(crate) fn new(shared_bytes: usize) -> Result<Self, TaskletError> {
        if shared_bytes < size_of::<S>() {
            return Err(TaskletError::SharedTooSmall {
                need: size_of::<S>(),
                have: shared_bytes,
            });
        }
        Ok(Self {
            buf: RegionBuf::new(shared_bytes, "shared region")?,
        })
    }
}

impl<S> SharedRegion<S> {
    /// The shared value.
    ///
    /// **Portable.**
    pub fn get(&self) -> &S {
        self.buf.value()
    }

    /// The shared value, mutably (coordinator, between regions).
    ///
    /// **Portable.**
    pub fn get_mut(&mut self) -> &mut S {
        self.buf.value_mut()
    }

    /// The arena viewed as `T`s: as many whole `T`s as fit.
    ///
    /// **Portable.**
    pub fn arena<T: Pod>(&self) -> &[T] {
        self.buf.arena()
    }

    /// The arena viewed as `T`s, mutably (coordinator, between regions).
    ///
    /// **Portable.**
    pub fn arena_mut<T: Pod>(&mut self) -> &mut [T] {
        self.buf.arena_mut()
    }

    /// Bytes in the arena: `shared_bytes` minus the `S` value rounded up to 16.
    ///
    /// **Portable.**
    pub fn arena_len_bytes(&self) -> usize {
        self.buf.arena_len_bytes()
    }

    /// Bytes in the whole region (`shared_bytes`).
    ///
    /// **Portable.**
    pub fn len_bytes(&self) -> usize {
        self.buf.len
    }
}

impl<S: fmt::Debug> fmt::Debug for SharedRegion<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedRegion")
            .field("value", self.get())
            .field("arena_len_bytes", &self.arena_len_bytes())
            .finish()
    }
}

/// Typed wrapper over one lane's scratch region: one `W` at the start of
/// `scratch_bytes_per_worker` bytes, followed by a per-lane arena of raw
/// bytes viewed as slices of any [`Pod`] type.
///
/// A worker sees its own scratch mutably; the coordinator sees every lane's
/// between regions.
pub struct WorkerScratch<W> {
    buf: RegionBuf<W>,
}

// SAFETY: a scratch region is used by one lane at a time; moving it to
// another thread moves the `W`.
unsafe impl<W: Send> Send for WorkerScratch<W> {}
// SAFETY: `&WorkerScratch<W>` only gives `&W` and read-only arena bytes.
unsafe impl<W: Sync> Sync for WorkerScratch<W> {}

impl<W: Default> WorkerScratch<W> {
    pub(crate) fn new(scratch_bytes: usize) -> Result<Self, TaskletError> {
        if scratch_bytes < size_of::<W>() {
            return Err(TaskletError::ScratchTooSmall {
                need: size_of::<W>(),
                have: scratch_bytes,
            });
        }
        Ok(Self {
            buf: RegionBuf::new(scratch_bytes, "scratch region")?,
        })
    }
}

impl<W> WorkerScratch<W> {
    /// The scratch value.
    ///
    /// **Portable.**
    pub fn get(&self) -> &W {
        self.buf.value()
    }

    /// The scratch value, mutably.
    ///
    /// **Portable.**
    pub fn get_mut(&mut self) -> &mut W {
        self.buf.value_mut()
    }

    /// The scratch arena viewed as `T`s: as many whole `T`s as fit.
    ///
    /// **Portable.**
    pub fn arena<T: Pod>(&self) -> &[T] {
        self.buf.arena()
    }

    /// The scratch arena viewed as `T`s, mutably.
    ///
    /// **Portable.**
    pub fn arena_mut<T: Pod>(&mut self) -> &mut [T] {
        self.buf.arena_mut()
    }

    /// Bytes in the scratch arena.
    ///
    /// **Portable.**
    pub fn arena_len_bytes(&self) -> usize {
        self.buf.arena_len_bytes()
    }

    /// Bytes in the whole scratch region (`scratch_bytes_per_worker`).
    ///
    /// **Portable.**
    pub fn len_bytes(&self) -> usize {
        self.buf.len
    }
}

impl<W: fmt::Debug> fmt::Debug for WorkerScratch<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerScratch")
            .field("value", self.get())
            .field("arena_len_bytes", &self.arena_len_bytes())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn too_small_regions_are_errors() {
        assert_eq!(
            SharedRegion::<[u64; 4]>::new(31).unwrap_err(),
            TaskletError::SharedTooSmall { need: 32, have: 31 }
        );
        assert_eq!(
            WorkerScratch::<u32>::new(3).unwrap_err(),
            TaskletError::ScratchTooSmall { need: 4, have: 3 }
        );
    }

    #[test]
    fn arena_follows_the_value_aligned_to_16() {
        let mut r = SharedRegion::<[u8; 3]>::new(3 + 13 + 20).unwrap();
        assert_eq!(r.arena_len_bytes(), 20);
        assert_eq!(r.arena::<u32>().len(), 5);
        assert_eq!(r.arena::<u64>().len(), 2);
        r.arena_mut::<u32>()[4] = 7;
        assert_eq!(r.arena::<u8>()[16], 7);
        assert_eq!(r.arena::<u128>().as_ptr() as usize % 16, 0);
    }

    #[test]
    fn zero_sized_values_and_empty_regions_work() {
        let r = SharedRegion::<()>::new(0).unwrap();
        assert_eq!(r.arena::<u8>().len(), 0);
        let s = WorkerScratch::<()>::new(32).unwrap();
        assert_eq!(s.arena::<u16>().len(), 16);
    }

    #[test]
    fn huge_regions_are_errors_not_aborts() {
        let e = SharedRegion::<()>::new(usize::MAX - 4).unwrap_err();
        assert!(matches!(e, TaskletError::InvalidConfig { .. }), "{e}");
    }

    #[test]
    fn values_are_dropped_with_the_region() {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        #[derive(Default)]
        struct Counted;
        impl Drop for Counted {
            fn drop(&mut self) {
                DROPS.fetch_add(1, Ordering::SeqCst);
            }
        }
        drop(WorkerScratch::<Counted>::new(0).unwrap());
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
    }
}
