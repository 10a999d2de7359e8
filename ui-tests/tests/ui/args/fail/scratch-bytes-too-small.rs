#![allow(unused)]

use grafos::prelude::*;

#[derive(Default)]
pub struct Seen {
    bytes: usize,
}

#[grafos::tasklet(workers = 4, scratch = Seen, scratch_bytes = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        Ok(())
    }
}

fn main() {}
