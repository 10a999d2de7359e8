#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(partial)
    }

    #[worker]
    fn partial(input: &[u8], lane: Lane) -> u64 {
        input[lane.partition(input.len())].len() as u64
    }
}

fn main() {}
