//! The trybuild suite of `#[grafos::tasklet]` is in `tests/`. This library
//! holds two tasklets that `tests/wasm.rs` compiles to
//! `wasm32-unknown-unknown`, to check the entry exports and the records the
//! macro writes there against the same tasklets' `INFO` on the host.

use grafos::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The running total of [`sum`].
#[derive(Debug, Default)]
pub struct Total {
    sum: AtomicU64,
}

/// What one lane of [`sum`] saw: 8 bytes on the host, 4 in wasm32.
#[derive(Debug, Default)]
pub struct Seen {
    bytes: usize,
}

/// Sums the input's bytes: plain worker parameters, and a scratch type whose
/// size differs between targets.
#[grafos::tasklet(workers = 3, shared = Total, scratch = Seen)]
pub mod sum {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(add)?;
        let seen: usize = (0..coord.data_worker_count())
            .map(|i| coord.data_scratch(i).bytes)
            .sum();
        let mut out = coord.shared().sum.load(Relaxed).to_le_bytes().to_vec();
        out.extend((seen as u64).to_le_bytes());
        Ok(out)
    }

    #[worker]
    fn add(total: &Total, seen: &mut Seen, input: &[u8], lane: Lane) {
        let mine = &input[lane.partition(input.len())];
        seen.bytes = mine.len();
        let sum: u64 = mine.iter().map(|&b| u64::from(b)).sum();
        total.sum.fetch_add(sum, Relaxed);
    }
}

/// Reverses its input after two regions: every argument set explicitly, and
/// a worker of each form.
#[grafos::tasklet(
    workers = 5,
    cores = 2,
    shared_bytes = 4096,
    scratch_bytes = 64,
    fuel = 1_000_000,
    name = "reverse_v2",
    crate = ::grafos
)]
pub mod reverse {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(check)?;
        coord.parallel_for_workers(noop)?;
        Ok(coord.input().iter().rev().copied().collect())
    }

    #[worker]
    fn check(w: &mut Worker) -> Result<(), TaskletError> {
        if w.data_worker_index() >= w.data_worker_count() {
            return Err(TaskletError::failed("lane out of range"));
        }
        Ok(())
    }

    #[worker]
    fn noop() {}
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_run_on_the_host() {
        let out = super::sum::run_host(&[1, 2, 3, 250]).unwrap();
        assert_eq!(out.output()[..8], 256u64.to_le_bytes());
        assert_eq!(out.output()[8..], 4u64.to_le_bytes());
        let out = super::reverse::run_host(b"abc").unwrap();
        assert_eq!(out.output(), b"cba");
    }
}
