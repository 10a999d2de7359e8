#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4, shared = [u64; 4], shared_bytes = 16)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        Ok(())
    }
}

fn main() {}
