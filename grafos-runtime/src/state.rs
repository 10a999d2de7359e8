//! [`LaunchState`]: the data of one launch's wasmi store, shared by the
//! scheduler and the host functions.
//!
//! Failure follows the host mock's rule (grafos-sdk `host/mod.rs`): the
//! first failure of a launch is its **cause** and what it returns; later
//! reports change nothing. Once failed, barriers return `CANCELLED`, fuel
//! checkpoints `FUEL_EXHAUSTED`, `is_cancelled` 1, `parallel_for` `FAILED`.

use std::time::Instant;

use grafos_abi as abi;
use grafos_abi::{CancelToken, TaskletError};
use wasmi::Memory;

use crate::fuel::FuelAccount;
use crate::limits::MemoryLimiter;
use crate::options::DebugLog;

/// Why a launch failed, as first recorded.
#[derive(Debug, Clone)]
pub(crate) enum Cause {
    Error(TaskletError),
    /// A lane waited at a barrier another lane of the region never reached;
    /// which lane is decided from every lane's barrier count, when asked.
    BarrierMismatch,
}

/// What a host function asked the scheduler for when it suspended its lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Request {
    /// Lane 0 called `parallel_for(job, lanes)`.
    ParallelFor { job: i32 },
    /// A data lane called `barrier`.
    Barrier,
}

/// Where a guest call is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Running {
    /// No lane: the runtime is calling `grafos_v0_alloc`.
    Setup,
    /// Lane `0..workers`.
    Lane(usize),
}

/// The store data of one launch.
pub(crate) struct LaunchState {
    pub(crate) input: Vec<u8>,
    pub(crate) output: Vec<u8>,
    /// Most bytes `output_set` may set.
    pub(crate) max_output_bytes: usize,
    /// The guest's memory, set once the instance exists.
    pub(crate) memory: Option<Memory>,
    /// Lanes of the launch, the coordinator's included.
    pub(crate) workers: usize,
    pub(crate) running: Running,

    cause: Option<Cause>,
    /// The current region's barrier, and the launch's region and round counts.
    pub(crate) regions: RegionBook,

    /// Set by a host function right before it suspends its lane.
    pub(crate) request: Option<Request>,
    /// The error each lane reported through `fail`.
    pub(crate) fail_reports: Vec<Option<TaskletError>>,

    pub(crate) fuel: FuelAccount,
    pub(crate) cancel: Option<CancelToken>,
    pub(crate) deadline: Option<Instant>,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) debug_log: Option<DebugLog>,
}

/// The bookkeeping of regions and their barriers: which data lane called
/// `barrier` how often, how many wait at it, how many have left the region.
#[derive(Debug)]
pub(crate) struct RegionBook {
    /// `barrier` calls of each data lane in the current region, including
    /// calls that returned `CANCELLED`.
    barrier_calls: Vec<u32>,
    /// Data lanes of the current region that have returned (or died).
    departed: usize,
    /// Data lanes suspended at the current barrier.
    waiting: usize,
    /// Regions started.
    started: u32,
    /// Barrier rounds completed, over all regions.
    rounds: u64,
}

impl RegionBook {
    fn new(data_lanes: usize) -> Self {
        Self {
            barrier_calls: vec![0; data_lanes],
            departed: 0,
            waiting: 0,
            started: 0,
            rounds: 0,
        }
    }

    /// Starts a region; its index (0-based).
    pub(crate) fn start(&mut self) -> u32 {
        let region = self.started;
        self.started = self.started.saturating_add(1);
        self.barrier_calls.fill(0);
        self.departed = 0;
        self.waiting = 0;
        region
    }

    /// Data lane `lane` (raw, 1-based) called `barrier`.
    pub(crate) fn count_call(&mut self, lane: usize) {
        // Saturating: a guest may call it more often than a u32 counts.
        let calls = &mut self.barrier_calls[lane - 1];
        *calls = calls.saturating_add(1);
    }

    /// Whether a lane of this region has returned: a barrier now can never
    /// complete.
    pub(crate) fn someone_departed(&self) -> bool {
        self.departed > 0
    }

    /// A lane suspends at the barrier.
    pub(crate) fn wait(&mut self) {
        self.waiting += 1;
    }

    /// A data lane left the region; `true` if lanes wait at a barrier it
    /// will never reach (a mismatch).
    pub(crate) fn depart(&mut self) -> bool {
        self.departed += 1;
        self.waiting > 0
    }

    /// Every lane still running waits at the barrier: the round ends,
    /// `completed` unless the launch failed.
    pub(crate) fn end_round(&mut self, completed: bool) {
        if completed {
            self.rounds += 1;
        }
        self.waiting = 0;
    }

    /// Regions started.
    pub(crate) fn started(&self) -> u32 {
        self.started
    }

    /// Barrier rounds completed.
    pub(crate) fn rounds(&self) -> u64 {
        self.rounds
    }

    /// The mismatch error, from every data lane's barrier count (the host
    /// mock's formula, `abi::barrier_mismatch`).
    fn mismatch(&self) -> TaskletError {
        abi::barrier_mismatch(&self.barrier_calls)
    }
}

/// The caps of one launch that host functions enforce.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LaunchLimits {
    pub(crate) max_memory_bytes: usize,
    pub(crate) max_output_bytes: usize,
}

impl LaunchState {
    pub(crate) fn new(
        workers: usize,
        input: Vec<u8>,
        fuel: u64,
        cancel: Option<CancelToken>,
        deadline: Option<Instant>,
        limits: LaunchLimits,
        debug_log: Option<DebugLog>,
    ) -> Self {
        Self {
            input,
            output: Vec::new(),
            max_output_bytes: limits.max_output_bytes,
            memory: None,
            workers,
            running: Running::Setup,
            cause: None,
            regions: RegionBook::new(workers - 1),
            request: None,
            fail_reports: vec![None; workers],
            fuel: FuelAccount::new(fuel, workers),
            cancel,
            deadline,
            limiter: MemoryLimiter::new(limits.max_memory_bytes),
            debug_log,
        }
    }

    pub(crate) fn is_failed(&self) -> bool {
        self.cause.is_some()
    }

    /// Records `cause` unless an earlier one is recorded.
    pub(crate) fn fail(&mut self, cause: Cause) {
        if self.cause.is_none() {
            self.cause = Some(cause);
        }
    }

    pub(crate) fn fail_with(&mut self, error: TaskletError) {
        self.fail(Cause::Error(error));
    }

    /// Records cancellation or a passed deadline, if either happened: the
    /// check every cancellation point and every fuel slice makes.
    pub(crate) fn poll_stop(&mut self) {
        if self.cause.is_some() {
            return;
        }
        if self.cancel.as_ref().is_some_and(CancelToken::is_cancelled) {
            self.fail_with(TaskletError::Cancelled);
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.fail_with(TaskletError::DeadlineExceeded);
        }
    }

    /// The launch's cause, with a barrier mismatch resolved from the barrier
    /// counts as they are now (and kept from then on).
    pub(crate) fn cause(&mut self) -> Option<TaskletError> {
        if let Some(Cause::BarrierMismatch) = self.cause {
            self.cause = Some(Cause::Error(self.regions.mismatch()));
        }
        match &self.cause {
            Some(Cause::Error(e)) => Some(e.clone()),
            Some(Cause::BarrierMismatch) | None => None,
        }
    }
}
