//! # Integer sum and dot product — per-lane partials combined in lane order
//!
//! The input is a vector of little-endian `i32`s (trailing bytes ignored):
//! its first half is `a`, its second half `b` (an odd element out belongs to
//! neither). Each data lane computes, over its block of indices, the partial
//! sum of all its elements and the partial dot product `Σ a[i]·b[i]` in
//! `i64`, and leaves them in its scratch; the coordinator adds the partials
//! in lane order.
//!
//! Wrapping `i64` addition would give the same result in any order; the
//! lane-order combination is the pattern to copy for operations that are
//! not commutative (or not associative, like floating-point addition).
//!
//! Output: the sum of all elements, then the dot product, as
//! little-endian `i64`s.

use grafos::prelude::*;

/// A lane's partial results.
#[derive(Default, Debug)]
pub struct Partial {
    sum: i64,
    dot: i64,
}

fn element(input: &[u8], i: usize) -> i64 {
    let b = &input[4 * i..4 * i + 4];
    i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[grafos::tasklet(name = "dot", workers = 4, scratch = Partial)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(partials)?;
        let (mut sum, mut dot) = (0i64, 0i64);
        for lane in 0..coord.data_worker_count() {
            let p = coord.data_scratch(lane);
            sum = sum.wrapping_add(p.sum);
            dot = dot.wrapping_add(p.dot);
        }
        Ok([sum.to_le_bytes(), dot.to_le_bytes()].concat())
    }

    #[worker]
    fn partials(partial: &mut Partial, input: &[u8], lane: Lane) {
        let elements = input.len() / 4;
        let half = elements / 2;
        let (mut sum, mut dot) = (0i64, 0i64);
        for i in lane.partition(elements) {
            sum = sum.wrapping_add(element(input, i));
        }
        for i in lane.partition(half) {
            dot = dot.wrapping_add(element(input, i).wrapping_mul(element(input, half + i)));
        }
        *partial = Partial { sum, dot };
    }
}

/// The sequential reference.
pub fn reference(input: &[u8]) -> Vec<u8> {
    let elements = input.len() / 4;
    let half = elements / 2;
    let sum = (0..elements).fold(0i64, |s, i| s.wrapping_add(element(input, i)));
    let dot = (0..half).fold(0i64, |d, i| {
        d.wrapping_add(element(input, i).wrapping_mul(element(input, half + i)))
    });
    [sum.to_le_bytes(), dot.to_le_bytes()].concat()
}
