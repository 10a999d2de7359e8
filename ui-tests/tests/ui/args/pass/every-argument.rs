//! Every argument set, and what each one changes.
use grafos::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

#[derive(Default)]
pub struct Total {
    sum: AtomicU64,
}

#[derive(Default)]
pub struct Seen {
    count: u32,
}

mod sdk {
    pub use grafos;
}

#[grafos::tasklet(
    workers = 5,
    shared = Total,
    scratch = Seen,
    shared_bytes = 0x1000,
    scratch_bytes = 64,
    fuel = 3,
    cores = 2,
    name = "sum_v2",
    crate = crate::sdk::grafos,
)]
mod sum {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        if coord.input() == b"spin" {
            loop {
                coord.fuel_checkpoint()?;
            }
        }
        assert_eq!(coord.shared_region().arena_len_bytes(), 0x1000 - 16);
        coord.parallel_for_workers(add)?;
        let seen: u32 = (0..4).map(|i| coord.data_scratch(i).count).sum();
        let mut out = coord.shared().sum.load(Relaxed).to_le_bytes().to_vec();
        out.extend(seen.to_le_bytes());
        Ok(out)
    }

    #[worker]
    fn add(total: &Total, seen: &mut Seen, input: &[u8], lane: Lane) -> Result<(), TaskletError> {
        let mine = &input[lane.partition(input.len())];
        seen.count = mine.len() as u32;
        total.sum.fetch_add(mine.iter().map(|&b| u64::from(b)).sum(), Relaxed);
        Ok(())
    }
}

fn main() {
    let info = &sum::INFO;
    assert_eq!(info.name, "sum_v2");
    assert_eq!((info.workers, info.shared_bytes, info.scratch_bytes, info.fuel), (5, 0x1000, 64, 3));
    assert_eq!(info.worker_names[..], ["add"]);
    let out = sum::run_host(&[1, 2, 3, 4, 5, 6, 7]).unwrap();
    assert_eq!(out.output()[..8], 28u64.to_le_bytes());
    assert_eq!(out.output()[8..], 7u32.to_le_bytes());
    // `fuel = 3` is the launch's budget; the builder can change it.
    let spent = sum::run_host(b"spin").unwrap_err();
    assert!(matches!(spent, TaskletError::FuelExhausted { budget: 3, .. }), "{spent:?}");
    let builder = sum::builder().fuel(1_000).input(b"spin");
    let spent = sum::run_host_with(builder).unwrap_err();
    assert!(matches!(spent, TaskletError::FuelExhausted { budget: 1_000, .. }), "{spent:?}");
}
