//! [`RuntimeConfig`] and [`RunOptions`]: what a runtime and a launch may use.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use grafos_abi::trace::TraceSink;
use grafos_abi::{CancelToken, LaneOrder, Limit, MAX_LANES, MIN_LANES, TaskletError, TaskletInfo};

/// Default cap on a launch's linear memory: 256 MiB.
pub const DEFAULT_MAX_MEMORY_BYTES: usize = 256 << 20;

/// Default stack of each data lane: 256 KiB (the coordinator keeps the
/// module's own stack, 1 MiB for Rust guests).
pub const DEFAULT_STACK_BYTES_PER_LANE: usize = 256 << 10;

/// Default cap on a launch's input: 64 MiB.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 64 << 20;

/// Default cap on a launch's output: 64 MiB.
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 64 << 20;

/// Smallest stack a data lane may get: 16 KiB.
pub const MIN_STACK_BYTES_PER_LANE: usize = 16 << 10;

/// Most calls a lane may nest: four times wasmi's default, so that
/// recursion a native thread takes (thousands of frames) runs here too;
/// deeper is `TaskletError::CallDepthExceeded`. wasmi keeps the frames on
/// its own stacks, not the host thread's.
pub const MAX_CALL_DEPTH: u32 = 4096;

/// Most bytes of wasm values a lane's calls may hold on wasmi's value
/// stack, which grows as they nest: four times wasmi's default, to go with
/// [`MAX_CALL_DEPTH`]. Held per running lane, besides the guest's memory.
pub const MAX_VALUE_STACK_BYTES: usize = 4 << 20;

/// Settings of a [`Runtime`](crate::Runtime), shared by every launch it runs.
///
/// ```
/// use grafos_runtime::RuntimeConfig;
/// let config = RuntimeConfig { threads: 2, ..RuntimeConfig::default() };
/// assert_eq!(config.max_memory_bytes, grafos_runtime::DEFAULT_MAX_MEMORY_BYTES);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// OS threads of the launch pool ([`Runtime::spawn`](crate::Runtime::spawn)):
    /// at most this many launches run at once. Default: the machine's cores.
    pub threads: usize,
    /// Default cap on a launch's linear memory, in bytes.
    pub max_memory_bytes: usize,
    /// Default stack bytes of each data lane.
    pub stack_bytes_per_lane: usize,
    /// Default cap on a launch's input, in bytes (at most 4 GiB − 1, what a
    /// wasm32 guest can address).
    pub max_input_bytes: usize,
    /// Default cap on a launch's output, in bytes.
    pub max_output_bytes: usize,
    /// Most lanes a launch may have, the coordinator lane included (2 to
    /// 256): a module whose record, or a launch whose options, ask for more
    /// fails with `LimitExceeded { limit: Lanes, .. }`.
    pub max_workers: u32,
    /// Deadline of a launch whose options set none, from its start.
    /// Default: none (fuel alone bounds it).
    pub default_timeout: Option<Duration>,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_memory_bytes: DEFAULT_MAX_MEMORY_BYTES,
            stack_bytes_per_lane: DEFAULT_STACK_BYTES_PER_LANE,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES,
            max_workers: grafos_abi::MAX_LANES as u32,
            default_timeout: None,
        }
    }
}

/// Receives the lines a guest writes with `grafos::__private::debug_log`:
/// the lane and the line.
pub type DebugLog = Arc<dyn Fn(usize, &str) + Send + Sync>;

/// Options of one launch; every field has a default.
///
/// ```
/// use grafos_runtime::RunOptions;
/// use std::time::{Duration, Instant};
/// let options = RunOptions {
///     fuel: Some(5_000_000),
///     deadline: Some(Instant::now() + Duration::from_secs(2)),
///     ..RunOptions::default()
/// };
/// assert!(options.cancel.is_none());
/// ```
#[derive(Clone, Default)]
pub struct RunOptions {
    /// The launch's fuel pool in wasm instructions (wasmi fuel), plus one
    /// unit per 64 bytes an import copies or reads (input, output, error
    /// and log bytes), as wasmi charges `memory.copy`. Default: the
    /// tasklet record's `fuel`.
    pub fuel: Option<u64>,
    /// Lanes of the launch, the coordinator lane included (2 to 256).
    /// Default: the tasklet record's `workers`. The guest learns the count
    /// through the `workers` import, as the host mock's `builder().workers(n)`
    /// sets it there.
    pub workers: Option<u32>,
    /// Stop the launch with `DeadlineExceeded` once this instant passes.
    /// Default: the runtime's `default_timeout` from the launch's start.
    pub deadline: Option<Instant>,
    /// Stop the launch with `Cancelled` once this token is cancelled.
    pub cancel: Option<CancelToken>,
    /// Cap on the launch's linear memory. Default: the runtime's.
    pub max_memory_bytes: Option<usize>,
    /// Stack bytes of each data lane. Default: the runtime's.
    pub stack_bytes_per_lane: Option<usize>,
    /// Cap on the launch's input. Default: the runtime's.
    pub max_input_bytes: Option<usize>,
    /// Cap on the launch's output. Default: the runtime's.
    pub max_output_bytes: Option<usize>,
    /// Where the guest's debug lines go. Default: dropped.
    pub debug_log: Option<DebugLog>,
    /// The order data lanes take their turns in, at a region's start and
    /// after each barrier round. Default: [`LaneOrder::InOrder`]. A
    /// tasklet that keeps the determinism rules gives the same output under
    /// every order; the generated cross-target test checks that.
    pub lane_order: LaneOrder,
    /// Record a trace of the launch in fuel time and add it to this sink
    /// when the launch ends (`grafos_abi::trace`: one track per lane, spans
    /// for regions, work and barrier waits). Default: none; a launch
    /// without one records nothing.
    pub trace: Option<TraceSink>,
    /// Kept up to date with the fuel the launch has used, after each fuel
    /// slice (about a millisecond of interpretation) and each lane switch:
    /// for a progress display on another thread. Default: none.
    pub progress: Option<Arc<AtomicU64>>,
}

impl fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("fuel", &self.fuel)
            .field("workers", &self.workers)
            .field("deadline", &self.deadline)
            .field("cancel", &self.cancel)
            .field("max_memory_bytes", &self.max_memory_bytes)
            .field("stack_bytes_per_lane", &self.stack_bytes_per_lane)
            .field("max_input_bytes", &self.max_input_bytes)
            .field("max_output_bytes", &self.max_output_bytes)
            .field("debug_log", &self.debug_log.as_ref().map(|_| "Fn"))
            .field("lane_order", &self.lane_order)
            .field("trace", &self.trace.is_some())
            .field("progress", &self.progress)
            .finish()
    }
}

/// A launch's settings: its [`RunOptions`] resolved against the runtime's
/// [`RuntimeConfig`] and the tasklet's record, and checked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Launch {
    /// Lanes, the coordinator's included.
    pub(crate) workers: usize,
    pub(crate) fuel: u64,
    pub(crate) stack_bytes: usize,
    pub(crate) max_memory: usize,
    pub(crate) max_output: usize,
    pub(crate) deadline: Option<Instant>,
}

impl Launch {
    /// `options` over `config` over `info`, for an input of `input_len`
    /// bytes; the error a launch with them would end in, if any.
    pub(crate) fn resolve(
        config: &RuntimeConfig,
        info: &TaskletInfo,
        options: &RunOptions,
        input_len: usize,
    ) -> Result<Self, TaskletError> {
        let workers = options.workers.unwrap_or(info.workers);
        if (workers as usize) < MIN_LANES {
            return Err(TaskletError::InvalidConfig {
                reason: format!(
                    "workers must be {MIN_LANES} to {MAX_LANES} (the coordinator lane plus at least one data lane), not {workers}"
                ),
            });
        }
        let max_workers = config.max_workers.min(MAX_LANES as u32);
        if workers > max_workers {
            return Err(TaskletError::LimitExceeded {
                limit: Limit::Lanes,
                max: u64::from(max_workers),
                requested: u64::from(workers),
            });
        }
        // A wasm32 guest addresses at most 4 GiB - 1 bytes.
        let max_input = options
            .max_input_bytes
            .unwrap_or(config.max_input_bytes)
            .min(u32::MAX as usize);
        if input_len > max_input {
            return Err(TaskletError::LimitExceeded {
                limit: Limit::InputBytes,
                max: max_input as u64,
                requested: input_len as u64,
            });
        }
        let fuel = options.fuel.unwrap_or(info.fuel);
        if fuel == 0 {
            return Err(TaskletError::InvalidConfig {
                reason: "fuel must be at least 1".into(),
            });
        }
        let stack_bytes = options
            .stack_bytes_per_lane
            .unwrap_or(config.stack_bytes_per_lane);
        if stack_bytes < MIN_STACK_BYTES_PER_LANE {
            return Err(TaskletError::InvalidConfig {
                reason: format!(
                    "stack_bytes_per_lane is {stack_bytes} but must be at least {MIN_STACK_BYTES_PER_LANE}"
                ),
            });
        }
        Ok(Self {
            workers: workers as usize,
            fuel,
            stack_bytes,
            max_memory: options.max_memory_bytes.unwrap_or(config.max_memory_bytes),
            max_output: options.max_output_bytes.unwrap_or(config.max_output_bytes),
            deadline: options
                .deadline
                .or_else(|| config.default_timeout.map(|t| Instant::now() + t)),
        })
    }
}
