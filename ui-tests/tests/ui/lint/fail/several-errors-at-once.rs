#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(count)?;
        let raw = coord.scratch(0);
        Ok(())
    }

    #[worker]
    fn count(w: &mut Worker) {
        let index = w.worker_index();
        let count = w.worker_count();
        let start = std::time::Instant::now();
    }
}

fn main() {}
