//! One small tasklet, `count`: the module grafos-runtime's cold-start
//! benchmark loads, compiles, instantiates and runs.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use grafos::prelude::*;

/// The running total of the input's bytes.
#[derive(Debug, Default)]
pub struct Shared {
    total: AtomicU64,
}

/// `count`: 3 lanes sum the input's bytes; the output is the sum, a
/// little-endian `u64`.
#[grafos::tasklet(workers = 3, shared = Shared, shared_bytes = 16, fuel = 10_000_000)]
pub mod count {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(add)?;
        Ok(coord.shared().total.load(Relaxed).to_le_bytes().to_vec())
    }

    #[worker]
    fn add(shared: &Shared, input: &[u8], lane: Lane) {
        let sum: u64 = input[lane.partition(input.len())]
            .iter()
            .map(|&b| u64::from(b))
            .sum();
        shared.total.fetch_add(sum, Relaxed);
    }
}

/// `count` on the host mock.
#[cfg(not(target_arch = "wasm32"))]
pub fn count(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    count::run_host(input)
}
