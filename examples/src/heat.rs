//! # Heat diffusion — an iterative stencil, one region per step
//!
//! A rod of `n` cells, one per input byte, starts at the byte's value. Each
//! of [`STEPS`] Jacobi steps replaces every inner cell by the mean of itself
//! and its two neighbours, `(left + here + right) / 3` evaluated in that
//! order, while both ends stay fixed. Output: the final temperatures as
//! little-endian `f64`s.
//!
//! Every step is one region: each data lane computes its block of the next
//! state from the current one — reading neighbours across block boundaries
//! from the shared region — and the coordinator swaps the two buffers
//! between regions, when no lane runs. A step needs all of the previous
//! step, and the region boundary is the synchronisation. Every cell's value
//! comes from one expression in one evaluation order, so the bits are the
//! same for any lane count and on both targets.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use grafos::prelude::*;

/// Jacobi steps per launch.
pub const STEPS: usize = 24;

/// The current and the next temperatures, as `f64` bits.
#[derive(Default, Debug)]
pub struct Rod {
    current: Vec<AtomicU64>,
    next: Vec<AtomicU64>,
}

fn cell(v: f64) -> AtomicU64 {
    AtomicU64::new(v.to_bits())
}

fn get(cells: &[AtomicU64], i: usize) -> f64 {
    f64::from_bits(cells[i].load(Relaxed))
}

fn step(left: f64, here: f64, right: f64) -> f64 {
    (left + here + right) / 3.0
}

#[grafos::tasklet(name = "heat", workers = 4, shared = Rod)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let start: Vec<f64> = coord.input().iter().map(|&b| f64::from(b)).collect();
        let rod = coord.shared_mut();
        rod.current = start.iter().map(|&t| cell(t)).collect();
        rod.next = start.iter().map(|&t| cell(t)).collect();
        for _ in 0..STEPS {
            coord.parallel_for_workers(diffuse)?;
            let rod = coord.shared_mut();
            std::mem::swap(&mut rod.current, &mut rod.next);
        }
        Ok(coord
            .shared()
            .current
            .iter()
            .flat_map(|c| c.load(Relaxed).to_le_bytes())
            .collect())
    }

    #[worker]
    fn diffuse(rod: &Rod, lane: Lane) {
        let n = rod.current.len();
        for i in lane.partition(n) {
            if i == 0 || i + 1 == n {
                continue; // the ends stay fixed
            }
            let t = step(
                get(&rod.current, i - 1),
                get(&rod.current, i),
                get(&rod.current, i + 1),
            );
            rod.next[i].store(t.to_bits(), Relaxed);
        }
    }
}

/// The sequential reference.
pub fn reference(input: &[u8]) -> Vec<u8> {
    let mut current: Vec<f64> = input.iter().map(|&b| f64::from(b)).collect();
    let mut next = current.clone();
    let n = current.len();
    for _ in 0..STEPS {
        for i in 1..n.saturating_sub(1) {
            next[i] = step(current[i - 1], current[i], current[i + 1]);
        }
        std::mem::swap(&mut current, &mut next);
    }
    current
        .iter()
        .flat_map(|t| t.to_bits().to_le_bytes())
        .collect()
}
