//! The same histogram with plain parameters, next to the other forms a
//! worker may take.
use grafos::prelude::*;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::Relaxed};

pub struct Shared {
    counts: [AtomicU32; 256],
    regions: AtomicUsize,
}

impl Default for Shared {
    fn default() -> Self {
        Self { counts: std::array::from_fn(|_| AtomicU32::new(0)), regions: AtomicUsize::new(0) }
    }
}

pub struct Scratch {
    local: [u32; 256],
    lane: Option<Lane>,
}

impl Default for Scratch {
    fn default() -> Self {
        Self { local: [0; 256], lane: None }
    }
}

#[grafos::tasklet(workers = 4, shared = Shared, scratch = Scratch)]
pub mod histogram {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(count)?;
        coord.parallel_for_workers(record_lane)?;
        coord.parallel_for_workers(look)?;
        coord.parallel_for_workers(tick)?;
        // A closure still works beside the named workers.
        coord.parallel_for_workers(|w| {
            assert!(w.scratch().lane.is_some());
        })?;
        for i in 0..coord.data_worker_count() {
            assert_eq!(coord.data_scratch(i).lane.map(|l| l.index), Some(i));
        }
        assert_eq!(coord.shared().regions.load(Relaxed), 3);
        Ok(coord.shared().counts.iter().flat_map(|c| c.load(Relaxed).to_le_bytes()).collect())
    }

    /// Counts this lane's block of the input.
    #[worker]
    fn count(shared: &Shared, scratch: &mut Scratch, input: &[u8], lane: Lane) -> Result<(), TaskletError> {
        for &b in &input[lane.partition(input.len())] {
            scratch.local[b as usize] += 1;
        }
        for (i, n) in scratch.local.iter().enumerate() {
            shared.counts[i].fetch_add(*n, Relaxed);
        }
        Ok(())
    }

    #[worker]
    fn record_lane(lane: Lane, scratch: &mut Scratch) {
        scratch.lane = Some(lane);
    }

    #[worker]
    fn look(w: &Worker) {
        assert_eq!(w.scratch().lane, Some(w.lane()));
        if w.data_worker_index() == 0 {
            w.shared().regions.fetch_add(3, Relaxed);
        }
    }

    #[worker]
    fn tick() {}
}

fn main() {
    let out = histogram::run_host(b"abca").unwrap();
    assert_eq!(&out.output()[97 * 4..98 * 4], &2u32.to_le_bytes());
    assert_eq!(out.regions(), 5);
    assert_eq!(histogram::INFO.worker_names[..], ["count", "record_lane", "look", "tick"]);
}
