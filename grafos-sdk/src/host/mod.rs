//! The host mock: runs a launch natively, one OS thread per data lane.
//!
//! The coordinator runs on the caller's thread, and during a region it runs
//! data lane 1 there too, so a launch of `n` data lanes has `n - 1` threads of
//! its own (and one of 2 lanes none at all). Those threads are spawned at the
//! launch's first region and reused by every later one: a region posts its
//! job and bumps an epoch, each lane runs the job once and counts itself
//! out, and the coordinator waits until all have. Waits spin briefly when
//! every data lane has a core, then park ([`wait`]).
//!
//! Failures follow one rule on both backends: the first failure of the
//! launch (a lane's panic or error, an unmatched barrier, exhausted fuel,
//! cancellation) becomes its **cause**; it releases every waiter and is what
//! the launch returns. Later `Cancelled`/`FuelExhausted` reports from lanes
//! reacting to it change nothing.

#[cfg(all(test, loom))]
mod loom_tests;
mod sync;
pub(crate) mod trace;
mod turns;
mod wait;

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

use sync::{
    Arc, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, JoinHandle, Ordering, SetOnce,
    Thread, thread,
};

use crate::cpu::{
    Cancelled, FuelExhausted, LaunchConfig, LaunchInput, RegionJob, SharedTaskletResult,
    TaskletError,
};
use crate::cpu::{CoordinatorBackend, LaneBackend};
use trace::HostTrace;
use turns::Turns;
use wait::{WaitPolicy, wait_until};

/// Why a launch failed, as first recorded.
#[derive(Debug)]
enum Cause {
    Error(TaskletError),
    /// A lane waited at a barrier that a returned lane never reached; which
    /// lane is decided when the region ends, from every lane's barrier count.
    BarrierMismatch,
}

/// Everything the coordinator and the lanes of one launch share.
struct LaunchState {
    data_lanes: usize,
    /// How lanes wait: spin first when each data lane has a core.
    policy: WaitPolicy,
    /// The caller's thread: the coordinator, and data lane 1 in a region.
    coordinator: Thread,
    /// Threads of data lanes 2 and up.
    lanes: SetOnce<Box<[Thread]>>,

    /// Set right after `cause`: whoever sees it set finds the cause.
    failed: AtomicBool,
    cause: SetOnce<Cause>,

    fuel_initial: u64,
    fuel_left: AtomicU64,

    // Region gate.
    epoch: AtomicU64,
    shutdown: AtomicBool,
    /// Points at the coordinator's `&RegionJob` while a region runs.
    job: AtomicPtr<()>,
    remaining: AtomicUsize,

    // Barrier.
    arrived: AtomicUsize,
    generation: AtomicU64,
    departed: AtomicUsize,
    /// Barrier calls of each data lane in the current region.
    barrier_calls: Box<[AtomicU32]>,

    regions: AtomicU32,
    barrier_rounds: AtomicU64,

    /// Serialized mode: lanes take turns in a lane order.
    turns: Option<Turns>,

    /// The launch's trace, when asked for: off, one branch per event.
    trace: Option<Box<HostTrace>>,
}

impl LaunchState {
    fn new(config: &LaunchConfig<'_>) -> Self {
        let cores = config
            .cores
            .min(std::thread::available_parallelism().map_or(1, |n| n.get()));
        let data_lanes = config.workers - 1;
        Self {
            data_lanes,
            policy: if data_lanes <= cores {
                WaitPolicy::Spin
            } else {
                WaitPolicy::Park
            },
            coordinator: thread::current(),
            lanes: SetOnce::new(),
            failed: AtomicBool::new(false),
            cause: SetOnce::new(),
            fuel_initial: config.fuel,
            fuel_left: AtomicU64::new(config.fuel),
            epoch: AtomicU64::new(0),
            shutdown: AtomicBool::new(false),
            job: AtomicPtr::new(std::ptr::null_mut()),
            remaining: AtomicUsize::new(0),
            arrived: AtomicUsize::new(0),
            generation: AtomicU64::new(0),
            departed: AtomicUsize::new(0),
            barrier_calls: (0..data_lanes).map(|_| AtomicU32::new(0)).collect(),
            regions: AtomicU32::new(0),
            barrier_rounds: AtomicU64::new(0),
            turns: config.lane_order.map(Turns::new),
            trace: trace::destination(config)
                .map(|to| Box::new(HostTrace::new(to, &config.name, config.workers))),
        }
    }

    fn is_failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    /// Records `cause` unless an earlier one is recorded, then releases
    /// every waiter.
    fn fail(&self, cause: Cause) {
        self.cause.set(cause);
        self.failed.store(true, Ordering::SeqCst);
        self.wake_all();
    }

    /// Unparks every thread of the launch, the caller's included.
    fn wake_all(&self) {
        self.wake_lanes();
        self.coordinator.unpark();
    }

    /// Unparks the threads of data lanes 2 and up.
    fn wake_lanes(&self) {
        self.lanes
            .get()
            .into_iter()
            .flatten()
            .for_each(Thread::unpark);
    }

    /// The launch's cause, with a barrier mismatch resolved to the lane
    /// that returned early. A failed launch runs no further region, so the
    /// barrier counts it is resolved from are final once its region ended.
    fn cause(&self) -> Option<TaskletError> {
        match self.cause.get()? {
            Cause::Error(e) => Some(e.clone()),
            Cause::BarrierMismatch => Some(self.barrier_mismatch()),
        }
    }

    /// The mismatch error, from every data lane's barrier count.
    fn barrier_mismatch(&self) -> TaskletError {
        let calls: Vec<u32> = self
            .barrier_calls
            .iter()
            .map(|c| c.load(Ordering::SeqCst))
            .collect();
        crate::abi::barrier_mismatch(&calls)
    }

    /// A checkpoint of `lane`: one unit of fuel, or the launch's failure.
    fn fuel_checkpoint(&self, lane: usize) -> Result<(), FuelExhausted> {
        if self.is_failed() {
            return Err(FuelExhausted);
        }
        match self
            .fuel_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |f| f.checked_sub(1))
        {
            Ok(_) => Ok(()),
            Err(_) => {
                self.fail(Cause::Error(TaskletError::FuelExhausted {
                    budget: self.fuel_initial,
                    used: self.fuel_initial,
                    lane,
                    // The host mock counts checkpoints only.
                    since_sdk_call: None,
                }));
                Err(FuelExhausted)
            }
        }
    }

    fn fuel_remaining(&self) -> u64 {
        self.fuel_left.load(Ordering::SeqCst)
    }

    /// A data lane's barrier. Lanes that wait while another lane of the
    /// region has returned can never be released: that is a mismatch. The
    /// `arrived`/`departed` pair is checked in opposite orders by arrivals
    /// and departures, with `SeqCst`, so at least one of them sees the other.
    fn barrier(&self, lane: usize) -> Result<(), Cancelled> {
        let Some(trace) = &self.trace else {
            return self.barrier_untraced(lane);
        };
        // SAFETY: this thread runs data lane `lane`.
        unsafe { trace.lane(lane) }.barrier_begin(trace.now());
        let released = self.barrier_untraced(lane);
        // SAFETY: as above.
        unsafe { trace.lane(lane) }.barrier_end(trace.now());
        released
    }

    fn barrier_untraced(&self, lane: usize) -> Result<(), Cancelled> {
        self.barrier_calls[lane - 1].fetch_add(1, Ordering::SeqCst);
        if self.is_failed() {
            return Err(Cancelled);
        }
        let generation = self.generation.load(Ordering::SeqCst);
        self.end_turn(lane);
        let arrived = self.arrived.fetch_add(1, Ordering::SeqCst) + 1;
        if arrived == self.data_lanes {
            // Every lane arrived, so none returned early. Reset before
            // publishing the new generation: a lane that sees the new
            // generation and arrives at the next barrier counts from 0.
            self.arrived.store(0, Ordering::SeqCst);
            self.barrier_rounds.fetch_add(1, Ordering::Relaxed);
            if let Some(turns) = &self.turns {
                turns.next_round();
            }
            self.generation.store(generation + 1, Ordering::SeqCst);
            self.wake_all();
            return self.wait_turn(lane);
        }
        let released = || self.generation.load(Ordering::SeqCst) != generation;
        // A lane that returned while this barrier is still open will never
        // arrive. One that returned after completing it (its release bumped
        // the generation before it counted out) is no mismatch.
        if self.departed.load(Ordering::SeqCst) > 0 && !released() {
            self.fail(Cause::BarrierMismatch);
            return Err(Cancelled);
        }
        wait_until(self.policy, || released() || self.is_failed());
        if released() {
            self.wait_turn(lane)
        } else {
            Err(Cancelled)
        }
    }

    /// In serialized mode, waits until it is `lane`'s turn (or the launch
    /// failed: its lanes then unwind together).
    fn wait_turn(&self, lane: usize) -> Result<(), Cancelled> {
        if let Some(turns) = &self.turns {
            wait_until(WaitPolicy::Park, || {
                turns.is_turn_of(lane) || self.is_failed()
            });
            if !turns.is_turn_of(lane) {
                return Err(Cancelled);
            }
        }
        Ok(())
    }

    /// In serialized mode, `lane` is done for this round: the next lane's
    /// turn.
    fn end_turn(&self, lane: usize) {
        if let Some(turns) = &self.turns {
            turns.end_turn(lane);
            self.wake_all();
        }
    }

    /// Runs the posted job as data lane `lane`, records how it ended, and
    /// counts the lane out of the region.
    fn run_lane(&self, lane: usize) {
        let job = self
            .job
            .load(Ordering::SeqCst)
            .cast_const()
            .cast::<&RegionJob<'_>>();
        if !job.is_null() && self.wait_turn(lane).is_ok() {
            if let Some(trace) = &self.trace {
                let region = self.regions.load(Ordering::Relaxed);
                // SAFETY: this thread runs data lane `lane`.
                unsafe { trace.lane(lane) }.region_begin(region, trace.now());
            }
            let handle = LaneHandle { state: self, lane };
            // SAFETY: the coordinator published `job` before bumping the
            // epoch and keeps it alive until every lane has counted out below.
            let run = || unsafe { (*job)(handle) };
            match panic::catch_unwind(AssertUnwindSafe(run)) {
                Ok(Ok(())) => {}
                Ok(Err(error)) => self.fail(Cause::Error(error)),
                Err(payload) => {
                    let message = panic_message(&*payload);
                    // A payload whose destructor panics must not kill the lane.
                    let _ = panic::catch_unwind(AssertUnwindSafe(|| drop(payload)));
                    self.fail(Cause::Error(TaskletError::WorkerPanicked { lane, message }));
                }
            }
            if let Some(trace) = &self.trace {
                // SAFETY: as above, before the lane counts itself out below.
                unsafe { trace.lane(lane) }.region_end(trace.now());
            }
        }
        // Returned: a lane still waiting at a barrier now never will be released.
        self.end_turn(lane);
        self.departed.fetch_add(1, Ordering::SeqCst);
        if self.arrived.load(Ordering::SeqCst) > 0 {
            self.fail(Cause::BarrierMismatch);
        }
        if self.remaining.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.coordinator.unpark();
        }
    }
}

/// Lane 0's view of the backend.
pub(crate) struct CoordinatorHandle {
    state: Arc<LaunchState>,
    /// Threads of data lanes 2 and up, once the first region started them.
    threads: Option<Vec<JoinHandle<()>>>,
}

impl CoordinatorHandle {
    fn spawn_lanes(&mut self) -> Result<(), TaskletError> {
        let threads = self
            .threads
            .insert(Vec::with_capacity(self.state.data_lanes - 1));
        for lane in 2..=self.state.data_lanes {
            let state = Arc::clone(&self.state);
            let spawned = thread::Builder::new()
                .name(format!("grafos-lane-{lane}"))
                .spawn(move || lane_main(&state, lane));
            match spawned {
                Ok(handle) => threads.push(handle),
                Err(e) => {
                    let error = TaskletError::invalid_config(format!(
                        "could not start the thread of lane {lane}: {e}"
                    ));
                    self.state.fail(Cause::Error(error.clone()));
                    return Err(error);
                }
            }
        }
        let lanes = threads.iter().map(|t| t.thread().clone()).collect();
        // Set once, before the first epoch bump makes any lane reach a barrier.
        let _ = self.state.lanes.set(lanes);
        Ok(())
    }
}

impl CoordinatorBackend for CoordinatorHandle {
    fn run_region(&mut self, job: &RegionJob<'_>) -> Result<(), TaskletError> {
        let s = Arc::clone(&self.state);
        if !s.is_failed() && self.threads.is_none() {
            self.spawn_lanes()?;
        }
        if s.is_failed() {
            return Err(s.cause().unwrap_or(TaskletError::Cancelled));
        }
        s.arrived.store(0, Ordering::SeqCst);
        s.departed.store(0, Ordering::SeqCst);
        for calls in s.barrier_calls.iter() {
            calls.store(0, Ordering::SeqCst);
        }
        s.remaining.store(s.data_lanes, Ordering::SeqCst);
        if let Some(turns) = &s.turns {
            turns.start_region(s.data_lanes, s.regions.load(Ordering::SeqCst));
        }
        if let Some(trace) = &s.trace {
            let region = s.regions.load(Ordering::Relaxed);
            // SAFETY: the coordinator's thread runs lane 0.
            unsafe { trace.lane(0) }.region_begin(region, trace.now());
        }
        let job_ref: &RegionJob<'_> = job;
        s.job.store(&raw const job_ref as *mut (), Ordering::SeqCst);
        s.epoch.fetch_add(1, Ordering::SeqCst);
        s.wake_lanes();
        s.run_lane(1);
        // Every lane counts itself out, whatever its job does, so this ends
        // as soon as the slowest lane returns. `job_ref` outlives the wait.
        wait_until(s.policy, || s.remaining.load(Ordering::SeqCst) == 0);
        s.job.store(std::ptr::null_mut(), Ordering::SeqCst);
        if let Some(trace) = &s.trace {
            let now = trace.now();
            // SAFETY: the coordinator's thread runs lane 0.
            unsafe { trace.lane(0) }.region_end(now);
            trace.sample_fuel(now, s.fuel_initial - s.fuel_remaining());
        }
        s.regions.fetch_add(1, Ordering::Relaxed);
        if s.is_failed() {
            Err(s.cause().unwrap_or(TaskletError::Cancelled))
        } else {
            Ok(())
        }
    }

    /// Lanes of the launch, the coordinator lane included.
    fn workers(&self) -> usize {
        self.state.data_lanes + 1
    }

    fn barrier(&self) -> Result<(), Cancelled> {
        if self.state.is_failed() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    fn fuel_checkpoint(&self) -> Result<(), FuelExhausted> {
        self.state.fuel_checkpoint(0)
    }

    fn fuel_remaining(&self) -> u64 {
        self.state.fuel_remaining()
    }

    fn is_cancelled(&self) -> bool {
        self.state.is_failed()
    }
}

impl Drop for CoordinatorHandle {
    /// Stops and joins the lane threads. They are idle: the coordinator is
    /// never inside a region when its handle goes away.
    fn drop(&mut self) {
        self.state.shutdown.store(true, Ordering::SeqCst);
        let threads = self.threads.take().unwrap_or_default();
        for thread in &threads {
            thread.thread().unpark();
        }
        // loom treats an `unpark` as the end of any block, a join's
        // included, and the last lane out of a region unparks the
        // coordinator after counting out. Under loom the threads are left to
        // end on their own; loom checks that every thread ends.
        #[cfg(not(loom))]
        for thread in threads {
            // Lane threads catch every panic of user code; nothing to report.
            let _ = thread.join();
        }
    }
}

/// A data lane's view of the backend, valid while its job runs.
#[derive(Clone, Copy)]
pub(crate) struct LaneHandle {
    state: *const LaunchState,
    lane: usize,
}

impl LaneHandle {
    fn state(&self) -> &LaunchState {
        // SAFETY: the lane thread holds an `Arc<LaunchState>` for as long as
        // the job that received this handle runs.
        unsafe { &*self.state }
    }
}

impl LaneBackend for LaneHandle {
    fn index(&self) -> usize {
        self.lane
    }

    fn barrier(&self) -> Result<(), Cancelled> {
        self.state().barrier(self.lane)
    }

    fn fuel_checkpoint(&self) -> Result<(), FuelExhausted> {
        self.state().fuel_checkpoint(self.lane)
    }

    fn fuel_remaining(&self) -> u64 {
        self.state().fuel_remaining()
    }

    fn is_cancelled(&self) -> bool {
        self.state().is_failed()
    }
}

/// The loop of a data lane's thread: run each region's job once, until
/// the launch ends.
fn lane_main(state: &LaunchState, lane: usize) {
    let mut seen = 0;
    loop {
        wait_until(state.policy, || {
            state.shutdown.load(Ordering::SeqCst) || state.epoch.load(Ordering::SeqCst) != seen
        });
        if state.shutdown.load(Ordering::SeqCst) {
            return;
        }
        seen = state.epoch.load(Ordering::SeqCst);
        state.run_lane(lane);
    }
}

/// The message of a panic payload, as the guest's panic hook reports it.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

/// Runs one launch on the host mock: `run` is the coordinator, called on
/// this thread with lane 0's handle and the input (the caller's, borrowed,
/// or one aligned copy: `LaunchInput::new`).
pub(crate) fn launch<G>(
    config: LaunchConfig<'_>,
    run: G,
) -> Result<SharedTaskletResult, TaskletError>
where
    G: FnOnce(CoordinatorHandle, LaunchInput<'_>) -> Result<Vec<u8>, TaskletError>,
{
    let state = Arc::new(LaunchState::new(&config));
    let LaunchConfig { input, cancel, .. } = config;
    let result = launch_with(&state, input, cancel, run);
    if let Some(trace) = &state.trace {
        trace.finish(&result, state.fuel_initial - state.fuel_remaining());
    }
    result
}

fn launch_with<G>(
    state: &Arc<LaunchState>,
    input: &[u8],
    cancel: Option<crate::cpu::CancelToken>,
    run: G,
) -> Result<SharedTaskletResult, TaskletError>
where
    G: FnOnce(CoordinatorHandle, LaunchInput<'_>) -> Result<Vec<u8>, TaskletError>,
{
    // The registration is dropped when this function returns, and with it
    // the callback's reference to the state.
    let _registration = cancel.map(|token| {
        let state = Arc::clone(state);
        token.on_cancel(move || state.fail(Cause::Error(TaskletError::Cancelled)))
    });
    let handle = CoordinatorHandle {
        state: Arc::clone(state),
        threads: None,
    };
    // `run` owns the handle: the lane threads are joined when it returns or unwinds.
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| run(handle, LaunchInput::new(input))));
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(payload) => {
            let message = panic_message(&*payload);
            let _ = panic::catch_unwind(AssertUnwindSafe(|| drop(payload)));
            Err(TaskletError::CoordinatorPanicked { message })
        }
    };
    // The first failure is the launch's error, whatever the coordinator made of it.
    if let Some(cause) = state.cause() {
        return Err(cause);
    }
    let output = outcome?;
    let fuel_used = state.fuel_initial - state.fuel_remaining();
    Ok(SharedTaskletResult::from_parts(
        output,
        fuel_used,
        state.regions.load(Ordering::SeqCst),
        state.barrier_rounds.load(Ordering::SeqCst),
    ))
}
