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

    fn raw<T: Lanes>(lanes: &T) -> usize {
        lanes.scratch(0)
    }

    trait Lanes {
        fn scratch(&self, i: usize) -> usize;
    }
}

fn main() {}
