//! Collectives of a region's data lanes ([`WorkerCtx::all_reduce`],
//! [`inclusive_scan`](WorkerCtx::inclusive_scan),
//! [`exclusive_scan`](WorkerCtx::exclusive_scan),
//! [`broadcast`](WorkerCtx::broadcast)) and per-lane results for the
//! coordinator ([`CoordinatorCtx::map_workers`]).
//!
//! # How a collective runs
//!
//! No import of the ABI is involved: the coordinator owns two sets of
//! per-lane **slots** for the launch, which every lane of a region reaches.
//! A collective is one barrier round:
//!
//! 1. the lane writes its value, and a tag naming the collective, into its
//!    own slot of set `c % 2`, `c` being how many collectives the lane has
//!    called in the launch;
//! 2. it calls the lane barrier;
//! 3. it reads every lane's tag (all must be its own: otherwise lanes called
//!    different collectives, and the launch fails with a message that says
//!    so), then the values it needs, and combines them **in lane order**.
//!
//! Two sets make one barrier enough: a lane writes set `p` again only at
//! collective `c + 2`, after the barrier of collective `c + 1`, which no lane
//! passes before every lane has arrived at it, that is, has finished reading
//! set `p` for collective `c`. The slots are atomic words, so even lanes that
//! disagree about which collective they are in never race (on the runtime,
//! where lanes take turns on one thread, these are plain loads and stores).
//!
//! # The combination order, and why
//!
//! Every lane combines the values as a left fold in lane order, starting
//! with data lane 0's: `op(op(op(v0, v1), v2), v3)`. Not a tree: the
//! values are all in memory after one barrier round, so a tree would save
//! nothing but `n - 1` calls of `op` (at most 254) per lane and would make
//! the reference harder to state. With a fold, the sequential reference of
//! `all_reduce` is `values.iter().copied().reduce(op)`, whatever the target,
//! the lane order or the timing: a float sum has the same bits on every
//! run and both targets. (It does depend on the lane count, as any parallel
//! decomposition does: each lane's value is already a partial over its
//! block.)
//!
//! # Which values
//!
//! Any [`bytemuck::Pod`] type of at most [`MAX_COLLECTIVE_BYTES`] bytes:
//! integers, floats, arrays of them, `#[repr(C)]` structs deriving `Pod`.
//! A larger type is a compile error at the call. For bigger data, write it
//! to the shared region or the scratch and combine there.

use std::cell::UnsafeCell;
use std::fmt;
use std::mem::size_of;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

use bytemuck::Pod;

use super::{CoordinatorCtx, TaskletError, WorkerCtx};

/// The largest value a collective carries, in bytes. A larger one is a
/// compile error at the call ("a collective carries at most
/// grafos::cpu::MAX_COLLECTIVE_BYTES (128) bytes"), reported when the call
/// is compiled to code (`cargo build`/`cargo test`; `cargo check` does not
/// evaluate it):
///
/// ```compile_fail,E0080
/// fn lane_sums(w: &grafos::cpu::WorkerCtx<(), ()>) -> Result<[u64; 17], grafos::cpu::TaskletError> {
///     w.all_reduce([0u64; 17], |a, _| a) // 136 bytes
/// }
/// # lane_sums as fn(&_) -> _;
/// ```
pub const MAX_COLLECTIVE_BYTES: usize = 128;

const WORDS: usize = MAX_COLLECTIVE_BYTES / 8;

/// A compile-time error, at the collective's call, for a value too large.
const fn assert_fits<T>() {
    assert!(
        size_of::<T>() <= MAX_COLLECTIVE_BYTES,
        "a collective carries at most grafos::cpu::MAX_COLLECTIVE_BYTES (128) bytes: write a \
         larger value to the shared region or the scratch and combine it there"
    );
}

/// One lane's slot: its value and the tag of the collective that wrote it.
/// One cache line per tag and value start, so lanes writing their own
/// slots do not share a line with another lane's tag.
#[repr(align(64))]
struct Slot {
    tag: AtomicU64,
    words: [AtomicU64; WORDS],
}

impl Slot {
    fn new() -> Self {
        Self {
            tag: AtomicU64::new(0),
            words: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// Writes `value`, then `tag`. Word by word, with the value's size a
    /// constant: a `u64` or an `f64` is one load and one store, with no
    /// `memcpy` call (which the runtime's interpreter pays for dearly).
    fn store<T: Pod>(&self, tag: u64, value: &T) {
        let src = std::ptr::from_ref(value).cast::<u8>();
        let size = size_of::<T>();
        for (i, word) in self.words.iter().enumerate().take(size.div_ceil(8)) {
            let n = (size - 8 * i).min(8);
            let mut w = [0u8; 8];
            // SAFETY: bytes `8 * i .. 8 * i + n` of `value` are in bounds,
            // and a `Pod` value has no padding: every byte is initialised.
            unsafe { std::ptr::copy_nonoverlapping(src.add(8 * i), w.as_mut_ptr(), n) };
            word.store(u64::from_ne_bytes(w), Relaxed);
        }
        self.tag.store(tag, Relaxed);
    }

    /// Reads the value a `store::<T>` wrote (or zeroes, or another type's
    /// bytes: any bytes are a valid `Pod`).
    fn load<T: Pod>(&self) -> T {
        let mut value = T::zeroed();
        let dst = std::ptr::from_mut(&mut value).cast::<u8>();
        let size = size_of::<T>();
        for (i, word) in self.words.iter().enumerate().take(size.div_ceil(8)) {
            let n = (size - 8 * i).min(8);
            let w = word.load(Relaxed).to_ne_bytes();
            // SAFETY: bytes `8 * i .. 8 * i + n` of `value` are in bounds;
            // any bytes make a valid `Pod`.
            unsafe { std::ptr::copy_nonoverlapping(w.as_ptr(), dst.add(8 * i), n) };
        }
        value
    }
}

/// The launch's collective slots, owned by the coordinator: two sets of one
/// slot per data lane, and each data lane's count of collectives.
pub(crate) struct Collectives {
    /// Set 0's slots, then set 1's.
    slots: Box<[Slot]>,
    /// Collectives each data lane has called in the launch; a lane touches
    /// only its own.
    counts: Box<[AtomicU32]>,
}

impl Collectives {
    pub(crate) fn new(data_lanes: usize) -> Self {
        Self {
            slots: (0..2 * data_lanes).map(|_| Slot::new()).collect(),
            counts: (0..data_lanes).map(|_| AtomicU32::new(0)).collect(),
        }
    }

    fn lanes(&self) -> usize {
        self.counts.len()
    }

    fn slot(&self, set: usize, lane: usize) -> &Slot {
        &self.slots[set * self.lanes() + lane]
    }
}

impl fmt::Debug for Collectives {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Collectives")
            .field("data_lanes", &self.lanes())
            .finish_non_exhaustive()
    }
}

/// Which collective a slot's value is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    AllReduce = 1,
    InclusiveScan = 2,
    ExclusiveScan = 3,
    Broadcast = 4,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::AllReduce => "all_reduce",
            Kind::InclusiveScan => "inclusive_scan",
            Kind::ExclusiveScan => "exclusive_scan",
            Kind::Broadcast => "broadcast",
        }
    }
}

/// What a slot's tag says: the collective's number in the launch (from 1),
/// its kind, the value's size and, for a broadcast, the source lane.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Tag {
    number: u32,
    kind: u8,
    size: u8,
    root: u16,
}

impl Tag {
    fn encode(self) -> u64 {
        (u64::from(self.number) << 32)
            | (u64::from(self.kind) << 24)
            | (u64::from(self.size) << 16)
            | u64::from(self.root)
    }

    fn decode(tag: u64) -> Self {
        Self {
            number: (tag >> 32) as u32,
            kind: (tag >> 24) as u8,
            size: (tag >> 16) as u8,
            root: tag as u16,
        }
    }

    fn describe(self) -> String {
        let kind = match self.kind {
            1 => Kind::AllReduce,
            2 => Kind::InclusiveScan,
            3 => Kind::ExclusiveScan,
            4 => Kind::Broadcast,
            _ => return "no collective yet".to_owned(),
        };
        let root = match kind {
            Kind::Broadcast => format!(" from data lane {}", self.root),
            _ => String::new(),
        };
        format!(
            "{}{root} of a {}-byte value (its collective #{})",
            kind.name(),
            self.size,
            self.number
        )
    }
}

impl<S, W> WorkerCtx<S, W> {
    /// Writes `value` for collective `kind`, waits for every data lane, and
    /// returns the slots of the round once every lane's tag matches.
    fn exchange<T: Pod>(
        &self,
        kind: Kind,
        root: usize,
        value: T,
    ) -> Result<Round<'_>, TaskletError> {
        const { assert_fits::<T>() };
        let slots = self.collectives();
        let lane = self.data_worker_index();
        let number = slots.counts[lane].load(Relaxed).wrapping_add(1);
        slots.counts[lane].store(number, Relaxed);
        let set = (number % 2) as usize;
        let tag = Tag {
            number,
            kind: kind as u8,
            // At most MAX_COLLECTIVE_BYTES (128): checked at compile time above.
            size: size_of::<T>() as u8,
            root: root as u16,
        };
        slots.slot(set, lane).store(tag.encode(), &value);
        self.barrier()?;
        // Every tag against data lane 0's (this lane's own among them), so
        // that every lane that finds a mismatch reports the same one.
        let first = Tag::decode(slots.slot(set, 0).tag.load(Relaxed));
        for other in 1..slots.lanes() {
            let theirs = Tag::decode(slots.slot(set, other).tag.load(Relaxed));
            if theirs != first {
                return Err(TaskletError::failed(format!(
                    "collective mismatch: at one barrier round data lane 0 was at {}, but data \
                     lane {other} at {}; every data lane of a region must call the same \
                     collectives in the same order, with the same value type (and source lane)",
                    first.describe(),
                    theirs.describe(),
                )));
            }
        }
        Ok(Round { slots, set })
    }

    /// The launch's collective slots.
    fn collectives(&self) -> &Collectives {
        // SAFETY: the coordinator owns the slots for the whole launch and
        // does not touch them while a region runs; lanes reach them only
        // through shared references to atomics.
        unsafe { &*self.collectives }
    }

    /// Every data lane gets the combination of all data lanes' `value`s, in
    /// lane order: `op(op(op(v0, v1), v2), …)`, `vi` being data lane `i`'s
    /// value (see the [module docs](self) for why a fold and not a tree).
    /// The sequential reference is `values.iter().copied().reduce(op)`: the
    /// result has the same bits on every lane, both targets and every run,
    /// floats included, as long as `op` is a function of its arguments.
    ///
    /// One barrier round. Every data lane of the region must call the same
    /// collectives in the same order with the same `T`; a lane that calls
    /// another collective, or a plain `barrier`, where the others call this
    /// one fails the launch with [`TaskletError::Failed`] naming both. Returns
    /// [`TaskletError::Cancelled`] instead of waiting once the launch is
    /// cancelled or has failed, as [`barrier`](Self::barrier) does; propagate
    /// it with `?`.
    ///
    /// `T` is any [`Pod`] value of at most [`MAX_COLLECTIVE_BYTES`] bytes; a
    /// larger one does not compile.
    ///
    /// ```
    /// # let lease = grafos::cpu::CpuBuilder::new().cores(4).acquire().unwrap();
    /// # let result = lease.cpu().shared_memory_tasklet::<(), ()>().workers(4)
    /// #     .launch(|coord| {
    /// let sums = coord.map_workers(|w| {
    ///     let mine = [0.1f64, 0.2, 0.3][w.data_worker_index()];
    ///     Ok(w.all_reduce(mine, |a, b| a + b)?)
    /// })?;
    /// // (0.1 + 0.2) + 0.3, on every lane: not 0.1 + (0.2 + 0.3).
    /// assert_eq!(sums, [(0.1 + 0.2) + 0.3; 3]);
    /// assert_ne!((0.1 + 0.2) + 0.3, 0.1 + (0.2 + 0.3));
    /// #     Ok(())
    /// # }).unwrap();
    /// ```
    ///
    /// **Portable.**
    pub fn all_reduce<T: Pod>(&self, value: T, op: impl Fn(T, T) -> T) -> Result<T, TaskletError> {
        let round = self.exchange(Kind::AllReduce, 0, value)?;
        Ok(round.fold(0..round.lanes(), None, op).unwrap_or(value))
    }

    /// Data lane `i` gets the combination of the values of data lanes
    /// `0..=i`, in lane order: `op(op(v0, v1), …, vi)`. Its sequential
    /// reference is a running left fold; as for
    /// [`all_reduce`](Self::all_reduce), the bits are the same on both
    /// targets and every run. One barrier round; the same rules, errors and
    /// value types as `all_reduce`.
    ///
    /// ```
    /// # let lease = grafos::cpu::CpuBuilder::new().cores(4).acquire().unwrap();
    /// # let result = lease.cpu().shared_memory_tasklet::<(), ()>().workers(4)
    /// #     .launch(|coord| {
    /// let prefixes = coord.map_workers(|w| {
    ///     Ok(w.inclusive_scan(10u32 + w.data_worker_index() as u32, u32::wrapping_add)?)
    /// })?;
    /// assert_eq!(prefixes, [10, 10 + 11, 10 + 11 + 12]);
    /// #     Ok(())
    /// # }).unwrap();
    /// ```
    ///
    /// **Portable.**
    pub fn inclusive_scan<T: Pod>(
        &self,
        value: T,
        op: impl Fn(T, T) -> T,
    ) -> Result<T, TaskletError> {
        let round = self.exchange(Kind::InclusiveScan, 0, value)?;
        let lane = self.data_worker_index();
        Ok(round.fold(0..lane + 1, None, op).unwrap_or(value))
    }

    /// Data lane `i` gets `init` combined with the values of data lanes
    /// `0..i`, in lane order: `op(op(op(init, v0), v1), …, v(i-1))`; data
    /// lane 0 gets `init`. (`init` is an argument because lane 0 needs a
    /// value and no `op` tells which is its identity: `0` for a sum, `1`
    /// for a product, `T::MIN` for a maximum.) The bits are the same on both
    /// targets and every run; one barrier round; the same rules, errors and
    /// value types as [`all_reduce`](Self::all_reduce).
    ///
    /// ```
    /// # let lease = grafos::cpu::CpuBuilder::new().cores(4).acquire().unwrap();
    /// # let result = lease.cpu().shared_memory_tasklet::<(), ()>().workers(4)
    /// #     .launch(|coord| {
    /// // Each lane's offset into a concatenation of blocks of 5, 7 and 9 elements.
    /// let offsets = coord.map_workers(|w| {
    ///     let len = [5u64, 7, 9][w.data_worker_index()];
    ///     Ok(w.exclusive_scan(len, 0, |a, b| a + b)?)
    /// })?;
    /// assert_eq!(offsets, [0, 5, 12]);
    /// #     Ok(())
    /// # }).unwrap();
    /// ```
    ///
    /// **Portable.**
    pub fn exclusive_scan<T: Pod>(
        &self,
        value: T,
        init: T,
        op: impl Fn(T, T) -> T,
    ) -> Result<T, TaskletError> {
        let round = self.exchange(Kind::ExclusiveScan, 0, value)?;
        let lane = self.data_worker_index();
        Ok(round.fold(0..lane, Some(init), op).unwrap_or(init))
    }

    /// Every data lane gets data lane `from_lane`'s `value`; the other
    /// lanes' `value`s are ignored (pass anything, e.g. `T::zeroed()`). Every
    /// lane must name the same `from_lane`, in data lane space
    /// (`0..data_worker_count()`); a lane out of range fails the launch with
    /// [`TaskletError::Failed`] before any lane waits. One barrier round;
    /// the same rules, errors and value types as
    /// [`all_reduce`](Self::all_reduce).
    ///
    /// ```
    /// # let lease = grafos::cpu::CpuBuilder::new().cores(4).acquire().unwrap();
    /// # let result = lease.cpu().shared_memory_tasklet::<(), ()>().workers(4)
    /// #     .launch(|coord| {
    /// let seen = coord.map_workers(|w| {
    ///     let mine = [7u8; 4].map(|b| b + w.data_worker_index() as u8);
    ///     Ok(w.broadcast(2, mine)?)
    /// })?;
    /// assert_eq!(seen, [[9u8; 4]; 3]);
    /// #     Ok(())
    /// # }).unwrap();
    /// ```
    ///
    /// **Portable.**
    pub fn broadcast<T: Pod>(&self, from_lane: usize, value: T) -> Result<T, TaskletError> {
        let lanes = self.data_worker_count();
        if from_lane >= lanes {
            return Err(TaskletError::failed(format!(
                "broadcast from data lane {from_lane}, but the launch has {lanes} data lane(s) \
                 (0..{lanes})"
            )));
        }
        let round = self.exchange(Kind::Broadcast, from_lane, value)?;
        Ok(round.slots.slot(round.set, from_lane).load())
    }
}

/// The slots of one finished exchange.
struct Round<'a> {
    slots: &'a Collectives,
    set: usize,
}

impl Round<'_> {
    fn lanes(&self) -> usize {
        self.slots.lanes()
    }

    /// `init` (if any) and the values of `lanes`, folded left with `op`.
    fn fold<T: Pod>(
        &self,
        lanes: std::ops::Range<usize>,
        init: Option<T>,
        op: impl Fn(T, T) -> T,
    ) -> Option<T> {
        lanes
            .map(|lane| self.slots.slot(self.set, lane).load::<T>())
            .fold(init, |acc, v| Some(acc.map_or(v, |a| op(a, v))))
    }
}

/// One value per data lane, each written only by its lane.
struct LaneValues<T>(Box<[UnsafeCell<Option<T>>]>);

// SAFETY: during a region data lane `i` alone writes cell `i` (the backend
// runs each lane once per region); the coordinator reads them after the
// region, when no lane runs. Values move from the lanes' threads to the
// coordinator's: `T: Send`.
unsafe impl<T: Send> Sync for LaneValues<T> {}

impl<S, W> CoordinatorCtx<S, W> {
    /// Runs `f` once on every data lane, as
    /// [`parallel_for_workers`](Self::parallel_for_workers) does (one
    /// region), and returns the value each lane returned, in lane order:
    /// element `i` is data lane `i`'s. `f` returns `Result<T, TaskletError>`
    /// (`?` works on every SDK error); a `#[worker]` fn that returns a value
    /// (`-> T` or `-> Result<T, E>`) is such an `f`.
    ///
    /// Returns the launch's error if any lane failed, as
    /// `parallel_for_workers` does; then no value is returned.
    ///
    /// ```
    /// # let lease = grafos::cpu::CpuBuilder::new().cores(4).acquire().unwrap();
    /// # let result = lease.cpu().shared_memory_tasklet::<(), ()>().workers(4)
    /// #     .input(&[1, 2, 3, 4, 5, 6, 7])
    /// #     .launch(|coord| {
    /// // Each lane's sum of its block of the input.
    /// let partials = coord.map_workers(|w| {
    ///     Ok(w.input()[w.partition(w.input().len())].iter().map(|&b| u32::from(b)).sum::<u32>())
    /// })?;
    /// assert_eq!(partials, [1 + 2 + 3, 4 + 5, 6 + 7]);
    /// #     Ok(())
    /// # }).unwrap();
    /// ```
    ///
    /// **Portable.**
    pub fn map_workers<T, F>(&mut self, f: F) -> Result<Vec<T>, TaskletError>
    where
        S: Sync,
        W: Send,
        T: Send,
        F: Fn(&mut WorkerCtx<S, W>) -> Result<T, TaskletError> + Sync,
    {
        let values = LaneValues(
            (0..self.data_worker_count())
                .map(|_| UnsafeCell::new(None))
                .collect(),
        );
        let values_ref = &values;
        self.parallel_for_workers(move |w| -> Result<(), TaskletError> {
            let value = f(w)?;
            let cell = &values_ref.0[w.data_worker_index()];
            // SAFETY: this lane's own cell; see `LaneValues`.
            unsafe { *cell.get() = Some(value) };
            Ok(())
        })?;
        values
            .0
            .into_vec()
            .into_iter()
            .enumerate()
            .map(|(lane, cell)| {
                cell.into_inner().ok_or_else(|| TaskletError::Abi {
                    message: format!("data lane {lane} ended its region without a value"),
                })
            })
            .collect()
    }
}

/// What a `#[worker]` fn that returns a `Result` hands to
/// [`CoordinatorCtx::map_workers`]: its value, or its error as the launch's.
/// Used by the code `#[grafos::tasklet]` generates.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "a `#[worker]` fn that returns `{Self}` cannot hand its value to `map_workers`",
    label = "this return type",
    note = "return `Result<T, E>` with `E` convertible into `TaskletError` (`TaskletError` itself, `Cancelled`, `FuelExhausted`), or the value `T` alone"
)]
pub trait WorkerValue {
    /// The value.
    type Value;
    /// The value, or the launch's error.
    fn into_worker_value(self) -> Result<Self::Value, TaskletError>;
}

impl<T, E: Into<TaskletError>> WorkerValue for Result<T, E> {
    type Value = T;
    fn into_worker_value(self) -> Result<T, TaskletError> {
        self.map_err(Into::into)
    }
}
