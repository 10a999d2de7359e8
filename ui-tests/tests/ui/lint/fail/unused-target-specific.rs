#![deny(deprecated)]
#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
        fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
            coord.parallel_for_workers(|_| ())?;
            Ok(())
        }

    #[worker]
    fn count(w: &mut Worker) {
        #[target_specific]
        let index = w.data_worker_index();
    }
}

fn main() {}
