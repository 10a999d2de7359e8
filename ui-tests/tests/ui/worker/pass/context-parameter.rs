//! A histogram whose worker takes the lane's context, with a scratch per lane.
use grafos::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

pub struct Shared {
    counts: [AtomicU32; 256],
}

impl Default for Shared {
    fn default() -> Self {
        Self { counts: std::array::from_fn(|_| AtomicU32::new(0)) }
    }
}

#[derive(Clone)]
pub struct Scratch {
    local: [u32; 256],
}

impl Default for Scratch {
    fn default() -> Self {
        Self { local: [0; 256] }
    }
}

#[grafos::tasklet(workers = 4, shared = Shared, scratch = Scratch)]
pub mod histogram {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(count)?;
        let mut out = Vec::with_capacity(1024);
        for c in &coord.shared().counts {
            out.extend(c.load(Relaxed).to_le_bytes())
        }
        coord.set_output(&out);
        Ok(())
    }

    #[worker]
    fn count(w: &mut Worker) {
        let range = w.partition(w.input().len());
        for i in range {
            let b = w.input()[i];
            w.scratch_mut().local[b as usize] += 1;
        }
        for (i, n) in w.scratch().local.iter().enumerate() {
            w.shared().counts[i].fetch_add(*n, Relaxed);
        }
    }
}

fn main() {
    let out = histogram::run_host(b"abca").unwrap();
    assert_eq!(&out.output()[97 * 4..98 * 4], &2u32.to_le_bytes());
    assert_eq!(&out.output()[98 * 4..99 * 4], &1u32.to_le_bytes());
    assert_eq!(out.output().len(), 1024);
    assert_eq!(histogram::INFO.worker_names[..], ["count"]);
}
