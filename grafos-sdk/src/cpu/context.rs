//! The coordinator and worker contexts: everything a lane can do, and
//! what they need from a backend for it.
//!
//! Each method's rustdoc starts its last paragraph with its portability tag
//! (**Portable.**, **Behavior diverges across targets.** or
//! **Target-specific.**); `#[grafos::tasklet]` knows the same lists.
//!
//! The contexts reach their backend only through [`CoordinatorBackend`] and
//! [`LaneBackend`], below: the host mock (`host/`, threads) and the guest
//! (`guest/`, the ABI imports) each implement both, so a method one backend
//! lacks, or has with another signature, is a compile error on that
//! backend's target (CI builds both). A new SDK call is a method here and a
//! method of the trait.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

use super::collective::Collectives;
use super::input::LaunchInput;
use super::region::{SharedRegion, WorkerScratch};
use super::{Cancelled, FuelExhausted, TaskletError, partition};
use crate::backend::{CoordinatorHandle, LaneHandle};

/// Lane 0's view of its backend.
pub(crate) trait CoordinatorBackend {
    /// Lanes of the launch, the coordinator's included.
    fn workers(&self) -> usize;
    /// Runs `job` once on every data lane; returns when all have returned.
    fn run_region(&mut self, job: &RegionJob<'_>) -> Result<(), TaskletError>;
    /// The coordinator's barrier: a cancellation point, nothing to wait for.
    fn barrier(&self) -> Result<(), Cancelled>;
    /// One checkpoint's worth of fuel, or the launch's failure.
    fn fuel_checkpoint(&self) -> Result<(), FuelExhausted>;
    /// Fuel left in the launch's pool, in the backend's unit.
    fn fuel_remaining(&self) -> u64;
    /// Whether the launch is cancelled or has failed.
    fn is_cancelled(&self) -> bool;
}

/// A data lane's view of its backend, while its job runs.
pub(crate) trait LaneBackend {
    /// The lane's raw index (1 is data lane 0).
    fn index(&self) -> usize;
    /// Waits for every data lane of the region.
    fn barrier(&self) -> Result<(), Cancelled>;
    /// One checkpoint's worth of fuel, or the launch's failure.
    fn fuel_checkpoint(&self) -> Result<(), FuelExhausted>;
    /// Fuel left in the launch's pool, in the backend's unit.
    fn fuel_remaining(&self) -> u64;
    /// Whether the launch is cancelled or has failed.
    fn is_cancelled(&self) -> bool;
}

/// A data lane's position, in data lane space: `index` in `0..count`.
///
/// `#[worker]` functions may take a `Lane` parameter instead of the context.
///
/// ```
/// use grafos::cpu::Lane;
/// let lane = Lane { index: 1, count: 3 };
/// assert_eq!(lane.partition(10), 4..7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lane {
    /// This data lane's index, `0..count`.
    pub index: usize,
    /// Data lanes in the launch (`workers - 1`).
    pub count: usize,
}

impl Lane {
    /// This lane's block of `0..len`: [`partition::even`]`(len, count, index)`.
    pub fn partition(&self, len: usize) -> Range<usize> {
        partition::even(len, self.count, self.index)
    }
}

/// What a worker body may return: `()` or `Result<(), E>` with `E` convertible
/// into [`TaskletError`]. An `Err` fails the launch with that error.
#[diagnostic::on_unimplemented(
    message = "a worker body must return `()` or `Result<(), E>`, not `{Self}`",
    label = "this worker body returns `{Self}`",
    note = "end the body with a `;`, or return `Ok(())`; to collect a value from every lane, run the body with `coord.map_workers(..)` instead"
)]
pub trait LaneResult {
    /// The lane's outcome.
    fn into_lane_result(self) -> Result<(), TaskletError>;
}

impl LaneResult for () {
    fn into_lane_result(self) -> Result<(), TaskletError> {
        Ok(())
    }
}

impl<E: Into<TaskletError>> LaneResult for Result<(), E> {
    fn into_lane_result(self) -> Result<(), TaskletError> {
        self.map_err(Into::into)
    }
}

/// The body of one region, type-erased for the backend: run on each data
/// lane with that lane's handle.
pub(crate) type RegionJob<'a> = dyn Fn(LaneHandle) -> Result<(), TaskletError> + Sync + 'a;

/// Programmer-facing coordinator context: lane 0 of a launch.
///
/// The coordinator owns the shared region and every lane's scratch between
/// regions, reads the input, runs regions with
/// [`parallel_for_workers`](Self::parallel_for_workers) and sets the output.
pub struct CoordinatorCtx<S, W> {
    shared: SharedRegion<S>,
    /// One per lane, lane 0 (the coordinator's) included.
    scratch: Box<[WorkerScratch<W>]>,
    /// Borrowed for the launch (`input.rs`).
    input: LaunchInput<'static>,
    output: Vec<u8>,
    handle: CoordinatorHandle,
    /// The slots of the data lanes' collectives (`collective.rs`).
    collectives: Collectives,
}

impl<S: Default, W: Default> CoordinatorCtx<S, W> {
    pub(crate) fn new(
        handle: CoordinatorHandle,
        workers: usize,
        shared_bytes: usize,
        scratch_bytes: usize,
        input: LaunchInput<'static>,
    ) -> Result<Self, TaskletError> {
        let shared = SharedRegion::new(shared_bytes)?;
        let scratch = (0..workers)
            .map(|_| WorkerScratch::new(scratch_bytes))
            .collect::<Result<Box<[_]>, _>>()?;
        Ok(Self {
            shared,
            scratch,
            input,
            output: Vec::new(),
            handle,
            collectives: Collectives::new(workers - 1),
        })
    }
}

impl<S, W> CoordinatorCtx<S, W> {
    pub(crate) fn into_output(self) -> Vec<u8> {
        self.output
    }

    /// The shared value.
    ///
    /// **Portable.**
    pub fn shared(&self) -> &S {
        self.shared.get()
    }

    /// The shared value, mutably: no region runs while the coordinator holds it.
    ///
    /// **Portable.**
    pub fn shared_mut(&mut self) -> &mut S {
        self.shared.get_mut()
    }

    /// The whole shared region: the value and the arena after it.
    ///
    /// **Portable.**
    pub fn shared_region(&self) -> &SharedRegion<S> {
        &self.shared
    }

    /// The whole shared region, mutably.
    ///
    /// **Portable.**
    pub fn shared_region_mut(&mut self) -> &mut SharedRegion<S> {
        &mut self.shared
    }

    /// Data worker `i`'s scratch value (`i` in `0..data_worker_count()`).
    ///
    /// # Panics
    ///
    /// If `i >= data_worker_count()`.
    ///
    /// **Portable.**
    pub fn data_scratch(&self, i: usize) -> &W {
        self.data_scratch_region(i).get()
    }

    /// Data worker `i`'s scratch value, mutably.
    ///
    /// # Panics
    ///
    /// If `i >= data_worker_count()`.
    ///
    /// **Portable.**
    pub fn data_scratch_mut(&mut self, i: usize) -> &mut W {
        self.data_scratch_region_mut(i).get_mut()
    }

    /// Data worker `i`'s whole scratch region (value and arena).
    ///
    /// # Panics
    ///
    /// If `i >= data_worker_count()`.
    ///
    /// **Portable.**
    pub fn data_scratch_region(&self, i: usize) -> &WorkerScratch<W> {
        let count = self.data_worker_count();
        assert!(
            i < count,
            "data_scratch({i}): there are {count} data worker(s)"
        );
        &self.scratch[i + 1]
    }

    /// Data worker `i`'s whole scratch region, mutably.
    ///
    /// # Panics
    ///
    /// If `i >= data_worker_count()`.
    ///
    /// **Portable.**
    pub fn data_scratch_region_mut(&mut self, i: usize) -> &mut WorkerScratch<W> {
        let count = self.data_worker_count();
        assert!(
            i < count,
            "data_scratch_mut({i}): there are {count} data worker(s)"
        );
        &mut self.scratch[i + 1]
    }

    /// Data lanes of the launch: `workers - 1`.
    ///
    /// **Portable.**
    pub fn data_worker_count(&self) -> usize {
        self.scratch.len() - 1
    }

    /// The launch input.
    ///
    /// **Portable.**
    pub fn input(&self) -> &[u8] {
        self.input.as_bytes()
    }

    /// Sets the launch output, replacing what an earlier call set.
    ///
    /// **Portable.**
    pub fn set_output(&mut self, bytes: &[u8]) {
        self.output.clear();
        self.output.extend_from_slice(bytes);
    }

    /// Runs `f` once on every data lane and returns when all have returned:
    /// one **region**. `f` may return `()` or `Result<(), E>`.
    ///
    /// Returns the launch's error if any lane failed (panicked, returned an
    /// error, left a barrier unmatched) or the launch was cancelled or ran out
    /// of fuel; propagate it with `?`.
    ///
    /// **Portable.**
    pub fn parallel_for_workers<F, R>(&mut self, f: F) -> Result<(), TaskletError>
    where
        S: Sync,
        W: Send,
        F: Fn(&mut WorkerCtx<S, W>) -> R + Sync,
        R: LaneResult,
    {
        let lanes = LaneMemory {
            shared: &self.shared,
            scratch: self.scratch.as_mut_ptr(),
            lanes: self.scratch.len(),
            input: self.input.as_bytes(),
            collectives: &self.collectives,
        };
        let job = move |handle: LaneHandle| -> Result<(), TaskletError> {
            f(&mut lanes.worker(handle)?).into_lane_result()
        };
        self.handle.run_region(&job)
    }

    /// Spends one unit of fuel (host mock) and is a cancellation point.
    ///
    /// Returns `Err(FuelExhausted)` once the launch grants no more fuel.
    ///
    /// **Portable.**
    pub fn fuel_checkpoint(&self) -> Result<(), FuelExhausted> {
        self.handle.fuel_checkpoint()
    }

    /// Whether the launch has been cancelled or has failed.
    ///
    /// **Portable.**
    pub fn is_cancelled(&self) -> bool {
        self.handle.is_cancelled()
    }

    /// On the host mock, returns at once (no data lane runs outside a
    /// region); on the runtime, a scheduling and cancellation point.
    ///
    /// **Behavior diverges across targets.**
    pub fn barrier(&self) -> Result<(), Cancelled> {
        self.handle.barrier()
    }

    /// Fuel left in the launch's pool: checkpoints on the host mock, wasm
    /// instructions on the runtime.
    ///
    /// **Behavior diverges across targets.**
    pub fn fuel_remaining(&self) -> u64 {
        self.handle.fuel_remaining()
    }

    /// The raw lane index: always 0 for the coordinator.
    ///
    /// **Target-specific.**
    pub fn worker_index(&self) -> usize {
        0
    }

    /// Raw lanes in the launch, the coordinator lane included (`workers`).
    ///
    /// **Target-specific.**
    pub fn worker_count(&self) -> usize {
        self.scratch.len()
    }

    /// Raw lane `i`'s scratch value; lane 0 is the coordinator's own.
    ///
    /// # Panics
    ///
    /// If `i >= worker_count()`.
    ///
    /// **Target-specific.**
    pub fn scratch(&self, i: usize) -> &W {
        let count = self.scratch.len();
        assert!(i < count, "scratch({i}): there are {count} lane(s)");
        self.scratch[i].get()
    }

    /// The OS thread running this lane (host mock only).
    ///
    /// **Target-specific.**
    #[cfg(any(not(target_arch = "wasm32"), doc))]
    #[cfg_attr(docsrs, doc(cfg(not(target_arch = "wasm32"))))]
    pub fn host_thread_id(&self) -> std::thread::ThreadId {
        std::thread::current().id()
    }

    /// Bytes of the guest's linear memory (wasm32 only: on the host, call it
    /// under `#[cfg(target_arch = "wasm32")]`).
    ///
    /// **Target-specific.**
    #[cfg(any(target_arch = "wasm32", doc))]
    #[cfg_attr(docsrs, doc(cfg(target_arch = "wasm32")))]
    pub fn guest_memory_bytes(&self) -> usize {
        #[cfg(target_arch = "wasm32")]
        return core::arch::wasm32::memory_size(0) * 65536;
        #[cfg(not(target_arch = "wasm32"))]
        unreachable!("documentation only: this method exists on wasm32")
    }
}

impl<S, W> fmt::Debug for CoordinatorCtx<S, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoordinatorCtx")
            .field("workers", &self.scratch.len())
            .field("input_len", &self.input.as_bytes().len())
            .field("output_len", &self.output.len())
            .finish_non_exhaustive()
    }
}

/// What a region's lanes reach, captured by the type-erased job.
struct LaneMemory<'a, S, W> {
    shared: &'a SharedRegion<S>,
    scratch: *mut WorkerScratch<W>,
    lanes: usize,
    input: &'a [u8],
    collectives: &'a Collectives,
}

impl<S, W> LaneMemory<'_, S, W> {
    /// The context of the lane `handle` runs.
    fn worker(&self, handle: LaneHandle) -> Result<WorkerCtx<S, W>, TaskletError> {
        let lane = handle.index();
        if lane == 0 || lane >= self.lanes {
            return Err(TaskletError::Abi {
                message: format!("lane {lane} started outside 1..{}", self.lanes),
            });
        }
        Ok(WorkerCtx {
            shared: self.shared,
            // SAFETY: `lane` is in 1..lanes and the backend runs each lane at
            // most once per region, so this lane's slot is reached only here.
            scratch: unsafe { self.scratch.add(lane) },
            input: self.input,
            handle,
            data_lanes: self.lanes - 1,
            collectives: self.collectives,
            _not_send: PhantomData,
        })
    }
}

impl<S, W> Clone for LaneMemory<'_, S, W> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S, W> Copy for LaneMemory<'_, S, W> {}

// SAFETY: lanes share `&SharedRegion<S>` (sound for `S: Sync`) and each
// reaches only its own scratch slot through `scratch`, moving `&mut W` to
// its thread (sound for `W: Send`).
unsafe impl<S: Sync, W: Send> Sync for LaneMemory<'_, S, W> {}

/// Disjoint borrows of everything a data lane reaches, from
/// [`WorkerCtx::parts`].
#[derive(Debug)]
#[non_exhaustive]
pub struct WorkerParts<'a, S, W> {
    /// The shared value.
    pub shared: &'a S,
    /// The whole shared region (value and read-only arena).
    pub shared_region: &'a SharedRegion<S>,
    /// This lane's scratch value.
    pub scratch: &'a mut W,
    /// The launch input.
    pub input: &'a [u8],
    /// This lane's position in data lane space.
    pub lane: Lane,
}

/// Programmer-facing worker context: one data lane inside a region.
pub struct WorkerCtx<S, W> {
    shared: *const SharedRegion<S>,
    scratch: *mut WorkerScratch<W>,
    input: *const [u8],
    handle: LaneHandle,
    data_lanes: usize,
    /// The launch's collective slots (`collective.rs`).
    pub(super) collectives: *const Collectives,
    /// A context belongs to the lane it was made for.
    _not_send: PhantomData<*mut ()>,
}

impl<S, W> WorkerCtx<S, W> {
    fn shared_ref(&self) -> &SharedRegion<S> {
        // SAFETY: the coordinator's region outlives the region run that made
        // this context, and is only read while lanes run.
        unsafe { &*self.shared }
    }

    fn scratch_ref(&self) -> &WorkerScratch<W> {
        // SAFETY: this lane's scratch slot, exclusively ours for the region.
        unsafe { &*self.scratch }
    }

    fn scratch_ref_mut(&mut self) -> &mut WorkerScratch<W> {
        // SAFETY: as above; `&mut self` keeps the borrow unique.
        unsafe { &mut *self.scratch }
    }

    /// The shared value.
    ///
    /// **Portable.**
    pub fn shared(&self) -> &S {
        self.shared_ref().get()
    }

    /// The whole shared region: the value and the (read-only) arena.
    ///
    /// **Portable.**
    pub fn shared_region(&self) -> &SharedRegion<S> {
        self.shared_ref()
    }

    /// This lane's scratch value.
    ///
    /// **Portable.**
    pub fn scratch(&self) -> &W {
        self.scratch_ref().get()
    }

    /// This lane's scratch value, mutably.
    ///
    /// **Portable.**
    pub fn scratch_mut(&mut self) -> &mut W {
        self.scratch_ref_mut().get_mut()
    }

    /// This lane's whole scratch region (value and arena).
    ///
    /// **Portable.**
    pub fn scratch_region(&self) -> &WorkerScratch<W> {
        self.scratch_ref()
    }

    /// This lane's whole scratch region, mutably.
    ///
    /// **Portable.**
    pub fn scratch_region_mut(&mut self) -> &mut WorkerScratch<W> {
        self.scratch_ref_mut()
    }

    /// Everything this lane reaches, borrowed at once: the shared value, its
    /// own scratch mutably, the input and its lane. Lets one function hold
    /// `&Shared`, `&mut Scratch` and `&[u8]` together, which three method
    /// calls on `&mut self` cannot.
    ///
    /// **Portable.**
    pub fn parts(&mut self) -> WorkerParts<'_, S, W> {
        let lane = self.lane();
        // SAFETY: the shared region, this lane's scratch slot and the input
        // are three disjoint allocations; see `shared_ref`, `scratch_ref_mut`
        // and `input` for why each borrow is valid for `&mut self`'s life.
        unsafe {
            WorkerParts {
                shared: (*self.shared).get(),
                shared_region: &*self.shared,
                scratch: (*self.scratch).get_mut(),
                input: &*self.input,
                lane,
            }
        }
    }

    /// This lane's index in data lane space, `0..data_worker_count()`.
    ///
    /// **Portable.**
    pub fn data_worker_index(&self) -> usize {
        self.handle.index() - 1
    }

    /// Data lanes of the launch: `workers - 1`.
    ///
    /// **Portable.**
    pub fn data_worker_count(&self) -> usize {
        self.data_lanes
    }

    /// This lane's position in data lane space.
    ///
    /// **Portable.**
    pub fn lane(&self) -> Lane {
        Lane {
            index: self.data_worker_index(),
            count: self.data_lanes,
        }
    }

    /// This lane's block of `0..len`:
    /// [`partition::even`]`(len, data_worker_count(), data_worker_index())`.
    ///
    /// **Portable.**
    pub fn partition(&self, len: usize) -> Range<usize> {
        self.lane().partition(len)
    }

    /// The launch input.
    ///
    /// **Portable.**
    pub fn input(&self) -> &[u8] {
        // SAFETY: the coordinator's input outlives the region and is not
        // written while lanes run.
        unsafe { &*self.input }
    }

    /// Waits until every data lane of the region has called `barrier` as many
    /// times as this one.
    ///
    /// Returns `Err(Cancelled)` instead of waiting once the launch is
    /// cancelled or has failed (fuel, deadline, another lane's panic or early
    /// return); propagate it with `?`.
    ///
    /// **Portable.**
    pub fn barrier(&self) -> Result<(), Cancelled> {
        self.handle.barrier()
    }

    /// Spends one unit of fuel (host mock) and is a cancellation point.
    ///
    /// Returns `Err(FuelExhausted)` once the launch grants no more fuel.
    ///
    /// **Portable.**
    pub fn fuel_checkpoint(&self) -> Result<(), FuelExhausted> {
        self.handle.fuel_checkpoint()
    }

    /// Whether the launch has been cancelled or has failed.
    ///
    /// **Portable.**
    pub fn is_cancelled(&self) -> bool {
        self.handle.is_cancelled()
    }

    /// Fuel left in the launch's pool: checkpoints on the host mock, wasm
    /// instructions on the runtime.
    ///
    /// **Behavior diverges across targets.**
    pub fn fuel_remaining(&self) -> u64 {
        self.handle.fuel_remaining()
    }

    /// The raw lane index, `1..worker_count()` (lane 0 is the coordinator).
    ///
    /// **Target-specific.**
    pub fn worker_index(&self) -> usize {
        self.handle.index()
    }

    /// Raw lanes in the launch, the coordinator lane included (`workers`).
    ///
    /// **Target-specific.**
    pub fn worker_count(&self) -> usize {
        self.data_lanes + 1
    }

    /// The OS thread running this lane (host mock only).
    ///
    /// **Target-specific.**
    #[cfg(any(not(target_arch = "wasm32"), doc))]
    #[cfg_attr(docsrs, doc(cfg(not(target_arch = "wasm32"))))]
    pub fn host_thread_id(&self) -> std::thread::ThreadId {
        std::thread::current().id()
    }

    /// Bytes of the guest's linear memory (wasm32 only: on the host, call it
    /// under `#[cfg(target_arch = "wasm32")]`).
    ///
    /// **Target-specific.**
    #[cfg(any(target_arch = "wasm32", doc))]
    #[cfg_attr(docsrs, doc(cfg(target_arch = "wasm32")))]
    pub fn guest_memory_bytes(&self) -> usize {
        #[cfg(target_arch = "wasm32")]
        return core::arch::wasm32::memory_size(0) * 65536;
        #[cfg(not(target_arch = "wasm32"))]
        unreachable!("documentation only: this method exists on wasm32")
    }
}

impl<S, W> fmt::Debug for WorkerCtx<S, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerCtx")
            .field("lane", &self.handle.index())
            .field("data_lanes", &self.data_lanes)
            .finish_non_exhaustive()
    }
}
