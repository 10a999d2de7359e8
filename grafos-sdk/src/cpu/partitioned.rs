//! [`Partitioned`] arrays: the rules are in its docs.

use std::cell::{Cell, UnsafeCell};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut, Range};
use std::ptr::NonNull;
use std::sync::atomic::Ordering::SeqCst;

// `loom`'s atomics and thread-locals under `--cfg loom`, so the host mock's
// model checks (`host::loom_tests`) cover the borrow word too.
#[cfg(loom)]
use loom::{sync::atomic::AtomicU64, thread_local};
#[cfg(not(loom))]
use std::sync::atomic::AtomicU64;

use super::{CoordinatorCtx, Lane, MAX_LANES, Task, TaskletError, partition};

/// How a [`Partitioned`] array is cut into parts, from its length and the
/// number of owners of the region (data lanes, or tasks).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Split {
    /// Part `i` of `n` is [`partition::even`]`(len, n, i)`: one contiguous
    /// block per owner, sizes differing by at most one.
    #[default]
    Even,
    /// Part `i` is `i * size .. (i + 1) * size`, cut at `len`: fixed-size
    /// chunks, one per task (or lane); owners past the end get empty parts.
    Chunks(usize),
    /// Part `i` is the `i`-th range, as the coordinator listed them. The
    /// ranges must be disjoint; each must lie in the array when claimed.
    Ranges(Vec<Range<usize>>),
}

impl Split {
    /// Part `part` of `parts` in an array of `len` elements; `ranges_end`
    /// is [`Split::ranges_end`], kept so a claim need not walk the list.
    fn part(
        &self,
        len: usize,
        part: usize,
        parts: usize,
        ranges_end: usize,
    ) -> Result<Range<usize>, String> {
        match self {
            Split::Even => Ok(partition::even(len, parts, part)),
            Split::Chunks(size) => {
                let start = part.saturating_mul(*size).min(len);
                Ok(start..start.saturating_add(*size).min(len))
            }
            Split::Ranges(ranges) => {
                // Messages about the list as a whole, not the asking part:
                // the same whichever lane asks first.
                if ranges.len() < parts {
                    return Err(format!(
                        "the split lists {} range(s) for the region's {parts} owners",
                        ranges.len()
                    ));
                }
                // Only when the cached end says one does: which range it is.
                if ranges_end > len
                    && let Some((i, r)) = ranges.iter().enumerate().find(|(_, r)| r.end > len)
                {
                    return Err(format!(
                        "listed range {i}, {r:?}, ends past the array's {len} element(s)"
                    ));
                }
                Ok(ranges[part].clone())
            }
        }
    }

    /// The largest end of a listed range (0 for the other splits).
    fn ranges_end(&self) -> usize {
        match self {
            Split::Ranges(ranges) => ranges.iter().map(|r| r.end).max().unwrap_or(0),
            Split::Even | Split::Chunks(_) => 0,
        }
    }

    /// Whether the split can be used: chunks are not empty and listed
    /// ranges are disjoint.
    fn check(&self) -> Result<(), String> {
        match self {
            Split::Even => Ok(()),
            Split::Chunks(0) => Err("chunks of 0 elements".to_owned()),
            Split::Chunks(_) => Ok(()),
            Split::Ranges(ranges) => {
                if let Some(bad) = ranges.iter().find(|r| r.start > r.end) {
                    return Err(format!("range {bad:?} ends before it starts"));
                }
                let mut sorted: Vec<&Range<usize>> =
                    ranges.iter().filter(|r| !r.is_empty()).collect();
                sorted.sort_by_key(|r| r.start);
                match sorted.windows(2).find(|w| w[0].end > w[1].start) {
                    Some(w) => Err(format!("ranges {:?} and {:?} overlap", w[0], w[1])),
                    None => Ok(()),
                }
            }
        }
    }
}

/// Region ids, unique in the process and increasing: a region takes the
/// next one when it starts. They are only compared, so they never reach a
/// launch's output.
static NEXT_REGION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A new region's id.
pub(crate) fn next_region() -> u64 {
    NEXT_REGION.fetch_add(1, SeqCst)
}

#[cfg(not(loom))]
thread_local! {
    /// The region and the raw lane this thread runs (region 0: none). On
    /// wasm32 every lane of the one launch shares the thread; the lane is
    /// set again whenever one resumes from a barrier, where the runtime
    /// switches lanes.
    static CURRENT: Cell<(u64, usize)> = const { Cell::new((0, 0)) };
}

#[cfg(loom)]
thread_local! {
    static CURRENT: Cell<(u64, usize)> = Cell::new((0, 0));
}

/// While it lives, this thread runs raw lane `lane` of region `region`.
pub(crate) struct InRegion {
    previous: (u64, usize),
}

impl InRegion {
    /// Marks this thread as running `lane` of `region` until the guard
    /// drops.
    pub(crate) fn enter(region: u64, lane: usize) -> Self {
        Self {
            previous: CURRENT.with(|current| current.replace((region, lane))),
        }
    }

    /// Marks this thread as running `lane` of `region` again: after a
    /// barrier, where the wasm32 guest may have run other lanes.
    pub(crate) fn resume(region: u64, lane: usize) {
        CURRENT.with(|current| current.set((region, lane)));
    }
}

impl Drop for InRegion {
    fn drop(&mut self) {
        CURRENT.with(|current| current.set(self.previous));
    }
}

/// What a [`Lane`] or [`Task`] may claim, as the SDK made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PartKey {
    /// The region it was made for; 0 for a value built by hand.
    region: u64,
    /// The raw lane that holds it.
    lane: usize,
    /// Its part and the region's number of parts; `None` for a lane of a
    /// task region, whose parts belong to the tasks.
    part: Option<(usize, usize)>,
}

impl PartKey {
    /// Part `part` of `parts`, held by raw lane `lane` in region `region`.
    pub(crate) fn new(region: u64, lane: usize, part: Option<(usize, usize)>) -> Self {
        Self { region, lane, part }
    }

    /// A key that claims nothing: a `Lane` or `Task` built by hand.
    pub(crate) fn detached() -> Self {
        Self {
            region: 0,
            lane: 0,
            part: None,
        }
    }
}

mod sealed {
    pub trait Sealed {}
}

/// Who asks for a [`Partitioned`] array: a data lane's [`Lane`], a task's
/// [`Task`], or the coordinator (`&CoordinatorCtx`, between regions).
/// Sealed: only the SDK hands these out.
pub trait Owner: sealed::Sealed {
    #[doc(hidden)]
    fn key(&self) -> Asker;
}

/// What an [`Owner`] is, for the checks. Not part of the API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Asker {
    /// A lane (or task) inside a region.
    Lane(OpaqueKey),
    /// The coordinator, between regions.
    Coordinator,
}

/// A lane's key, opaque outside the SDK.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct OpaqueKey(PartKey);

impl sealed::Sealed for Lane {}
impl Owner for Lane {
    fn key(&self) -> Asker {
        Asker::Lane(OpaqueKey(self.key))
    }
}

impl sealed::Sealed for Task {}
impl Owner for Task {
    fn key(&self) -> Asker {
        Asker::Lane(OpaqueKey(self.key))
    }
}

impl<S, W> sealed::Sealed for &CoordinatorCtx<S, W> {}
impl<S, W> Owner for &CoordinatorCtx<S, W> {
    fn key(&self) -> Asker {
        Asker::Coordinator
    }
}

impl<S, W> sealed::Sealed for &mut CoordinatorCtx<S, W> {}
impl<S, W> Owner for &mut CoordinatorCtx<S, W> {
    fn key(&self) -> Asker {
        Asker::Coordinator
    }
}

/// Words of the per-lane "holds its part now" bit set.
const HELD_WORDS: usize = MAX_LANES.div_ceil(64);

/// The live borrows of an array, in one word: the parts count of the
/// writers' split (bits 0..32), writers (32..48) and readers (48..64).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Borrows {
    parts: u64,
    writers: u64,
    readers: u64,
}

impl Borrows {
    const WRITER: u64 = 1 << 32;
    const READER: u64 = 1 << 48;
    const MAX: u64 = 0xffff;

    fn unpack(word: u64) -> Self {
        Self {
            parts: word & 0xffff_ffff,
            writers: (word >> 32) & Self::MAX,
            readers: word >> 48,
        }
    }

    fn pack(self) -> u64 {
        self.parts | self.writers << 32 | self.readers << 48
    }
}

/// The stamp word of an array: the last region that used it (bits 2..)
/// and whether that region read it whole (bit 0) and wrote parts (bit 1).
struct Stamp;

impl Stamp {
    const READ: u64 = 1;
    const WRITE: u64 = 2;
    const REGION_SHIFT: u32 = 2;
}

/// Arrays in the shared value that lanes write part by part: rayon's
/// `par_chunks_mut`, OpenMP's `for` over an array, without atomics as
/// storage and without `unsafe` in the tasklet.
///
/// A [`Partitioned<T>`] field of the shared value holds a `Vec<T>` and a
/// [`Split`]: the rule that cuts `0..len` into parts. Inside a region each
/// part has one owner, known to the SDK: data lane `i` in a
/// [`parallel_for_workers`](super::CoordinatorCtx::parallel_for_workers)
/// region, task `t` in a
/// [`parallel_for_tasks`](super::CoordinatorCtx::parallel_for_tasks) one.
/// The owner gets its part with [`Partitioned::part_mut`]; any lane may
/// instead read the whole array with [`Partitioned::read`]. Between regions
/// the coordinator owns the whole array through
/// [`shared_mut`](super::CoordinatorCtx::shared_mut).
///
/// # The rules, and why they make the bytes the same everywhere
///
/// In one region an array is **either** read whole **or** written by parts,
/// never both: what a lane reads was written before the region began, so it
/// cannot depend on which lane ran first, on the host mock's threads or in
/// the runtime's lane order. The parts of one region are disjoint, so no two
/// lanes ever write the same element. A part is reached only through the
/// [`Lane`] or [`Task`] the SDK hands the lane for this region; neither can
/// be built by hand (`Lane::new` makes one that claims nothing), and one
/// passed to another lane is refused there, so a lane cannot ask for
/// another lane's part.
///
/// What the compiler cannot see is checked when it happens, with the same
/// outcome on both targets: a read and a write of one array in one region,
/// holding one's part twice at once, a split without a part for the owner,
/// or a `Lane` kept from an earlier region or passed on by another lane all
/// end the launch with
/// [`TaskletError::PartitionMisuse`]. Memory safety does not rest on these
/// region checks: every borrow is counted while it lives (readers, writers
/// and the shape of the writers' split), so even a `Lane` smuggled across
/// regions cannot make two borrows overlap.
///
/// ```
/// use grafos::cpu::{CpuBuilder, CoordinatorCtx, Partitioned};
///
/// #[derive(Default)]
/// struct Shared {
///     squares: Partitioned<u64>,
/// }
///
/// let lease = CpuBuilder::new().cores(4).acquire().unwrap();
/// let result = lease.cpu().shared_memory_tasklet::<Shared, ()>()
///     .workers(4)
///     .launch(|coord: &mut CoordinatorCtx<Shared, ()>| {
///         *coord.shared_mut().squares.as_mut_vec() = vec![0; 10];
///         // Each of the 3 data lanes writes its even block of the 10 values.
///         coord.parallel_for_workers(|w| {
///             let mut part = w.shared().squares.part_mut(w.lane())?;
///             for (i, v) in part.range().zip(part.iter_mut()) {
///                 *v = (i * i) as u64;
///             }
///             Ok::<(), grafos::cpu::TaskletError>(())
///         })?;
///         let squares = coord.shared_mut().squares.as_mut_slice();
///         let bytes: Vec<u8> = squares.iter().flat_map(|v| v.to_le_bytes()).collect();
///         coord.set_output(&bytes);
///         Ok(())
///     })
///     .unwrap();
/// assert_eq!(result.output()[9 * 8], 81);
/// ```
///
/// # Between regions
///
/// The coordinator fills, resizes and reads the array through
/// [`as_mut_vec`](Self::as_mut_vec) and [`as_mut_slice`](Self::as_mut_slice)
/// (on `coord.shared_mut()`) or [`read`](Self::read)`(&*coord)`.
pub struct Partitioned<T> {
    /// The elements, owned as a `Box<[T]>` (`Box::leak`). Lanes reach them
    /// through this pointer, never through a reference to the whole.
    data: UnsafeCell<NonNull<[T]>>,
    split: Split,
    /// `split.ranges_end()`, computed when the split is set.
    ranges_end: usize,
    /// The live borrows ([`Borrows`]): what keeps them from overlapping.
    borrows: AtomicU64,
    /// Bit `lane` is set while lane `lane` holds its part.
    held: [AtomicU64; HELD_WORDS],
    /// The last region that used the array and how ([`Stamp`]): what
    /// catches a read and a write of one region that do not overlap in time.
    stamp: AtomicU64,
    _owns: PhantomData<T>,
}

// SAFETY: the array owns its `T`s.
unsafe impl<T: Send> Send for Partitioned<T> {}
// SAFETY: through `&Partitioned` lanes get `&mut` to disjoint parts on their
// own threads (`T: Send`) or `&[T]` to the whole (`T: Sync`), never both at
// once: `borrows` counts both.
unsafe impl<T: Send + Sync> Sync for Partitioned<T> {}

impl<T> Default for Partitioned<T> {
    fn default() -> Self {
        Self::from_vec(Vec::new())
    }
}

impl<T> From<Vec<T>> for Partitioned<T> {
    fn from(values: Vec<T>) -> Self {
        Self::from_vec(values)
    }
}

impl<T> Partitioned<T> {
    /// An array of `values`, split [`Split::Even`].
    pub fn from_vec(values: Vec<T>) -> Self {
        let data = NonNull::from(Box::leak(values.into_boxed_slice()));
        Self {
            data: UnsafeCell::new(data),
            split: Split::Even,
            ranges_end: 0,
            borrows: AtomicU64::new(0),
            held: std::array::from_fn(|_| AtomicU64::new(0)),
            stamp: AtomicU64::new(0),
            _owns: PhantomData,
        }
    }

    /// This array with `split` as its rule.
    ///
    /// # Errors
    ///
    /// [`TaskletError::PartitionMisuse`] if `split` has chunks of 0
    /// elements or overlapping ranges.
    pub fn with_split(mut self, split: Split) -> Result<Self, TaskletError> {
        self.set_split(split)?;
        Ok(self)
    }

    /// Replaces the rule that cuts the array into parts (coordinator,
    /// between regions).
    ///
    /// # Errors
    ///
    /// [`TaskletError::PartitionMisuse`] if `split` has chunks of 0
    /// elements or overlapping ranges; the old split stays.
    pub fn set_split(&mut self, split: Split) -> Result<(), TaskletError> {
        split.check().map_err(|problem| misuse(0, problem))?;
        self.ranges_end = split.ranges_end();
        self.split = split;
        Ok(())
    }

    /// The rule that cuts the array into parts.
    pub fn split(&self) -> &Split {
        &self.split
    }

    /// Elements in the array.
    pub fn len(&self) -> usize {
        self.ptr().len()
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn ptr(&self) -> NonNull<[T]> {
        // SAFETY: the pointer itself changes only through `&mut self`.
        unsafe { *self.data.get() }
    }

    /// The whole array, mutably: the coordinator's, between regions.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: `&mut self` excludes every other borrow; the pointer is
        // the live `Box<[T]>` this array owns.
        unsafe { self.data.get_mut().as_mut() }
    }

    /// The array as a `Vec`, to fill or resize: the coordinator's, between
    /// regions. The guard puts it back when dropped; the split stays.
    pub fn as_mut_vec(&mut self) -> VecGuard<'_, T> {
        let values = self.replace(Vec::new());
        VecGuard {
            array: self,
            values,
        }
    }

    /// Puts `values` in the array and returns the elements it held.
    fn replace(&mut self, values: Vec<T>) -> Vec<T> {
        let new = NonNull::from(Box::leak(values.into_boxed_slice()));
        let old = std::mem::replace(self.data.get_mut(), new);
        // SAFETY: every pointer the array holds came from `Box::leak` of a
        // `Box<[T]>`; `old` is no longer held, so it is taken back once.
        unsafe { Box::from_raw(old.as_ptr()) }.into_vec()
    }

    /// The elements, as a `Vec`.
    pub fn into_vec(mut self) -> Vec<T> {
        self.replace(Vec::new())
    }

    /// The whole array, read-only, until the returned [`PartRef`] drops.
    ///
    /// A lane may read an array in a region in which no part of it is
    /// written; the coordinator (`read(&*coord)`) may between regions.
    ///
    /// # Errors
    ///
    /// [`TaskletError::PartitionMisuse`] if a part of this array is written
    /// in the same region, or `by` is a `Lane` or `Task` built by hand or
    /// kept from an earlier region.
    ///
    /// **Portable.**
    pub fn read(&self, by: impl Owner) -> Result<PartRef<'_, T>, TaskletError> {
        let lane = match by.key() {
            Asker::Lane(OpaqueKey(key)) => {
                self.enter_region(&key)?;
                self.stamp(&key, Stamp::READ)?;
                key.lane
            }
            Asker::Coordinator => 0,
        };
        self.borrow(lane, |b| {
            if b.writers > 0 {
                return Err(READ_AND_WRITE.to_owned());
            }
            if b.readers == Borrows::MAX {
                return Err("too many reads of this array held at once".to_owned());
            }
            Ok(Borrows {
                readers: b.readers + 1,
                ..b
            })
        })?;
        Ok(PartRef {
            // SAFETY: `borrows` counts this reader, so no part is written
            // until the `PartRef` drops; the pointer is the live `Box<[T]>`.
            slice: unsafe { self.ptr().as_ref() },
            borrows: &self.borrows,
        })
    }

    /// The part of the array that `owner` (this lane, or this task) writes
    /// in this region, until the returned [`PartMut`] drops.
    ///
    /// Parts of one region are disjoint, cut by the array's [`Split`] for
    /// the region's owners: data lanes in `parallel_for_workers`, tasks in
    /// `parallel_for_tasks`. A part may be taken again after its `PartMut`
    /// drops.
    ///
    /// # Errors
    ///
    /// [`TaskletError::PartitionMisuse`] if the array is read whole in the
    /// same region, the lane holds its part already, the split has no part
    /// for `owner`, `owner` is a lane of a task region (claim with the
    /// [`Task`]), or `owner` was built by hand or kept from an earlier
    /// region.
    ///
    /// **Portable.**
    pub fn part_mut<O: Owner>(&self, owner: O) -> Result<PartMut<'_, T>, TaskletError> {
        let key = match owner.key() {
            Asker::Lane(OpaqueKey(key)) => key,
            Asker::Coordinator => {
                return Err(misuse(
                    0,
                    "the coordinator owns the whole array between regions: use \
                     `coord.shared_mut()` and `as_mut_slice()`",
                ));
            }
        };
        self.enter_region(&key)?;
        let Some((part, parts)) = key.part else {
            return Err(misuse(
                key.lane,
                "in a `parallel_for_tasks` region the parts belong to the tasks: claim with the \
                 `Task`, not the `Lane`",
            ));
        };
        let range = self
            .split
            .part(self.len(), part, parts, self.ranges_end)
            .map_err(|problem| misuse(key.lane, problem))?;
        self.stamp(&key, Stamp::WRITE)?;
        let shape = u64::try_from(parts)
            .ok()
            .filter(|&p| p <= 0xffff_ffff)
            .ok_or_else(|| misuse(key.lane, "more than 2^32 parts"))?;
        self.borrow(key.lane, |b| {
            if b.readers > 0 {
                return Err(READ_AND_WRITE.to_owned());
            }
            if b.writers > 0 && b.parts != shape {
                return Err(format!(
                    "parts of {shape} and of {} owners are held at once: a `Lane` or `Task` \
                     kept from an earlier region",
                    b.parts
                ));
            }
            Ok(Borrows {
                parts: shape,
                writers: b.writers + 1,
                ..b
            })
        })?;
        // Parts of one shape map to lanes one to one (part `i` of a worker
        // region is lane `i + 1`'s; task `t` runs on lane `t % lanes + 1`),
        // so one bit per lane stands for one bit per part.
        let (word, bit) = (key.lane / 64, 1u64 << (key.lane % 64));
        let held = &self.held[word];
        if held.fetch_or(bit, SeqCst) & bit != 0 {
            self.borrows.fetch_sub(Borrows::WRITER, SeqCst);
            return Err(misuse(
                key.lane,
                "the lane holds its part of this array already: use the `PartMut` it has",
            ));
        }
        // SAFETY: `range` lies in the live `Box<[T]>` (`Split::part` checks
        // listed ranges, and computes the others in bounds). While the
        // `PartMut` lives, `borrows` counts it: no reader exists, and every
        // other writer cuts the same split into the same number of parts,
        // so its part is another one (disjoint: `Split::check`) or this one,
        // which this lane's `held` bit excludes.
        let slice = unsafe {
            let start = self.ptr().cast::<T>().as_ptr().add(range.start);
            std::slice::from_raw_parts_mut(start, range.len())
        };
        Ok(PartMut {
            slice,
            range,
            borrows: &self.borrows,
            held,
            bit,
        })
    }

    /// Refuses keys built by hand, and keys of another region or another
    /// lane than the ones this thread runs.
    fn enter_region(&self, key: &PartKey) -> Result<(), TaskletError> {
        if key.region == 0 {
            return Err(misuse(
                key.lane,
                "this `Lane` or `Task` was built by hand; only the one a region hands its lane \
                 can claim a part",
            ));
        }
        let (region, lane) = CURRENT.with(Cell::get);
        if region != key.region {
            return Err(misuse(
                key.lane,
                "this `Lane` or `Task` was kept from an earlier region (or another launch); use \
                 the one this region hands the lane",
            ));
        }
        if lane != key.lane {
            return Err(misuse(
                lane,
                "this `Lane` or `Task` belongs to another lane, which passed it on; a lane \
                 claims with its own",
            ));
        }
        Ok(())
    }

    /// Records that `key`'s region uses the array as `how`; refuses a read
    /// of a region that writes it, or the reverse. One read-modify-write of
    /// one word: of a read and a write of one region, the later sees the
    /// earlier, whatever the timing.
    fn stamp(&self, key: &PartKey, how: u64) -> Result<(), TaskletError> {
        let previous = self
            .stamp
            .fetch_update(SeqCst, SeqCst, |word| {
                let ours = word >> Stamp::REGION_SHIFT == key.region;
                Some(if ours {
                    word | how
                } else {
                    key.region << Stamp::REGION_SHIFT | how
                })
            })
            .unwrap_or_else(|word| word);
        let uses = if previous >> Stamp::REGION_SHIFT == key.region {
            previous | how
        } else {
            how
        };
        if uses & Stamp::READ != 0 && uses & Stamp::WRITE != 0 {
            return Err(misuse(key.lane, READ_AND_WRITE));
        }
        Ok(())
    }

    /// Adds a borrow as `next` computes it from the current ones.
    fn borrow(
        &self,
        lane: usize,
        next: impl Fn(Borrows) -> Result<Borrows, String>,
    ) -> Result<(), TaskletError> {
        self.borrows
            .fetch_update(SeqCst, SeqCst, |word| {
                next(Borrows::unpack(word)).ok().map(Borrows::pack)
            })
            .map(drop)
            .map_err(|word| {
                let problem = next(Borrows::unpack(word)).err().unwrap_or_default();
                misuse(lane, problem)
            })
    }
}

const READ_AND_WRITE: &str = "one region both reads this array whole and writes a part of it; \
    what the reading lanes see would depend on lane order. Read it in one region and write it \
    in another (keep two arrays and swap them between regions)";

fn misuse(lane: usize, message: impl Into<String>) -> TaskletError {
    TaskletError::PartitionMisuse {
        lane,
        message: message.into(),
    }
}

impl<T> Drop for Partitioned<T> {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `Box::leak` and is freed once.
        drop(unsafe { Box::from_raw(self.data.get_mut().as_ptr()) });
    }
}

impl<T> fmt::Debug for Partitioned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The elements may be written by lanes right now: not shown.
        f.debug_struct("Partitioned")
            .field("len", &self.len())
            .field("split", &self.split)
            .finish_non_exhaustive()
    }
}

/// Two [`Partitioned`] arrays that take turns: each region reads the
/// current one whole and writes its parts of the next, and the coordinator
/// [`flip`](Self::flip)s them between regions. The ping-pong buffers of a
/// stencil, a game of life or an n-body step, as one field of the shared
/// value.
///
/// ```
/// use grafos::cpu::{CoordinatorCtx, CpuBuilder, DoubleBuffer, TaskletError};
///
/// let lease = CpuBuilder::new().cores(3).acquire().unwrap();
/// let result = lease.cpu().shared_memory_tasklet::<DoubleBuffer<u32>, ()>()
///     .workers(3)
///     .launch(|coord: &mut CoordinatorCtx<DoubleBuffer<u32>, ()>| {
///         *coord.shared_mut() = DoubleBuffer::new(vec![1, 2, 3, 4]);
///         for _ in 0..3 {
///             // Every value becomes the sum of itself and its left neighbour.
///             coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
///                 let (now, mut next) = w.shared().step(w.lane())?;
///                 for (i, v) in next.range().zip(next.iter_mut()) {
///                     *v = now[i] + if i > 0 { now[i - 1] } else { 0 };
///                 }
///                 Ok(())
///             })?;
///             coord.shared_mut().flip();
///         }
///         let bytes: Vec<u8> = coord.shared_mut().current_mut().iter().map(|&v| v as u8).collect();
///         coord.set_output(&bytes);
///         Ok(())
///     })
///     .unwrap();
/// assert_eq!(result.output(), &[1, 5, 12, 20]);
/// ```
#[derive(Debug, Default)]
pub struct DoubleBuffer<T> {
    buffers: [Partitioned<T>; 2],
    current: usize,
}

impl<T: Clone> DoubleBuffer<T> {
    /// Two buffers that both start as `values` (so elements no part writes,
    /// a stencil's fixed boundary, keep their values in both).
    pub fn new(values: Vec<T>) -> Self {
        Self {
            buffers: [Partitioned::from(values.clone()), Partitioned::from(values)],
            current: 0,
        }
    }
}

impl<T> DoubleBuffer<T> {
    /// The current array: what this region reads.
    pub fn current(&self) -> &Partitioned<T> {
        &self.buffers[self.current]
    }

    /// The next array: what this region writes, part by part.
    pub fn next(&self) -> &Partitioned<T> {
        &self.buffers[1 - self.current]
    }

    /// The current array read whole, and `owner`'s part of the next one:
    /// one step of the region.
    ///
    /// # Errors
    ///
    /// As [`Partitioned::read`] and [`Partitioned::part_mut`].
    ///
    /// **Portable.**
    #[allow(clippy::type_complexity)]
    pub fn step<O: Owner + Copy>(
        &self,
        owner: O,
    ) -> Result<(PartRef<'_, T>, PartMut<'_, T>), TaskletError> {
        Ok((self.current().read(owner)?, self.next().part_mut(owner)?))
    }

    /// Makes the next array the current one (coordinator, between regions).
    pub fn flip(&mut self) {
        self.current = 1 - self.current;
    }

    /// The current array, mutably (coordinator, between regions).
    pub fn current_mut(&mut self) -> &mut [T] {
        self.buffers[self.current].as_mut_slice()
    }

    /// Both arrays, current first, mutably (coordinator, between regions).
    pub fn both_mut(&mut self) -> [&mut Partitioned<T>; 2] {
        let [a, b] = &mut self.buffers;
        if self.current == 0 { [a, b] } else { [b, a] }
    }

    /// Sets the split of both arrays.
    ///
    /// # Errors
    ///
    /// As [`Partitioned::set_split`]; neither array changes then.
    pub fn set_split(&mut self, split: Split) -> Result<(), TaskletError> {
        // The same check for both: if the first takes it, so does the second.
        self.buffers[0].set_split(split.clone())?;
        self.buffers[1].set_split(split)
    }
}

/// The `Vec` of a [`Partitioned`] array, lent to the coordinator by
/// [`Partitioned::as_mut_vec`]; put back when dropped.
#[derive(Debug)]
pub struct VecGuard<'a, T> {
    array: &'a mut Partitioned<T>,
    values: Vec<T>,
}

impl<T> Deref for VecGuard<'_, T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.values
    }
}

impl<T> DerefMut for VecGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.values
    }
}

impl<T> Drop for VecGuard<'_, T> {
    fn drop(&mut self) {
        let values = std::mem::take(&mut self.values);
        self.array.replace(values);
    }
}

/// The whole of a [`Partitioned`] array, read-only (through `Deref`), from
/// [`Partitioned::read`].
pub struct PartRef<'a, T> {
    slice: &'a [T],
    borrows: &'a AtomicU64,
}

impl<T> Deref for PartRef<'_, T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.slice
    }
}

impl<T> Drop for PartRef<'_, T> {
    fn drop(&mut self) {
        self.borrows.fetch_sub(Borrows::READER, SeqCst);
    }
}

impl<T: fmt::Debug> fmt::Debug for PartRef<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.slice).finish()
    }
}

/// One owner's part of a [`Partitioned`] array: `&mut [T]` (through
/// `Deref`), and where it lies in the array.
pub struct PartMut<'a, T> {
    slice: &'a mut [T],
    range: Range<usize>,
    borrows: &'a AtomicU64,
    held: &'a AtomicU64,
    bit: u64,
}

impl<T> PartMut<'_, T> {
    /// Where the part lies in the whole array.
    pub fn range(&self) -> Range<usize> {
        self.range.clone()
    }
}

impl<T> Deref for PartMut<'_, T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.slice
    }
}

impl<T> DerefMut for PartMut<'_, T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.slice
    }
}

impl<T> Drop for PartMut<'_, T> {
    fn drop(&mut self) {
        self.held.fetch_and(!self.bit, SeqCst);
        self.borrows.fetch_sub(Borrows::WRITER, SeqCst);
    }
}

impl<T: fmt::Debug> fmt::Debug for PartMut<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartMut")
            .field("range", &self.range)
            .field("values", &self.slice)
            .finish()
    }
}

#[cfg(test)]
// One-range splits are what these tests mean, not a range to collect.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::cpu::{CpuBuilder, SharedTaskletResult};

    #[derive(Default)]
    struct Two {
        a: Partitioned<u32>,
        b: Partitioned<u32>,
    }

    type Coord = CoordinatorCtx<Two, ()>;

    fn launch(
        workers: usize,
        f: impl FnOnce(&mut Coord) -> Result<(), TaskletError>,
    ) -> Result<SharedTaskletResult, TaskletError> {
        let lease = CpuBuilder::new().cores(workers).acquire()?;
        lease
            .cpu()
            .shared_memory_tasklet::<Two, ()>()
            .workers(workers)
            .launch(f)
    }

    fn misuse_message(result: Result<SharedTaskletResult, TaskletError>) -> String {
        match result {
            Err(TaskletError::PartitionMisuse { message, .. }) => message,
            other => panic!("expected PartitionMisuse, got {other:?}"),
        }
    }

    fn filled(len: usize) -> impl FnOnce(&mut Coord) {
        move |coord| {
            coord.shared_mut().a.as_mut_vec().extend(0..len as u32);
            coord.shared_mut().b.as_mut_vec().resize(len, 0);
        }
    }

    #[test]
    fn lanes_read_one_array_and_write_parts_of_another() {
        for workers in [2, 3, 5, 9] {
            let result = launch(workers, |coord| {
                filled(100)(coord);
                coord.parallel_for_workers(|w| {
                    let a = w.shared().a.read(w.lane())?;
                    let mut b = w.shared().b.part_mut(w.lane())?;
                    for (i, v) in b.range().zip(b.iter_mut()) {
                        *v = a[99 - i] * 2;
                    }
                    Ok::<_, TaskletError>(())
                })?;
                let b = coord.shared().b.read(&*coord)?;
                assert_eq!(*b, (0..100u32).rev().map(|v| v * 2).collect::<Vec<_>>());
                Ok(())
            });
            result.unwrap();
        }
    }

    #[test]
    fn tasks_write_chunks_and_listed_ranges() {
        let result = launch(4, |coord| {
            filled(10)(coord);
            coord.shared_mut().b.set_split(Split::Chunks(3))?;
            coord.parallel_for_tasks(4, |w, task| {
                w.shared().b.part_mut(task)?.fill(task.index as u32 + 1);
                Ok::<_, TaskletError>(())
            })?;
            assert_eq!(
                coord.shared_mut().b.as_mut_slice(),
                [1, 1, 1, 2, 2, 2, 3, 3, 3, 4]
            );
            let ranges = Split::Ranges(vec![8..10, 0..2, 2..2]);
            coord.shared_mut().b.set_split(ranges)?;
            coord.parallel_for_tasks(3, |w, task| {
                w.shared().b.part_mut(task)?.fill(9 - task.index as u32);
                Ok::<_, TaskletError>(())
            })?;
            assert_eq!(
                coord.shared_mut().b.as_mut_slice(),
                [8, 8, 1, 2, 2, 2, 3, 3, 9, 9]
            );
            Ok(())
        });
        result.unwrap();
    }

    #[test]
    fn more_tasks_than_lanes_run_each_once_in_a_fixed_lane() {
        let seen = Mutex::new(Vec::new());
        launch(3, |coord| {
            coord.parallel_for_tasks(7, |w, task| {
                seen.lock().unwrap().push((task.index, w.lane().index));
            })
        })
        .unwrap();
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        let expected: Vec<_> = (0..7).map(|t| (t, t % 2)).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn zero_tasks_is_an_empty_region() {
        launch(3, |coord| {
            coord.parallel_for_tasks(0, |_, _| -> () { unreachable!() })
        })
        .unwrap();
    }

    #[test]
    fn reading_and_writing_one_array_in_one_region_is_an_error() {
        let message = misuse_message(launch(3, |coord| {
            filled(8)(coord);
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                if w.lane().index == 0 {
                    w.shared().a.read(w.lane())?;
                } else {
                    w.shared().a.part_mut(w.lane())?;
                }
                Ok(())
            })
        }));
        assert!(
            message.contains("both reads this array whole and writes"),
            "{message}"
        );
        // The next region may do either.
        launch(3, |coord| {
            filled(8)(coord);
            coord.parallel_for_workers(|w| w.shared().a.read(w.lane()).map(drop))?;
            coord.parallel_for_workers(|w| w.shared().a.part_mut(w.lane()).map(drop))
        })
        .unwrap();
    }

    #[test]
    fn holding_ones_part_twice_is_an_error_and_taking_it_again_is_not() {
        let message = misuse_message(launch(2, |coord| {
            filled(8)(coord);
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                let first = w.shared().a.part_mut(w.lane())?;
                let second = w.shared().a.part_mut(w.lane())?;
                drop((first, second));
                Ok(())
            })
        }));
        assert!(message.contains("holds its part"), "{message}");
        launch(2, |coord| {
            filled(8)(coord);
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                w.shared().a.part_mut(w.lane())?[0] = 1;
                w.shared().a.part_mut(w.lane())?[0] += 1;
                Ok(())
            })?;
            assert_eq!(coord.shared_mut().a.as_mut_slice()[0], 2);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn a_lane_of_a_task_region_and_a_hand_made_lane_claim_nothing() {
        let message = misuse_message(launch(3, |coord| {
            filled(8)(coord);
            coord.parallel_for_tasks(4, |w, _| w.shared().a.part_mut(w.lane()).map(drop))
        }));
        assert!(message.contains("belong to the tasks"), "{message}");
        let message = misuse_message(launch(3, |coord| {
            filled(8)(coord);
            coord.parallel_for_workers(|w| w.shared().a.part_mut(Lane::new(0, 2)).map(drop))
        }));
        assert!(message.contains("built by hand"), "{message}");
        let message = misuse_message(launch(3, |coord| {
            coord.parallel_for_workers(|w| w.shared().a.read(Task::new(0, 1)).map(drop))
        }));
        assert!(message.contains("built by hand"), "{message}");
    }

    #[test]
    fn a_split_without_the_owners_part_is_an_error() {
        let message = misuse_message(launch(4, |coord| {
            filled(8)(coord);
            coord
                .shared_mut()
                .a
                .set_split(Split::Ranges([0..4].into()))?;
            coord.parallel_for_workers(|w| w.shared().a.part_mut(w.lane()).map(drop))
        }));
        assert!(
            message.contains("lists 1 range(s) for the region's 3 owners"),
            "{message}"
        );
        let message = misuse_message(launch(2, |coord| {
            filled(8)(coord);
            coord
                .shared_mut()
                .a
                .set_split(Split::Ranges([4..9].into()))?;
            coord.parallel_for_workers(|w| w.shared().a.part_mut(w.lane()).map(drop))
        }));
        assert!(
            message.contains("listed range 0, 4..9, ends past the array's 8"),
            "{message}"
        );
    }

    #[test]
    fn bad_splits_are_refused_and_the_old_one_stays() {
        let mut array = Partitioned::from(vec![0u8; 10]);
        for (split, problem) in [
            (Split::Chunks(0), "chunks of 0 elements"),
            (Split::Ranges(vec![0..4, 3..5]), "overlap"),
            (Split::Ranges(vec![5..6, 0..9]), "overlap"),
            (
                Split::Ranges([Range { start: 4, end: 2 }].into()),
                "ends before",
            ),
        ] {
            let message = misuse_message(array.set_split(split).map(|()| unreachable!()));
            assert!(message.contains(problem), "{message}");
        }
        assert_eq!(array.split(), &Split::Even);
        let array = array
            .with_split(Split::Ranges(vec![0..0, 0..2, 2..2, 2..10]))
            .unwrap();
        assert_eq!(array.len(), 10);
    }

    #[test]
    fn a_lane_kept_from_an_earlier_region_claims_nothing() {
        let lease = CpuBuilder::new().cores(3).acquire().unwrap();
        let result = lease
            .cpu()
            .shared_memory_tasklet::<Two, Option<Lane>>()
            .workers(3)
            .launch(|coord| {
                coord.shared_mut().a.as_mut_vec().resize(8, 0);
                coord.shared_mut().b.as_mut_vec().resize(8, 0);
                coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                    drop(w.shared().a.part_mut(w.lane())?);
                    *w.scratch_mut() = Some(w.lane());
                    Ok(())
                })?;
                coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                    drop(w.shared().b.read(w.lane())?);
                    let kept = w.scratch().expect("set in the first region");
                    drop(w.shared().b.part_mut(kept)?);
                    Ok(())
                })
            });
        let message = misuse_message(result);
        assert!(message.contains("kept from an earlier region"), "{message}");
    }

    #[test]
    fn an_array_outside_the_shared_value_follows_the_same_rules() {
        static OUTSIDE: std::sync::LazyLock<Partitioned<u8>> =
            std::sync::LazyLock::new(|| Partitioned::from(vec![0; 4]));
        // Launches in parallel (cargo test's threads) share it: every
        // borrow is counted, so they exclude each other instead of racing,
        // and their interleaved regions fail the region checks.
        let runs: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    launch(3, |coord| {
                        coord.parallel_for_workers(|w| OUTSIDE.part_mut(w.lane()).map(drop))
                    })
                })
            })
            .collect();
        for run in runs {
            match run.join().unwrap() {
                Ok(_) => {}
                Err(TaskletError::PartitionMisuse { message, .. }) => assert!(
                    message.contains("holds its part") || message.contains("earlier region"),
                    "{message}"
                ),
                Err(other) => panic!("{other}"),
            }
        }
    }

    #[test]
    fn readers_and_writers_are_counted_while_they_live() {
        let array = Partitioned::from(vec![1u8, 2, 3]);
        let word = |a: &Partitioned<u8>| Borrows::unpack(a.borrows.load(SeqCst));
        let first = next_region();
        let in_first = InRegion::enter(first, 1);
        let lane = Lane {
            index: 0,
            count: 1,
            key: PartKey::new(first, 1, Some((0, 1))),
        };
        {
            let whole = array.read(lane).unwrap();
            let again = array.read(lane).unwrap();
            assert_eq!(word(&array).readers, 2);
            let message = misuse_message(array.part_mut(lane).map(|_| unreachable!()));
            assert!(message.contains("both reads"), "{message}");
            assert_eq!((&*whole, &*again), (&[1, 2, 3][..], &[1, 2, 3][..]));
        }
        assert_eq!(
            word(&array),
            Borrows {
                parts: 0,
                writers: 0,
                readers: 0
            }
        );
        drop(in_first);
        let region = next_region();
        let _in_region = InRegion::enter(region, 1);
        let lane = Lane {
            key: PartKey::new(region, 1, Some((0, 1))),
            ..lane
        };
        let mut part = array.part_mut(lane).unwrap();
        part[0] = 9;
        assert_eq!(word(&array).writers, 1);
        let other_shape = Task {
            index: 1,
            count: 2,
            key: PartKey::new(region, 1, Some((1, 2))),
        };
        let message = misuse_message(array.part_mut(other_shape).map(|_| unreachable!()));
        assert!(message.contains("parts of 2 and of 1 owners"), "{message}");
        drop(part);
        assert_eq!(word(&array).writers, 0);
        assert_eq!(array.held.iter().map(|h| h.load(SeqCst)).sum::<u64>(), 0);
    }

    #[test]
    fn the_coordinator_reads_but_does_not_claim() {
        let message = misuse_message(launch(2, |coord| {
            filled(4)(coord);
            assert_eq!(*coord.shared().a.read(&*coord)?, [0, 1, 2, 3]);
            coord.shared().a.part_mut(&*coord).map(drop)
        }));
        assert!(
            message.contains("coordinator owns the whole array"),
            "{message}"
        );
    }

    #[test]
    fn a_double_buffer_flips_and_splits_both_arrays() {
        let mut buffer = DoubleBuffer::new(vec![1u8, 2, 3]);
        buffer.both_mut()[1].as_mut_slice()[0] = 9;
        assert_eq!(buffer.next().len(), 3);
        buffer.flip();
        assert_eq!(buffer.current_mut(), [9, 2, 3]);
        let [current, next] = buffer.both_mut();
        assert_eq!((current.as_mut_slice()[0], next.as_mut_slice()[0]), (9, 1));
        buffer.set_split(Split::Chunks(2)).unwrap();
        assert_eq!(buffer.current().split(), &Split::Chunks(2));
        assert_eq!(buffer.next().split(), &Split::Chunks(2));
        let message = misuse_message(buffer.set_split(Split::Chunks(0)).map(|()| unreachable!()));
        assert!(message.contains("chunks of 0"), "{message}");
        assert_eq!(buffer.next().split(), &Split::Chunks(2));
    }

    #[test]
    fn the_vec_comes_back_with_its_split_and_elements_drop_once() {
        use std::rc::Rc;
        let counted = Rc::new(());
        let mut array = Partitioned::from(vec![counted.clone(); 3])
            .with_split(Split::Chunks(2))
            .unwrap();
        array.as_mut_vec().push(counted.clone());
        assert_eq!((array.len(), Rc::strong_count(&counted)), (4, 5));
        assert_eq!(array.split(), &Split::Chunks(2));
        let values = array.into_vec();
        assert_eq!(Rc::strong_count(&counted), 5);
        drop(values);
        assert_eq!(Rc::strong_count(&counted), 1);
        let array = Partitioned::from(vec![counted.clone(); 2]);
        drop(array);
        assert_eq!(Rc::strong_count(&counted), 1);
        assert!(format!("{:?}", Partitioned::<u8>::default()).contains("len: 0"));
    }
}
