//! `#[target_specific]` on a fn, a block, a statement or an expression
//! silences the portability checks below it, and nothing else.
#![deny(deprecated, warnings)]

use grafos::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

#[derive(Default)]
pub struct Raw {
    lanes: AtomicUsize,
    indices: AtomicUsize,
}

#[grafos::tasklet(workers = 4, shared = Raw)]
mod raw {
    use super::*;

    use std::time::Instant;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(count)?;
        coord.parallel_for_workers(sum_index)?;
        #[target_specific]
        coord.barrier()?;
        #[target_specific]
        let elapsed = Instant::now().elapsed();
        let _ = elapsed;
        #[target_specific]
        let caught = std::panic::catch_unwind(|| 1).unwrap_or(0);
        #[target_specific]
        eprintln!("{caught}");
        #[target_specific]
        let _cached = std::path::Path::new("cache.bin").exists();
        let lanes = #[target_specific] coord.worker_count();
        #[target_specific]
        let _raw_count = Coordinator::worker_count;
        #[target_specific]
        let _word = if cfg!(target_pointer_width = "64") { 8 } else { 4 };
        // `debug_assert!` is not judged: it cannot change a passing output.
        debug_assert!(lanes > 0);
        // A method of one target needs its `cfg` as well.
        #[cfg(not(target_arch = "wasm32"))]
        #[target_specific]
        let _thread = coord.host_thread_id();
        #[cfg(target_arch = "wasm32")]
        #[target_specific]
        let _memory = coord.guest_memory_bytes();
        Ok(vec![
            lanes as u8,
            coord.shared().lanes.load(Relaxed) as u8,
            coord.shared().indices.load(Relaxed) as u8,
        ])
    }

    #[worker]
    #[target_specific]
    fn count(w: &mut Worker) {
        w.shared().lanes.fetch_add(w.worker_count(), Relaxed);
    }

    #[worker]
    fn sum_index(w: &mut Worker) {
        #[target_specific]
        {
            w.shared().indices.fetch_add(w.worker_index(), Relaxed);
        }
    }
}

fn main() {
    // Raw lanes: 4 of them, data lanes 1, 2 and 3.
    assert_eq!(raw::run_host(b"").unwrap().output(), [4, 12, 6]);
}
