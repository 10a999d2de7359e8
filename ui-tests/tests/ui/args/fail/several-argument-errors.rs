#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 1, cores = 0, fuel = 0, colour = 3)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        Ok(())
    }
}

fn main() {}
