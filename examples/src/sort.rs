//! # Merge sort of `u32` — sorted leaves, then one task per merge
//!
//! The input is a vector of little-endian `u32`s; the output is the same
//! values in ascending order.
//!
//! The first region sorts leaves of [`LEAF`] values, one task each; then
//! each region merges pairs of adjacent runs into runs twice as long, one
//! task per pair, until one run is left. The values live in two
//! [`Partitioned`](grafos::cpu::Partitioned) buffers: a merge task reads
//! the source buffer whole and writes its own chunk of the other, split
//! [`Split::Chunks`] of the merged run's length, so a level is
//! `parallel_for_tasks` over the pairs, with no striding by hand. The
//! result is unique (a sorted sequence), so it is the same on every target
//! and lane count.

use grafos::prelude::*;

use crate::inputs::{read_u32s, u32s};

/// Values per leaf, sorted by one task.
pub const LEAF: usize = 1 << 12;

/// The two buffers, the length of the runs a level merges, and which
/// buffer holds them.
#[derive(Default, Debug)]
pub struct Runs {
    buffers: [Partitioned<u32>; 2],
    width: usize,
    src: usize,
}

#[grafos::tasklet(name = "sort", workers = 4, shared = Runs)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let values = read_u32s(coord.input());
        let n = values.len();
        let runs = coord.shared_mut();
        runs.buffers[1].as_mut_vec().resize(n, 0);
        *runs.buffers[0].as_mut_vec() = values;
        runs.buffers[0].set_split(Split::Chunks(LEAF))?;
        coord.parallel_for_tasks(n.div_ceil(LEAF), sort_leaf)?;
        let (mut width, mut src) = (LEAF, 0);
        while width < n {
            let runs = coord.shared_mut();
            (runs.width, runs.src) = (width, src);
            runs.buffers[1 - src].set_split(Split::Chunks(2 * width))?;
            coord.parallel_for_tasks(n.div_ceil(2 * width), merge_pair)?;
            (width, src) = (2 * width, 1 - src);
        }
        Ok(u32s(coord.shared_mut().buffers[src].as_mut_slice()))
    }

    #[worker]
    fn sort_leaf(runs: &Runs, task: Task) -> Result<(), TaskletError> {
        runs.buffers[0].part_mut(task)?.sort_unstable();
        Ok(())
    }

    #[worker]
    fn merge_pair(runs: &Runs, task: Task) -> Result<(), TaskletError> {
        let src = runs.buffers[runs.src].read(task)?;
        let mut out = runs.buffers[1 - runs.src].part_mut(task)?;
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
