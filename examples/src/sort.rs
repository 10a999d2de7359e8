//! # Parallel sort of `u32` — local sort, then merge rounds between barriers
//!
//! The input is a vector of little-endian `u32`s; the output is the same
//! values in ascending order.
//!
//! One region does all the work. Each data lane sorts its block into a
//! shared buffer; then, round after round, separated by
//! [`barrier`](grafos::cpu::WorkerCtx::barrier)s, pairs of adjacent sorted
//! runs are merged into the other buffer: in round `r` lane `g` (with `g` a
//! multiple of `2^(r+1)`) merges the run of lanes `g..g+2^r` with the run of
//! lanes `g+2^r..g+2^(r+1)`; a run without a partner is copied. After
//! `⌈log₂ lanes⌉` rounds one run is left. Every lane calls `barrier` in
//! every round, merging or not: a lane that skipped one would leave the
//! others waiting (`BarrierMismatch`).
//!
//! Lanes write disjoint index ranges of the shared buffers through
//! `AtomicU32` with `Relaxed` stores; the barrier orders each round's writes
//! before the next round's reads. The result is unique (a sorted sequence),
//! so it is the same on every target and lane count.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use grafos::cpu::partition;
use grafos::prelude::*;

/// The two buffers the merge rounds alternate between.
#[derive(Default, Debug)]
pub struct Shared {
    buffers: [Vec<AtomicU32>; 2],
    /// Which buffer holds the result once the region is over.
    result: usize,
}

/// Merge rounds for `lanes` runs: `⌈log₂ lanes⌉`.
fn rounds(lanes: usize) -> usize {
    lanes.next_power_of_two().trailing_zeros() as usize
}

#[grafos::tasklet(name = "sort", workers = 4, shared = Shared)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let n = coord.input().len() / 4;
        let lanes = coord.data_worker_count();
        let buffer = || (0..n).map(|_| AtomicU32::new(0)).collect::<Vec<_>>();
        *coord.shared_mut() = Shared {
            buffers: [buffer(), buffer()],
            result: rounds(lanes) % 2,
        };
        coord.parallel_for_workers(sort_and_merge)?;
        let shared = coord.shared();
        Ok(shared.buffers[shared.result]
            .iter()
            .flat_map(|v| v.load(Relaxed).to_le_bytes())
            .collect())
    }

    #[worker]
    fn sort_and_merge(w: &mut Worker) -> Result<(), TaskletError> {
        let (lane, lanes) = (w.data_worker_index(), w.data_worker_count());
        let n = w.input().len() / 4;
        // The element range of the run made of lanes `first..end`.
        let run = |first: usize, end: usize| {
            partition::even(n, lanes, first).start..partition::even(n, lanes, end - 1).end
        };

        let mut block: Vec<u32> = w.input()
            [4 * run(lane, lane + 1).start..4 * run(lane, lane + 1).end]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        block.sort_unstable();
        let buffers = &w.shared().buffers;
        for (slot, v) in buffers[0][run(lane, lane + 1)].iter().zip(block) {
            slot.store(v, Relaxed);
        }

        for round in 0..rounds(lanes) {
            w.barrier()?;
            let width = 1 << round;
            if lane % (2 * width) != 0 {
                continue;
            }
            let (src, dst) = (&buffers[round % 2], &buffers[(round + 1) % 2]);
            let mid = (lane + width).min(lanes);
            let end = (lane + 2 * width).min(lanes);
            let left = run(lane, mid);
            let right = if mid < end {
                run(mid, end)
            } else {
                left.end..left.end
            };
            merge(
                &src[left.clone()],
                &src[right.clone()],
                &dst[left.start..right.end],
            );
        }
        Ok(())
    }
}

/// Merges the sorted runs `a` and `b` into `out` (`a.len() + b.len()` slots).
fn merge(a: &[AtomicU32], b: &[AtomicU32], out: &[AtomicU32]) {
    let (mut i, mut j) = (0, 0);
    for slot in out {
        let take_a = j == b.len() || (i < a.len() && a[i].load(Relaxed) <= b[j].load(Relaxed));
        let v = if take_a {
            i += 1;
            a[i - 1].load(Relaxed)
        } else {
            j += 1;
            b[j - 1].load(Relaxed)
        };
        slot.store(v, Relaxed);
    }
}

/// The sequential reference.
pub fn reference(input: &[u8]) -> Vec<u8> {
    let mut values = crate::inputs::read_u32s(input);
    values.sort_unstable();
    crate::inputs::u32s(&values)
}
