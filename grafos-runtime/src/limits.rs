//! [`MemoryLimiter`]: caps a launch's linear memory and remembers the
//! request it denied.
//!
//! A denied `memory.grow` returns -1 to the guest; Rust's allocator then
//! aborts, which on wasm32 is an `unreachable` trap. The trap alone says
//! nothing about memory, so the limiter records the denial and the scheduler
//! reports the trap as `LimitExceeded { limit: Memory, .. }`.

use wasmi::ResourceLimiter;
use wasmi_core::LimiterError;

/// Tables a module may define: Rust guests have one, for indirect calls.
const MAX_TABLES: usize = 4;

/// Elements a table may grow to.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

/// A `memory.grow` the limiter refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeniedGrowth {
    /// The cap, in bytes.
    pub(crate) max: u64,
    /// The size the guest asked for, in bytes.
    pub(crate) requested: u64,
}

/// The resource limiter of one launch's store.
#[derive(Debug)]
pub(crate) struct MemoryLimiter {
    max_bytes: usize,
    denied: Option<DeniedGrowth>,
}

impl MemoryLimiter {
    pub(crate) fn new(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            denied: None,
        }
    }

    /// The growth refused since the last call, if any.
    pub(crate) fn take_denied(&mut self) -> Option<DeniedGrowth> {
        self.denied.take()
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        if desired > self.max_bytes {
            self.denied = Some(DeniedGrowth {
                max: self.max_bytes as u64,
                requested: desired as u64,
            });
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        1
    }
}
