//! The launch input: aligned to [`INPUT_ALIGN`] bytes on both targets, so
//! that [`CoordinatorCtx::input_as`](super::CoordinatorCtx::input_as) and
//! [`WorkerCtx::input_as`](super::WorkerCtx::input_as) never fail for
//! alignment; borrowed from the caller on the host mock when the caller's
//! buffer is already aligned, one aligned copy otherwise.
//!
//! # Byte order
//!
//! Every target grafos supports is little-endian: wasm32 by definition, and
//! the host mock refuses to compile on a big-endian host (below) rather
//! than give other bytes than the runtime. A `Pod` view of the input, and
//! of a typed output, is therefore the little-endian encoding of its
//! elements on both targets.

#[cfg(target_endian = "big")]
compile_error!(
    "grafos supports little-endian targets only: the wasm runtime is little-endian, and a \
     big-endian host mock would give different bytes for typed input and output"
);

use std::marker::PhantomData;
use std::mem::{align_of, size_of};

use bytemuck::{Pod, Zeroable};

use super::{CoordinatorCtx, WorkerCtx};

/// Alignment of the launch input on both targets: a `Pod` element type
/// with an alignment up to 16 can be viewed in it. A type with a larger
/// alignment, or none at all, is a compile error at `input_as` (when the
/// call is compiled to code):
///
/// ```compile_fail,E0080
/// fn units(w: &grafos::cpu::WorkerCtx<(), ()>) -> usize {
///     w.input_as::<()>().len()
/// }
/// # units as fn(&_) -> _;
/// ```
pub const INPUT_ALIGN: usize = 16;

/// One aligned unit of an owned input.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct Chunk([u8; INPUT_ALIGN]);

// SAFETY: 16 bytes, alignment 16, no padding; every bit pattern is valid.
unsafe impl Zeroable for Chunk {}
// SAFETY: as above; `Chunk` is `Copy` and `repr(C)`.
unsafe impl Pod for Chunk {}

/// The input of one launch.
pub(crate) struct LaunchInput<'a> {
    /// An aligned copy, when the caller's bytes were not aligned (or the
    /// guest read them from the runtime).
    owned: Vec<Chunk>,
    ptr: *const u8,
    len: usize,
    _borrow: PhantomData<&'a [u8]>,
}

impl<'a> LaunchInput<'a> {
    /// `bytes`, borrowed if aligned to [`INPUT_ALIGN`], else copied once.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        if (bytes.as_ptr() as usize).is_multiple_of(INPUT_ALIGN) {
            Self {
                owned: Vec::new(),
                ptr: bytes.as_ptr(),
                len: bytes.len(),
                _borrow: PhantomData,
            }
        } else {
            // One pass over the bytes: copied into uninitialised chunks, only
            // the last chunk's tail zeroed.
            let chunks = bytes.len().div_ceil(INPUT_ALIGN);
            let mut owned: Vec<Chunk> = Vec::with_capacity(chunks);
            let dst = owned.as_mut_ptr().cast::<u8>();
            // SAFETY: the capacity holds `chunks * INPUT_ALIGN >= bytes.len()`
            // bytes; they are all written (copied, then the tail zeroed)
            // before `set_len`, and any bytes are a valid `Chunk`.
            unsafe {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len());
                std::ptr::write_bytes(dst.add(bytes.len()), 0, chunks * INPUT_ALIGN - bytes.len());
                owned.set_len(chunks);
            }
            Self {
                ptr: owned.as_ptr().cast(),
                owned,
                len: bytes.len(),
                _borrow: PhantomData,
            }
        }
    }

    /// An owned, aligned input of `len` zero bytes, to fill (the guest's).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn zeroed(len: usize) -> Self {
        let owned = vec![Chunk([0; INPUT_ALIGN]); len.div_ceil(INPUT_ALIGN)];
        Self {
            ptr: owned.as_ptr().cast(),
            owned,
            len,
            _borrow: PhantomData,
        }
    }

    /// Whether the input is an aligned copy rather than the caller's bytes.
    #[cfg(test)]
    pub(crate) fn is_copy(&self) -> bool {
        !self.owned.is_empty()
    }

    /// The bytes of an owned input, to fill (the guest's).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn as_mut_bytes(&mut self) -> &mut [u8] {
        let len = self.len;
        &mut bytemuck::cast_slice_mut::<Chunk, u8>(&mut self.owned)[..len]
    }

    /// The bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        // SAFETY: `ptr` points at `len` bytes that live for `'a`: the
        // caller's (borrowed for `'a`) or `owned`'s (moved with `self`, a
        // `Vec` whose heap buffer does not move).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// The input with its borrow erased, for the coordinator's context,
    /// which has no lifetime. Sound because a context lives only inside its
    /// launch, which borrows the input for longer: `SharedTaskletBuilder::
    /// launch` aborts the process if a context leaves its launch (swapped
    /// with another launch's through two `&mut`).
    pub(crate) fn erase(self) -> LaunchInput<'static> {
        LaunchInput {
            owned: self.owned,
            ptr: self.ptr,
            len: self.len,
            _borrow: PhantomData,
        }
    }
}

// SAFETY: a `LaunchInput` is a shared view of bytes (or owns them); it is
// read from every lane at once and never written after it is filled.
unsafe impl Send for LaunchInput<'_> {}
// SAFETY: as above.
unsafe impl Sync for LaunchInput<'_> {}

/// The whole `T`s at the start of `bytes` (an aligned input), trailing
/// bytes ignored.
pub(crate) fn view<T: Pod>(bytes: &[u8]) -> &[T] {
    const {
        assert!(
            size_of::<T>() > 0,
            "input_as::<T>() needs a type of at least one byte"
        );
        assert!(
            align_of::<T>() <= INPUT_ALIGN,
            "input_as::<T>() views the input, which is aligned to grafos::cpu::INPUT_ALIGN (16) \
             bytes: T must not need more"
        );
    }
    let whole = bytes.len() / size_of::<T>() * size_of::<T>();
    bytemuck::cast_slice(&bytes[..whole])
}

impl<S, W> CoordinatorCtx<S, W> {
    /// The launch input as `T`s: as many whole `T`s as it holds, trailing
    /// bytes ignored (compare `input().len()` with `size_of::<T>()` times
    /// the length to refuse them). The input is aligned to
    /// [`INPUT_ALIGN`] (16) bytes on both targets, so this never fails: a
    /// `T` that needs more alignment, or has no size, does not compile.
    /// The elements are little-endian on every target grafos supports (see
    /// the [module docs](self)).
    ///
    /// ```
    /// # let lease = grafos::cpu::CpuBuilder::new().cores(2).acquire().unwrap();
    /// let data: Vec<u8> = [1u32, 2, 3].iter().flat_map(|v| v.to_le_bytes()).collect();
    /// # let result = lease.cpu().shared_memory_tasklet::<(), ()>().workers(2)
    /// #     .input(&data[..11])
    /// #     .launch(|coord| {
    /// // With `.input(&data[..11])`: two whole `u32`s and 3 bytes of the third.
    /// assert_eq!(coord.input_as::<u32>(), &[1, 2]);
    /// #     Ok(())
    /// # }).unwrap();
    /// ```
    ///
    /// **Portable.**
    pub fn input_as<T: Pod>(&self) -> &[T] {
        view(self.input())
    }

    /// Sets the launch output to `values`' bytes (little-endian on every
    /// supported target), replacing what an earlier call set. A
    /// `#[coordinator]` fn may also return `Vec<T>` or `Result<Vec<T>, _>`
    /// for any `Pod` `T`.
    ///
    /// ```
    /// # let lease = grafos::cpu::CpuBuilder::new().cores(2).acquire().unwrap();
    /// # let result = lease.cpu().shared_memory_tasklet::<(), ()>().workers(2)
    /// #     .launch(|coord| {
    /// coord.set_output_as(&[1u16, 0x0302]);
    /// #     Ok(())
    /// # }).unwrap();
    /// # assert_eq!(result.output(), &[1, 0, 2, 3]);
    /// ```
    ///
    /// **Portable.**
    pub fn set_output_as<T: Pod>(&mut self, values: &[T]) {
        self.set_output(bytemuck::cast_slice(values));
    }
}

impl<S, W> WorkerCtx<S, W> {
    /// The launch input as `T`s, as
    /// [`CoordinatorCtx::input_as`] gives it: whole elements, trailing
    /// bytes ignored, aligned on both targets, little-endian.
    ///
    /// ```
    /// # let lease = grafos::cpu::CpuBuilder::new().cores(2).acquire().unwrap();
    /// let data: Vec<u8> = [5i32, -6].iter().flat_map(|v| v.to_le_bytes()).collect();
    /// # let result = lease.cpu().shared_memory_tasklet::<(), ()>().workers(2)
    /// #     .input(&data)
    /// #     .launch(|coord| {
    /// let sums = coord.map_workers(|w| Ok(w.input_as::<i32>().iter().sum::<i32>()))?;
    /// assert_eq!(sums, [-1]);
    /// #     Ok(())
    /// # }).unwrap();
    /// ```
    ///
    /// **Portable.**
    pub fn input_as<T: Pod>(&self) -> &[T] {
        view(self.input())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_bytes_are_borrowed_and_others_copied_aligned() {
        let backing = vec![Chunk([7; 16]); 4];
        let bytes: &[u8] = bytemuck::cast_slice(&backing);
        let borrowed = LaunchInput::new(&bytes[..33]);
        assert_eq!(borrowed.as_bytes().as_ptr(), bytes.as_ptr());
        assert!(!borrowed.is_copy());
        let copied = LaunchInput::new(&bytes[1..34]);
        assert!(copied.is_copy());
        assert_eq!(copied.as_bytes(), &bytes[1..34]);
        assert!((copied.as_bytes().as_ptr() as usize).is_multiple_of(INPUT_ALIGN));
        let empty = LaunchInput::new(&[]);
        assert_eq!(empty.as_bytes(), &[] as &[u8]);
    }

    #[test]
    fn views_take_whole_elements() {
        let input = LaunchInput::new(&[1, 0, 0, 0, 2, 0, 0, 0, 9]);
        assert_eq!(view::<u32>(input.as_bytes()), &[1, 2]);
        assert_eq!(view::<u64>(input.as_bytes()), &[0x2_0000_0001]);
        assert_eq!(view::<[u8; 16]>(input.as_bytes()).len(), 0);
    }
}
