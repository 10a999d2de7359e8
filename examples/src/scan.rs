//! # Inclusive prefix scan — two phases and a barrier
//!
//! The input is a vector of little-endian `u32`s; the output is its inclusive
//! prefix sum (`out[i] = in[0] + … + in[i]`, wrapping), as little-endian
//! `u32`s.
//!
//! Phase 1: each data lane scans its own block into its scratch and
//! publishes the block's total in the shared region. A
//! [`barrier`](grafos::cpu::WorkerCtx::barrier) makes every total visible to
//! every lane. Phase 2: each lane adds the totals of the lanes before it —
//! in lane order — to its block. The coordinator concatenates the blocks in
//! lane order.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use grafos::cpu::WorkerParts;
use grafos::prelude::*;

/// One block total per data lane.
#[derive(Default, Debug)]
pub struct Shared {
    totals: Vec<AtomicU32>,
}

/// A lane's block of the result.
#[derive(Default, Debug)]
pub struct Scratch {
    prefix: Vec<u32>,
}

fn element(input: &[u8], i: usize) -> u32 {
    let b = &input[4 * i..4 * i + 4];
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

#[grafos::tasklet(name = "scan", workers = 4, shared = Shared, scratch = Scratch)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let lanes = coord.data_worker_count();
        coord.shared_mut().totals = (0..lanes).map(|_| AtomicU32::new(0)).collect();
        coord.parallel_for_workers(scan)?;
        let mut out = Vec::with_capacity(coord.input().len());
        for lane in 0..lanes {
            out.extend(
                coord
                    .data_scratch(lane)
                    .prefix
                    .iter()
                    .flat_map(|v| v.to_le_bytes()),
            );
        }
        Ok(out)
    }

    #[worker]
    fn scan(w: &mut Worker) -> Result<(), TaskletError> {
        // Phase 1: scan the block, publish its total.
        let WorkerParts {
            shared,
            scratch,
            input,
            lane,
            ..
        } = w.parts();
        let mut total = 0u32;
        scratch.prefix.clear();
        for i in lane.partition(input.len() / 4) {
            total = total.wrapping_add(element(input, i));
            scratch.prefix.push(total);
        }
        shared.totals[lane.index].store(total, Relaxed);

        w.barrier()?;

        // Phase 2: offset the block by the totals of the lanes before it.
        let WorkerParts {
            shared,
            scratch,
            lane,
            ..
        } = w.parts();
        let offset = shared.totals[..lane.index]
            .iter()
            .fold(0u32, |o, t| o.wrapping_add(t.load(Relaxed)));
        for v in &mut scratch.prefix {
            *v = v.wrapping_add(offset);
        }
        Ok(())
    }
}

/// The sequential reference.
pub fn reference(input: &[u8]) -> Vec<u8> {
    let mut total = 0u32;
    (0..input.len() / 4)
        .flat_map(|i| {
            total = total.wrapping_add(element(input, i));
            total.to_le_bytes()
        })
        .collect()
}
