//! Errors of the shared-memory tasklet surface.

use std::fmt;

/// Errors produced by a shared-memory tasklet launch, on the host mock and on
/// the runtime alike.
///
/// Lane numbers are raw lanes: lane 0 is the coordinator, data worker `i` is
/// lane `i + 1`.
///
/// ```
/// use grafos_abi::TaskletError;
/// let e = TaskletError::WorkerPanicked { lane: 2, message: "boom".into() };
/// assert_eq!(e.to_string(), "worker lane 2 panicked: boom");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaskletError {
    /// The launch's configuration cannot run (too few workers, zero fuel,
    /// more cores than the machine has, ...).
    #[error("invalid tasklet configuration: {reason}")]
    InvalidConfig {
        /// What is wrong, and what would be right.
        reason: String,
    },
    /// `shared_bytes` cannot hold the `Shared` value.
    #[error(
        "shared region too small: the shared value needs {need} bytes but shared_bytes is {have}"
    )]
    SharedTooSmall {
        /// Bytes the `Shared` type needs.
        need: usize,
        /// Bytes configured.
        have: usize,
    },
    /// `scratch_bytes_per_worker` cannot hold the `Scratch` value.
    #[error(
        "scratch region too small: the scratch value needs {need} bytes but scratch_bytes_per_worker is {have}"
    )]
    ScratchTooSmall {
        /// Bytes the `Scratch` type needs.
        need: usize,
        /// Bytes configured.
        have: usize,
    },
    /// The launch's fuel pool ran dry. The fields say how, for the message;
    /// they differ between the targets (the runtime counts wasm
    /// instructions, the host mock checkpoints), so compare errors of this
    /// kind by kind.
    #[error("{}", fuel_message(*budget, *used, *lane, *since_sdk_call))]
    FuelExhausted {
        /// The launch's budget; 0 when not known (a lane's own
        /// [`FuelExhausted`](crate::FuelExhausted) converted with `?`).
        budget: u64,
        /// Fuel the launch had used when it ran out.
        used: u64,
        /// The lane that was running (0 is the coordinator).
        lane: usize,
        /// Fuel that lane had spent since its last SDK call (runtime only:
        /// the host mock counts nothing between checkpoints).
        since_sdk_call: Option<u64>,
    },
    /// The launch was cancelled through its [`CancelToken`](crate::CancelToken).
    #[error("cancelled")]
    Cancelled,
    /// The launch ran past its deadline (runtime).
    #[error("deadline exceeded")]
    DeadlineExceeded,
    /// A data lane returned from its region while other lanes waited at a
    /// barrier it never reached.
    #[error(
        "barrier mismatch: lane {lane} returned after {reached} barrier(s) while other lanes waited at barrier {expected}"
    )]
    BarrierMismatch {
        /// The lowest lane that returned early.
        lane: usize,
        /// Barriers that lane called.
        reached: u32,
        /// Barriers the other lanes reached (at least `reached + 1`).
        expected: u32,
    },
    /// A data lane panicked.
    #[error("worker lane {lane} panicked: {message}")]
    WorkerPanicked {
        /// The lane that panicked.
        lane: usize,
        /// The panic message.
        message: String,
    },
    /// The coordinator panicked.
    #[error("coordinator panicked: {message}")]
    CoordinatorPanicked {
        /// The panic message.
        message: String,
    },
    /// A lane overflowed its stack (runtime).
    #[error("lane {lane} overflowed its stack")]
    StackOverflow {
        /// The lane whose stack overflowed.
        lane: usize,
    },
    /// A lane nested calls deeper than the runtime allows (runtime).
    #[error(
        "lane {lane} nested calls deeper than the runtime's limit of {max_depth}: recursion that deep \
         runs on the host mock's native stack but not in the wasm runtime; make it shallower or \
         iterative"
    )]
    CallDepthExceeded {
        /// The lane.
        lane: usize,
        /// The runtime's limit of nested calls.
        max_depth: u32,
    },
    /// The guest trapped for a reason other than a panic (runtime).
    #[error("lane {lane} trapped: {message}")]
    Trap {
        /// The lane that trapped.
        lane: usize,
        /// What the interpreter reported.
        message: String,
    },
    /// A lane broke the rules of a partitioned shared array
    /// (`grafos::cpu::Partitioned`): it wrote by parts an array read whole
    /// in the same region (or the reverse), held its part twice at once,
    /// or asked for a part the array's split does not have.
    #[error("lane {lane} misused a partitioned array: {message}")]
    PartitionMisuse {
        /// The raw lane that asked (0 is the coordinator).
        lane: usize,
        /// What went wrong, the same whichever lane ran first.
        message: String,
    },
    /// The module broke ABI `grafos_worker_v0` (runtime).
    #[error("ABI violation: {message}")]
    Abi {
        /// What the module did wrong.
        message: String,
    },
    /// The tasklet itself reported a failure (see [`TaskletError::failed`]).
    #[error("tasklet failed: {message}")]
    Failed {
        /// The tasklet's message.
        message: String,
    },
    /// A resource limit of the launch was exceeded.
    #[error("{limit} limit exceeded: {requested} requested, at most {max} allowed")]
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// The limit.
        max: u64,
        /// What the launch asked for.
        requested: u64,
    },
}

impl TaskletError {
    /// A failure reported by the tasklet's own code, e.g. on malformed input.
    ///
    /// ```
    /// use grafos_abi::TaskletError;
    /// let e = TaskletError::failed("matrix is not square");
    /// assert_eq!(e.to_string(), "tasklet failed: matrix is not square");
    /// ```
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed {
            message: message.into(),
        }
    }

    /// A [`FuelExhausted`](Self::FuelExhausted) error whose details are not
    /// known (its budget is 0): what `?` on a lane's own
    /// [`FuelExhausted`](crate::FuelExhausted) gives.
    pub fn fuel_exhausted() -> Self {
        Self::FuelExhausted {
            budget: 0,
            used: 0,
            lane: 0,
            since_sdk_call: None,
        }
    }

    /// This error with the details that differ between targets and lane
    /// orders cleared: which lane failed first, and how much fuel the
    /// targets counted. Two launches of one tasklet that fail alike give
    /// equal errors here, whatever their targets and lane orders.
    ///
    /// ```
    /// use grafos_abi::TaskletError;
    /// let host = TaskletError::WorkerPanicked { lane: 1, message: "boom".into() };
    /// let wasm = TaskletError::WorkerPanicked { lane: 3, message: "boom".into() };
    /// assert_ne!(host, wasm);
    /// assert_eq!(host.kind_and_message(), wasm.kind_and_message());
    /// ```
    pub fn kind_and_message(&self) -> Self {
        let mut error = self.clone();
        match &mut error {
            TaskletError::WorkerPanicked { lane, .. }
            | TaskletError::StackOverflow { lane }
            | TaskletError::CallDepthExceeded { lane, .. }
            | TaskletError::Trap { lane, .. }
            | TaskletError::PartitionMisuse { lane, .. }
            | TaskletError::BarrierMismatch { lane, .. } => *lane = 0,
            TaskletError::FuelExhausted { .. } => error = Self::fuel_exhausted(),
            _ => {}
        }
        error
    }

    /// An [`InvalidConfig`](Self::InvalidConfig) error.
    #[doc(hidden)]
    pub fn invalid_config(reason: impl Into<String>) -> Self {
        Self::InvalidConfig {
            reason: reason.into(),
        }
    }
}

/// A resource limit a launch can exceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// Bytes of memory for one launch (guest linear memory, or the host
    /// mock's shared and scratch regions).
    Memory,
    /// Bytes of launch input.
    InputBytes,
    /// Bytes of launch output.
    OutputBytes,
    /// Lanes of one launch, the coordinator lane included.
    Lanes,
    /// Stack bytes of one lane.
    StackBytes,
}

impl Limit {
    /// The limit's code in ABI error encoding.
    pub(crate) const fn code(self) -> u32 {
        match self {
            Limit::Memory => 1,
            Limit::InputBytes => 2,
            Limit::OutputBytes => 3,
            Limit::Lanes => 4,
            Limit::StackBytes => 5,
        }
    }

    pub(crate) const fn from_code(code: u32) -> Option<Self> {
        Some(match code {
            1 => Limit::Memory,
            2 => Limit::InputBytes,
            3 => Limit::OutputBytes,
            4 => Limit::Lanes,
            5 => Limit::StackBytes,
            _ => return None,
        })
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::Memory => "memory",
            Limit::InputBytes => "input size",
            Limit::OutputBytes => "output size",
            Limit::Lanes => "lane count",
            Limit::StackBytes => "stack size",
        })
    }
}

/// Returned by the SDK's `WorkerCtx::barrier` and
/// `CoordinatorCtx::barrier` when the launch
/// was cancelled or has failed (fuel, deadline, another lane's panic or early
/// return) instead of waiting for lanes that will never arrive.
///
/// Converts into [`TaskletError::Cancelled`] with `?`; the launch itself
/// returns the error that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Cancelled;

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the launch was cancelled or has failed")
    }
}

impl std::error::Error for Cancelled {}

impl From<Cancelled> for TaskletError {
    fn from(_: Cancelled) -> Self {
        TaskletError::Cancelled
    }
}

/// Returned by the SDK's `WorkerCtx::fuel_checkpoint` and
/// `CoordinatorCtx::fuel_checkpoint`
/// once the launch grants no more fuel: its lease-wide pool is empty, or it
/// was cancelled or has failed. Stop working and return.
///
/// Converts into [`TaskletError::FuelExhausted`] with `?`; the launch itself
/// returns the error that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FuelExhausted;

impl fmt::Display for FuelExhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the launch grants no more fuel")
    }
}

impl std::error::Error for FuelExhausted {}

impl From<FuelExhausted> for TaskletError {
    fn from(_: FuelExhausted) -> Self {
        TaskletError::fuel_exhausted()
    }
}

/// The message of [`TaskletError::FuelExhausted`]: what ran out, where, and
/// what to do about it.
fn fuel_message(budget: u64, used: u64, lane: usize, since_sdk_call: Option<u64>) -> String {
    if budget == 0 {
        return "fuel exhausted".into();
    }
    let who = if lane == 0 {
        "the coordinator (lane 0)".to_owned()
    } else {
        format!("lane {lane}")
    };
    let mut message = format!(
        "fuel exhausted: {who} was running when the launch's budget of {budget} ran out ({used} used"
    );
    if let Some(since) = since_sdk_call {
        message += &format!(", {since} of them by {who} since its last SDK call");
    }
    message += "); raise the budget with `fuel = N` in `#[grafos::tasklet(..)]`, \
                `.fuel(N)` on the builder, or `--fuel N` on the command line";
    if since_sdk_call.is_some_and(|since| since.saturating_mul(2) > used) {
        message += ". Most of it went without a single SDK call: a lane that waits in a loop \
                    for another lane's write, instead of at `barrier()`, never sees it on the \
                    runtime, where lanes take turns, and spins until the fuel is gone";
    }
    message
}

/// The error of a region in which a data lane returned while others waited
/// at a barrier it never reached, from the number of `barrier` calls each
/// data lane made in the region (every call, including those that returned
/// `Cancelled`; index 0 is data lane 0, raw lane 1): the lowest lane that
/// called it fewer times than the lane that called it most. The host mock
/// and the runtime both report this, so the error is the same on both.
///
/// ```
/// use grafos_abi::{TaskletError, barrier_mismatch};
/// assert_eq!(
///     barrier_mismatch(&[2, 1, 2]),
///     TaskletError::BarrierMismatch { lane: 2, reached: 1, expected: 2 }
/// );
/// ```
pub fn barrier_mismatch(barrier_calls: &[u32]) -> TaskletError {
    let expected = barrier_calls.iter().copied().max().unwrap_or(0);
    let (index, reached) = barrier_calls
        .iter()
        .copied()
        .enumerate()
        .find(|&(_, calls)| calls < expected)
        .unwrap_or((0, expected));
    TaskletError::BarrierMismatch {
        lane: index + 1,
        reached,
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuel_messages_say_how_much_where_and_what_to_do() {
        assert_eq!(TaskletError::fuel_exhausted().to_string(), "fuel exhausted");
        let spinning = TaskletError::FuelExhausted {
            budget: 1000,
            used: 1000,
            lane: 2,
            since_sdk_call: Some(990),
        }
        .to_string();
        assert!(spinning.contains("lane 2 was running when the launch's budget of 1000 ran out"));
        assert!(spinning.contains("990 of them by lane 2 since its last SDK call"));
        assert!(spinning.contains("`fuel = N`") && spinning.contains("`--fuel N`"));
        assert!(spinning.contains("waits in a loop"), "{spinning}");
        let working = TaskletError::FuelExhausted {
            budget: 1000,
            used: 1000,
            lane: 0,
            since_sdk_call: Some(10),
        }
        .to_string();
        assert!(working.contains("the coordinator (lane 0)"));
        assert!(!working.contains("waits in a loop"), "{working}");
        let host = TaskletError::FuelExhausted {
            budget: 5,
            used: 5,
            lane: 1,
            since_sdk_call: None,
        }
        .to_string();
        assert!(!host.contains("since its last SDK call"), "{host}");
    }

    #[test]
    fn call_depth_is_named_as_such() {
        let e = TaskletError::CallDepthExceeded {
            lane: 1,
            max_depth: 16384,
        }
        .to_string();
        assert!(
            e.contains("nested calls deeper than the runtime's limit of 16384"),
            "{e}"
        );
    }

    #[test]
    fn small_errors_convert_with_question_mark() {
        fn barrier() -> Result<(), Cancelled> {
            Err(Cancelled)
        }
        fn checkpoint() -> Result<(), FuelExhausted> {
            Err(FuelExhausted)
        }
        fn lane() -> Result<(), TaskletError> {
            barrier()?;
            Ok(())
        }
        fn lane2() -> Result<(), TaskletError> {
            checkpoint()?;
            Ok(())
        }
        assert_eq!(lane(), Err(TaskletError::Cancelled));
        assert_eq!(lane2(), Err(TaskletError::fuel_exhausted()));
    }

    #[test]
    fn limit_codes_round_trip() {
        for limit in [
            Limit::Memory,
            Limit::InputBytes,
            Limit::OutputBytes,
            Limit::Lanes,
            Limit::StackBytes,
        ] {
            assert_eq!(Limit::from_code(limit.code()), Some(limit));
        }
        assert_eq!(Limit::from_code(0), None);
    }
}
