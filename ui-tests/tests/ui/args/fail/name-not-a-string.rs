#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4, name = tasklet)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        Ok(())
    }
}

fn main() {}
