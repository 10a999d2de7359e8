#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4, shared_bytes = 0x1_0000_0000)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        Ok(())
    }
}

fn main() {}
