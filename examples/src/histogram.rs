//! # Byte histogram — commutative integer atomics
//!
//! Each data lane counts the bytes of its block of the input
//! ([`partition`](grafos::cpu::WorkerCtx::partition)) into its own scratch,
//! then adds its 256 counts into shared `AtomicU32`s. Integer addition is
//! commutative and associative, so the order in which lanes add — which
//! differs between the host mock's threads and the runtime's schedule —
//! cannot change the result: this is the one kind of cross-lane combination
//! that needs no ordering.
//!
//! Output: 256 little-endian `u32` counts.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use grafos::prelude::*;

/// The shared counts.
#[derive(Debug)]
pub struct Shared {
    counts: [AtomicU32; 256],
}

// `#[derive(Default)]` stops at 32-element arrays.
impl Default for Shared {
    fn default() -> Self {
        Self {
            counts: std::array::from_fn(|_| AtomicU32::new(0)),
        }
    }
}

/// A lane's private counts, merged into [`Shared`] once per lane.
#[derive(Default, Debug)]
pub struct Scratch {
    local: Vec<u32>,
}

#[grafos::tasklet(name = "histogram", workers = 4, shared = Shared, scratch = Scratch)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(count)?;
        Ok(coord
            .shared()
            .counts
            .iter()
            .flat_map(|c| c.load(Relaxed).to_le_bytes())
            .collect())
    }

    #[worker]
    fn count(shared: &Shared, scratch: &mut Scratch, input: &[u8], lane: Lane) {
        let local = &mut scratch.local;
        local.clear();
        local.resize(256, 0);
        for &b in &input[lane.partition(input.len())] {
            local[b as usize] += 1;
        }
        for (total, &n) in shared.counts.iter().zip(local.iter()) {
            if n != 0 {
                total.fetch_add(n, Relaxed);
            }
        }
    }
}

/// The sequential reference: the same output in plain Rust.
pub fn reference(input: &[u8]) -> Vec<u8> {
    let mut counts = [0u32; 256];
    for &b in input {
        counts[b as usize] += 1;
    }
    counts.iter().flat_map(|c| c.to_le_bytes()).collect()
}
