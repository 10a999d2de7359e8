//! A [`TaskletError`] across the boundary: a `u32` tag ([`error_tag`]) and
//! the variant's fields in declaration order.

use crate::codec::{DecodeError, Reader, Writer};
use crate::{Limit, TaskletError};

/// Tags of [`TaskletError`] variants in [`encode_error`]'s encoding.
pub mod error_tag {
    /// `TaskletError::InvalidConfig`.
    pub const INVALID_CONFIG: u32 = 1;
    /// `TaskletError::SharedTooSmall`.
    pub const SHARED_TOO_SMALL: u32 = 2;
    /// `TaskletError::ScratchTooSmall`.
    pub const SCRATCH_TOO_SMALL: u32 = 3;
    /// `TaskletError::FuelExhausted`.
    pub const FUEL_EXHAUSTED: u32 = 4;
    /// `TaskletError::Cancelled`.
    pub const CANCELLED: u32 = 5;
    /// `TaskletError::DeadlineExceeded`.
    pub const DEADLINE_EXCEEDED: u32 = 6;
    /// `TaskletError::BarrierMismatch`.
    pub const BARRIER_MISMATCH: u32 = 7;
    /// `TaskletError::WorkerPanicked`.
    pub const WORKER_PANICKED: u32 = 8;
    /// `TaskletError::CoordinatorPanicked`.
    pub const COORDINATOR_PANICKED: u32 = 9;
    /// `TaskletError::StackOverflow`.
    pub const STACK_OVERFLOW: u32 = 10;
    /// `TaskletError::Trap`.
    pub const TRAP: u32 = 11;
    /// `TaskletError::Abi`.
    pub const ABI: u32 = 12;
    /// `TaskletError::Failed`.
    pub const FAILED: u32 = 13;
    /// `TaskletError::LimitExceeded`.
    pub const LIMIT_EXCEEDED: u32 = 14;
    /// `TaskletError::CallDepthExceeded`.
    pub const CALL_DEPTH_EXCEEDED: u32 = 15;
    /// `TaskletError::PartitionMisuse`.
    pub const PARTITION_MISUSE: u32 = 16;
}

/// Encodes an error so it can cross the guest/runtime boundary.
///
/// ```
/// use grafos_abi::{self as abi, TaskletError};
/// let e = TaskletError::WorkerPanicked { lane: 2, message: "boom".into() };
/// assert_eq!(abi::decode_error(&abi::encode_error(&e)).unwrap(), e);
/// ```
pub fn encode_error(error: &TaskletError) -> Vec<u8> {
    use error_tag as t;
    let mut w = Writer(Vec::with_capacity(32));
    match error {
        TaskletError::InvalidConfig { reason } => w.u32(t::INVALID_CONFIG).str(reason),
        TaskletError::SharedTooSmall { need, have } => {
            w.u32(t::SHARED_TOO_SMALL).usize(*need).usize(*have)
        }
        TaskletError::ScratchTooSmall { need, have } => {
            w.u32(t::SCRATCH_TOO_SMALL).usize(*need).usize(*have)
        }
        TaskletError::FuelExhausted {
            budget,
            used,
            lane,
            since_sdk_call,
        } => w
            .u32(t::FUEL_EXHAUSTED)
            .u64(*budget)
            .u64(*used)
            .usize(*lane)
            .u64(since_sdk_call.unwrap_or(u64::MAX)),
        TaskletError::CallDepthExceeded { lane, max_depth } => {
            w.u32(t::CALL_DEPTH_EXCEEDED).usize(*lane).u32(*max_depth)
        }
        TaskletError::Cancelled => w.u32(t::CANCELLED),
        TaskletError::DeadlineExceeded => w.u32(t::DEADLINE_EXCEEDED),
        TaskletError::BarrierMismatch {
            lane,
            reached,
            expected,
        } => w
            .u32(t::BARRIER_MISMATCH)
            .usize(*lane)
            .u32(*reached)
            .u32(*expected),
        TaskletError::WorkerPanicked { lane, message } => {
            w.u32(t::WORKER_PANICKED).usize(*lane).str(message)
        }
        TaskletError::CoordinatorPanicked { message } => {
            w.u32(t::COORDINATOR_PANICKED).str(message)
        }
        TaskletError::StackOverflow { lane } => w.u32(t::STACK_OVERFLOW).usize(*lane),
        TaskletError::Trap { lane, message } => w.u32(t::TRAP).usize(*lane).str(message),
        TaskletError::PartitionMisuse { lane, message } => {
            w.u32(t::PARTITION_MISUSE).usize(*lane).str(message)
        }
        TaskletError::Abi { message } => w.u32(t::ABI).str(message),
        TaskletError::Failed { message } => w.u32(t::FAILED).str(message),
        TaskletError::LimitExceeded {
            limit,
            max,
            requested,
        } => w
            .u32(t::LIMIT_EXCEEDED)
            .u32(limit.code())
            .u64(*max)
            .u64(*requested),
    };
    w.0
}

/// Decodes an error encoded by [`encode_error`]. Never panics.
pub fn decode_error(bytes: &[u8]) -> Result<TaskletError, DecodeError> {
    use error_tag as t;
    let mut r = Reader::new(bytes);
    let tag = r.u32("error tag")?;
    let error = match tag {
        t::INVALID_CONFIG => TaskletError::InvalidConfig {
            reason: r.string("reason")?,
        },
        t::SHARED_TOO_SMALL => TaskletError::SharedTooSmall {
            need: r.usize("need")?,
            have: r.usize("have")?,
        },
        t::SCRATCH_TOO_SMALL => TaskletError::ScratchTooSmall {
            need: r.usize("need")?,
            have: r.usize("have")?,
        },
        t::FUEL_EXHAUSTED => TaskletError::FuelExhausted {
            budget: r.u64("budget")?,
            used: r.u64("used")?,
            lane: r.usize("lane")?,
            since_sdk_call: Some(r.u64("since_sdk_call")?).filter(|&n| n != u64::MAX),
        },
        t::CALL_DEPTH_EXCEEDED => TaskletError::CallDepthExceeded {
            lane: r.usize("lane")?,
            max_depth: r.u32("max_depth")?,
        },
        t::CANCELLED => TaskletError::Cancelled,
        t::DEADLINE_EXCEEDED => TaskletError::DeadlineExceeded,
        t::BARRIER_MISMATCH => TaskletError::BarrierMismatch {
            lane: r.usize("lane")?,
            reached: r.u32("reached")?,
            expected: r.u32("expected")?,
        },
        t::WORKER_PANICKED => TaskletError::WorkerPanicked {
            lane: r.usize("lane")?,
            message: r.string("message")?,
        },
        t::COORDINATOR_PANICKED => TaskletError::CoordinatorPanicked {
            message: r.string("message")?,
        },
        t::STACK_OVERFLOW => TaskletError::StackOverflow {
            lane: r.usize("lane")?,
        },
        t::TRAP => TaskletError::Trap {
            lane: r.usize("lane")?,
            message: r.string("message")?,
        },
        t::PARTITION_MISUSE => TaskletError::PartitionMisuse {
            lane: r.usize("lane")?,
            message: r.string("message")?,
        },
        t::ABI => TaskletError::Abi {
            message: r.string("message")?,
        },
        t::FAILED => TaskletError::Failed {
            message: r.string("message")?,
        },
        t::LIMIT_EXCEEDED => {
            let code = r.u32("limit")?;
            let limit = Limit::from_code(code).ok_or(DecodeError::OutOfRange {
                what: "limit",
                value: u64::from(code),
            })?;
            TaskletError::LimitExceeded {
                limit,
                max: r.u64("max")?,
                requested: r.u64("requested")?,
            }
        }
        other => return Err(DecodeError::UnknownTag(other)),
    };
    if !r.is_empty() {
        return Err(DecodeError::BodyLength {
            declared: bytes.len(),
            used: r.at,
        });
    }
    Ok(error)
}
