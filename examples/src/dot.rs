//! # Integer sum and dot product — an `all_reduce` of per-lane partials
//!
//! The input is a vector of little-endian `i32`s (trailing bytes ignored):
//! its first half is `a`, its second half `b` (an odd element out belongs to
//! neither). Each data lane computes, over its block of indices, the partial
//! sum of all its elements and the partial dot product `Σ a[i]·b[i]` in
//! `i64`; [`all_reduce`](grafos::cpu::WorkerCtx::all_reduce) adds the
//! lanes' `[sum, dot]` pairs in lane order, and every lane gets the totals.
//!
//! Wrapping `i64` addition would give the same result in any order; the
//! collective's lane order is what makes the same code right for operations
//! that are not commutative (or not associative, like floating-point
//! addition).
//!
//! Output: the sum of all elements, then the dot product, as
//! little-endian `i64`s.

use grafos::prelude::*;

fn add(a: [i64; 2], b: [i64; 2]) -> [i64; 2] {
    [a[0].wrapping_add(b[0]), a[1].wrapping_add(b[1])]
}

#[grafos::tasklet(name = "dot", workers = 4)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<[i64; 2]>, TaskletError> {
        Ok(coord.map_workers(partials)?[..1].to_vec()) // every lane has the totals
    }

    #[worker]
    fn partials(w: &Worker) -> Result<[i64; 2], TaskletError> {
        let x = w.input_as::<i32>();
        let half = x.len() / 2;
        let sum = w.partition(x.len()).map(|i| i64::from(x[i]));
        let dot = w
            .partition(half)
            .map(|i| i64::from(x[i]) * i64::from(x[half + i]));
        let partial = [
            sum.fold(0, i64::wrapping_add),
            dot.fold(0, i64::wrapping_add),
        ];
        w.all_reduce(partial, add)
    }
}

fn element(input: &[u8], i: usize) -> i64 {
    let b = &input[4 * i..4 * i + 4];
    i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
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
