#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(wait)?;
        Ok(())
    }

    #[worker]
    fn wait(w: &mut Worker) {
        while w.input().is_empty() {
            core::hint::spin_loop();
        }
    }
}

fn main() {}
