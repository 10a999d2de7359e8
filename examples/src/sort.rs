//! # Merge sort of `u32` — sorted leaves, then one task per merge
//!
//! The input is a vector of little-endian `u32`s; the output is the same
//! values in ascending order.
//!
//! The first region sorts leaves of [`LEAF`] values, one task each; then
//! each region merges pairs of adjacent runs into runs twice as long, one
//! task per pair, until one run is left. The values live in a
//! [`DoubleBuffer`](grafos::cpu::DoubleBuffer): a merge task reads the
//! current buffer whole and writes its own chunk of the next, split
//! [`Split::Chunks`] of the merged run's length, so a level is
//! `parallel_for_tasks` over the pairs, with no striding by hand. The
//! result is unique (a sorted sequence), so it is the same on every target
//! and lane count.

use grafos::prelude::*;

use crate::inputs::{read_u32s, u32s};

/// Values per leaf, sorted by one task.
pub const LEAF: usize = 1 << 12;

/// The values, and the length of the runs a level merges.
#[derive(Default, Debug)]
pub struct Runs {
    values: DoubleBuffer<u32>,
    width: usize,
}

#[grafos::tasklet(name = "sort", workers = 4, shared = Runs)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let values = DoubleBuffer::new(read_u32s(coord.input()));
        let n = values.current().len();
        *coord.shared_mut() = Runs { values, width: 0 };
        coord.shared_mut().values.set_split(Split::Chunks(LEAF))?;
        coord.parallel_for_tasks(n.div_ceil(LEAF), sort_leaf)?;
        let mut width = LEAF;
        while width < n {
            let runs = coord.shared_mut();
            runs.width = width;
            runs.values.set_split(Split::Chunks(2 * width))?;
            coord.parallel_for_tasks(n.div_ceil(2 * width), merge_pair)?;
            coord.shared_mut().values.flip();
            width *= 2;
        }
        Ok(u32s(coord.shared_mut().values.current_mut()))
    }

    #[worker]
    fn sort_leaf(runs: &Runs, task: Task) -> Result<(), TaskletError> {
        runs.values.current().part_mut(task)?.sort_unstable();
        Ok(())
    }

    #[worker]
    fn merge_pair(runs: &Runs, task: Task) -> Result<(), TaskletError> {
        let (src, mut out) = runs.values.step(task)?;
        let range = out.range();
        let mid = (range.start + runs.width).min(range.end);
        merge(&src[range.start..mid], &src[mid..range.end], &mut out);
        Ok(())
    }
}

/// Merges the sorted runs `a` and `b` into `out` (`a.len() + b.len()` long).
pub fn merge(a: &[u32], b: &[u32], out: &mut [u32]) {
    let (mut i, mut j) = (0, 0);
    for slot in out {
        if j == b.len() || (i < a.len() && a[i] <= b[j]) {
            *slot = a[i];
            i += 1;
        } else {
            *slot = b[j];
            j += 1;
        }
    }
}

/// The sequential reference.
pub fn reference(input: &[u8]) -> Vec<u8> {
    let mut values = read_u32s(input);
    values.sort_unstable();
    u32s(&values)
}
