//! # Heat diffusion — an iterative stencil, one region per step
//!
//! A rod of `n` cells, one per input byte, starts at the byte's value. Each
//! of [`STEPS`] Jacobi steps replaces every inner cell by the mean of itself
//! and its two neighbours, `(left + here + right) / 3` evaluated in that
//! order, while both ends stay fixed. Output: the final temperatures as
//! little-endian `f64`s.
//!
//! Every step is one region: the temperatures are a
//! [`DoubleBuffer`](grafos::cpu::DoubleBuffer), each data lane reads the
//! current state whole (neighbours across block boundaries included) and
//! writes its block of the next one, and the coordinator flips the two
//! between regions, when no lane runs. A step needs all of the previous
//! step, and the region boundary is the synchronisation. Every cell's value
//! comes from one expression in one evaluation order, so the bits are the
//! same for any lane count and on both targets.

use grafos::prelude::*;

/// Jacobi steps per launch.
pub const STEPS: usize = 24;

fn step(left: f64, here: f64, right: f64) -> f64 {
    (left + here + right) / 3.0
}

#[grafos::tasklet(name = "heat", workers = 4, shared = DoubleBuffer<f64>)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let start = coord.input().iter().map(|&b| f64::from(b)).collect();
        *coord.shared_mut() = DoubleBuffer::new(start);
        for _ in 0..STEPS {
            coord.parallel_for_workers(diffuse)?;
            coord.shared_mut().flip();
        }
        let rod = coord.shared_mut().current_mut();
        Ok(rod.iter().flat_map(|t| t.to_bits().to_le_bytes()).collect())
    }

    #[worker]
    fn diffuse(rod: &DoubleBuffer<f64>, lane: Lane) -> Result<(), TaskletError> {
        let (now, mut next) = rod.step(lane)?;
        let n = now.len();
        for (i, t) in next.range().zip(next.iter_mut()) {
            // The ends stay fixed.
            if i > 0 && i + 1 < n {
                *t = step(now[i - 1], now[i], now[i + 1]);
            }
        }
        Ok(())
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
