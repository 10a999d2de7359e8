//! The portable methods that share a name with non-portable ones pass
//! without a warning: `WorkerCtx::barrier()` and `WorkerCtx::scratch()`, and
//! portable methods used as values.
#![deny(deprecated, warnings)]

use grafos::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::time::Duration;

#[derive(Default)]
pub struct Shared {
    arrived: AtomicU32,
}

#[grafos::tasklet(workers = 3, shared = Shared, scratch = u32)]
mod phases {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let _ = Duration::from_millis(1);
        coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
            w.shared().arrived.fetch_add(1, Relaxed);
            w.barrier()?;
            *w.scratch_mut() = w.shared().arrived.load(Relaxed);
            Ok(())
        })?;
        coord.parallel_for_workers(check)?;
        Ok(vec![*coord.data_scratch(0) as u8, *coord.data_scratch(1) as u8])
    }

    #[worker]
    fn check(w: &mut Worker) -> Result<(), TaskletError> {
        // A portable method as a value.
        let index = Some(&*w).map(WorkerCtx::data_worker_index);
        assert!(index.is_some());
        w.barrier()?;
        assert_eq!(*w.scratch(), 2);
        w.fuel_checkpoint()?;
        Ok(())
    }
}

fn main() {
    assert_eq!(phases::run_host(b"").unwrap().output(), [2, 2]);
}
