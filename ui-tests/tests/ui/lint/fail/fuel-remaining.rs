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
        if w.fuel_remaining() < 100 {
            return;
        }
    }
}

fn main() {}
