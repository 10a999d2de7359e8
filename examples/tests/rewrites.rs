//! The examples as they were before `Partitioned` and `parallel_for_tasks`
//! existed, kept to show that each rewrite gives the same bytes.
//!
//! `sort`: sorted blocks in atomics, merged in rounds between barriers,
//! each lane recomputing the split points and taking every k-th merge.
//! `heat`: the temperatures as `f64` bits in two vectors of atomics.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use grafos::cpu::partition;
use grafos::prelude::*;
use grafos_examples::inputs;

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

#[grafos::tasklet(name = "sort_rounds", workers = 4, shared = Shared, cross_target = false)]
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

#[test]
fn the_task_merge_sort_gives_the_barrier_rounds_bytes() {
    for workers in [2, 3, 5, 9] {
        for n in [0, 1, 7, 1001, 3 * grafos_examples::sort::LEAF + 5, 1 << 16] {
            let input = inputs::bytes(4 * n, n as u64);
            let old = tasklet::builder().workers(workers).input(&input);
            let old = tasklet::run_host_with(old).unwrap();
            use grafos_examples::sort::tasklet as new;
            let new = new::run_host_with(new::builder().workers(workers).input(&input)).unwrap();
            assert_eq!(old.output(), new.output(), "{workers} lanes, {n} values");
        }
    }
}

/// `heat` before `DoubleBuffer`.
mod heat_atomics {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

    use grafos::prelude::*;

    /// Jacobi steps per launch.
    const STEPS: usize = grafos_examples::heat::STEPS;

    /// The current and the next temperatures, as `f64` bits.
    #[derive(Default, Debug)]
    pub(crate) struct Rod {
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

    #[grafos::tasklet(name = "heat_atomics", workers = 4, shared = Rod, cross_target = false)]
    pub(crate) mod tasklet {
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
}

#[test]
fn the_double_buffer_heat_gives_the_atomic_heats_bytes() {
    use grafos_examples::heat::tasklet as new;
    use heat_atomics::tasklet as old;
    for workers in [2, 3, 5, 9] {
        for n in [0, 1, 2, 3, 7, 1001, 1 << 12] {
            let input = inputs::bytes(n, n as u64 + 7);
            let old = old::run_host_with(old::builder().workers(workers).input(&input)).unwrap();
            let new = new::run_host_with(new::builder().workers(workers).input(&input)).unwrap();
            assert_eq!(old.output(), new.output(), "{workers} lanes, {n} cells");
        }
    }
}
