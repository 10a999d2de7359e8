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
use super::partitioned::{InRegion, PartKey, next_region};
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

/// `Lane` and `Task`: a position `index` in `0..count` and the key to its
/// part of a `Partitioned` array, which neither equality nor `Debug` shows.
macro_rules! position {
    ($(#[$doc:meta])* $name:ident, $what:literal, $count:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub struct $name {
            #[doc = concat!("This ", $what, "'s index, `0..count`.")]
            pub index: usize,
            #[doc = $count]
            pub count: usize,
            pub(crate) key: PartKey,
        }

        impl $name {
            #[doc = concat!(
                "The ", $what, " `index` of `count`, outside any region: for tests of code ",
                "that takes a `", stringify!($name), "`. It cannot claim a part of a ",
                "`Partitioned` array."
            )]
            pub fn new(index: usize, count: usize) -> Self {
                Self {
                    index,
                    count,
                    key: PartKey::detached(),
                }
            }

            #[doc = concat!(
                "This ", $what, "'s block of `0..len`: ",
                "[`partition::even`]`(len, count, index)`."
            )]
            pub fn partition(&self, len: usize) -> Range<usize> {
                partition::even(len, self.count, self.index)
            }
        }

        /// Equal when they name the same position, whichever region made them.
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                (self.index, self.count) == (other.index, other.count)
            }
        }

        impl Eq for $name {}

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                (self.index, self.count).hash(state);
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("index", &self.index)
                    .field("count", &self.count)
                    .finish()
            }
        }
    };
}

position! {
    /// A data lane's position, in data lane space: `index` in `0..count`.
    ///
    /// `#[worker]` functions may take a `Lane` parameter instead of the
    /// context. The `Lane` a region hands its lane is also the key to that
    /// lane's part of a [`Partitioned`](super::Partitioned) array; one built
    /// with [`Lane::new`] (for a unit test of a helper, say) claims nothing.
    ///
    /// ```
    /// use grafos::cpu::Lane;
    /// let lane = Lane::new(1, 3);
    /// assert_eq!(lane.partition(10), 4..7);
    /// ```
    Lane, "data lane", "Data lanes in the launch (`workers - 1`)."
}

position! {
    /// One task of a [`parallel_for_tasks`](CoordinatorCtx::parallel_for_tasks)
    /// region: `index` in `0..count`.
    ///
    /// Like [`Lane`], it is the key to the task's part of a
    /// [`Partitioned`](super::Partitioned) array, and one built with
    /// [`Task::new`] claims nothing.
    ///
    /// ```
    /// use grafos::cpu::Task;
    /// let task = Task::new(2, 4);
    /// assert_eq!(task.partition(10), 6..8);
    /// ```
    Task, "task", "Tasks in the region."
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
        let (lanes, backend) = self.region(None);
        let job = move |handle: LaneHandle| -> Result<(), TaskletError> {
            let _in_region = InRegion::enter(lanes.region, handle.index());
            f(&mut lanes.worker(handle)?).into_lane_result()
        };
        backend.run_region(&job)
    }

    /// Runs `f` once for each of `tasks` tasks, spread over the data lanes,
    /// and returns when all have run: one **region**, for more pieces of
    /// work than lanes (divide and conquer, uneven work).
    ///
    /// Task `t` runs on data lane `t % data_worker_count()`, and each lane
    /// runs its tasks in increasing order: a fixed rule, the same on every
    /// target and every run, like OpenMP's `schedule(static, 1)`. `f` gets
    /// the lane's context and the [`Task`], which is also the key to the
    /// task's part of a [`Partitioned`](super::Partitioned) array. A lane
    /// stops at the first task that fails, or once the launch has failed.
    ///
    /// Lanes run different numbers of tasks, so a `barrier` inside a task
    /// is a `BarrierMismatch` unless every lane calls it equally often;
    /// tasks of one region are meant to be independent.
    ///
    /// ```
    /// use grafos::cpu::{CpuBuilder, CoordinatorCtx, Partitioned, Split, TaskletError};
    ///
    /// #[derive(Default)]
    /// struct Shared {
    ///     rows: Partitioned<u32>,
    /// }
    ///
    /// let lease = CpuBuilder::new().cores(3).acquire().unwrap();
    /// let result = lease.cpu().shared_memory_tasklet::<Shared, ()>()
    ///     .workers(3)
    ///     .launch(|coord: &mut CoordinatorCtx<Shared, ()>| {
    ///         let rows = &mut coord.shared_mut().rows;
    ///         rows.as_mut_vec().resize(7 * 4, 0);
    ///         rows.set_split(Split::Chunks(4))?; // task t writes row t
    ///         coord.parallel_for_tasks(7, |_w, task| {
    ///             let mut row = _w.shared().rows.part_mut(task)?;
    ///             row.fill(task.index as u32);
    ///             Ok::<(), TaskletError>(())
    ///         })?;
    ///         let rows = coord.shared().rows.read(&*coord)?;
    ///         let ends = [rows[0] as u8, rows[27] as u8];
    ///         drop(rows); // the read lasts while its guard lives
    ///         coord.set_output(&ends);
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// assert_eq!(result.output(), &[0, 6]);
    /// ```
    ///
    /// **Portable.**
    pub fn parallel_for_tasks<F, R>(&mut self, tasks: usize, f: F) -> Result<(), TaskletError>
    where
        S: Sync,
        W: Send,
        F: Fn(&mut WorkerCtx<S, W>, Task) -> R + Sync,
        R: LaneResult,
    {
        let (lanes, backend) = self.region(Some(tasks));
        let job = move |handle: LaneHandle| -> Result<(), TaskletError> {
            let _in_region = InRegion::enter(lanes.region, handle.index());
            let mut worker = lanes.worker(handle)?;
            let first = worker.data_worker_index();
            for index in (first..tasks).step_by(worker.data_lanes) {
                if worker.is_cancelled() {
                    return Err(TaskletError::Cancelled);
                }
                let task = Task {
                    index,
                    count: tasks,
                    key: PartKey::new(lanes.region, handle.index(), Some((index, tasks))),
                };
                f(&mut worker, task).into_lane_result()?;
            }
            Ok(())
        };
        backend.run_region(&job)
    }

    /// A new region: what its lanes reach, and the backend that runs it.
    /// `tasks` is the task count of a `parallel_for_tasks` region.
    fn region(&mut self, tasks: Option<usize>) -> (LaneMemory<'_, S, W>, &mut CoordinatorHandle) {
        let lanes = LaneMemory {
            shared: &self.shared,
            scratch: self.scratch.as_mut_ptr(),
            lanes: self.scratch.len(),
            input: self.input.as_bytes(),
            collectives: &self.collectives,
            region: next_region(),
            tasks,
        };
        (lanes, &mut self.handle)
    }

    /// Everything the coordinator reaches, borrowed at once: the shared
    /// value mutably, every data lane's scratch and the input. Lets one
    /// function read the lanes' scratch while it writes the shared value,
    /// which `shared_mut()` and `data_scratch(i)` on `&mut self` cannot.
    ///
    /// ```
    /// use grafos::cpu::{CpuBuilder, CoordinatorCtx};
    ///
    /// let lease = CpuBuilder::new().cores(4).acquire().unwrap();
    /// let result = lease.cpu().shared_memory_tasklet::<u64, u64>()
    ///     .workers(4)
    ///     .launch(|coord: &mut CoordinatorCtx<u64, u64>| {
    ///         coord.parallel_for_workers(|w| *w.scratch_mut() = w.lane().index as u64 + 1)?;
    ///         let parts = coord.parts();
    ///         *parts.shared = parts.data_scratch.iter().map(|s| *s.get()).sum();
    ///         let total = *coord.shared();
    ///         coord.set_output(&total.to_le_bytes());
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// assert_eq!(result.output(), &6u64.to_le_bytes());
    /// ```
    ///
    /// **Portable.**
    pub fn parts(&mut self) -> CoordinatorParts<'_, S, W> {
        CoordinatorParts {
            shared: self.shared.get_mut(),
            data_scratch: &mut self.scratch[1..],
            input: self.input.as_bytes(),
        }
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
    /// The region's id, for the keys of `Partitioned` parts.
    region: u64,
    /// The task count of a `parallel_for_tasks` region.
    tasks: Option<usize>,
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
            region: self.region,
            tasks: self.tasks,
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

/// Disjoint borrows of everything the coordinator reaches, from
/// [`CoordinatorCtx::parts`].
#[derive(Debug)]
#[non_exhaustive]
pub struct CoordinatorParts<'a, S, W> {
    /// The shared value, mutably.
    pub shared: &'a mut S,
    /// Every data lane's scratch region, data lane `i` at index `i`.
    pub data_scratch: &'a mut [WorkerScratch<W>],
    /// The launch input.
    pub input: &'a [u8],
}

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
    region: u64,
    tasks: Option<usize>,
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
    /// In a `parallel_for_workers` region the `Lane` is also the key to this
    /// lane's part of a [`Partitioned`](super::Partitioned) array; in a
    /// `parallel_for_tasks` region the parts belong to the tasks.
    ///
    /// **Portable.**
    pub fn lane(&self) -> Lane {
        let index = self.data_worker_index();
        let part = match self.tasks {
            None => Some((index, self.data_lanes)),
            Some(_) => None,
        };
        Lane {
            index,
            count: self.data_lanes,
            key: PartKey::new(self.region, self.handle.index(), part),
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
        let result = self.handle.barrier();
        // The runtime may have run other lanes meanwhile.
        InRegion::resume(self.region, self.handle.index());
        result
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
