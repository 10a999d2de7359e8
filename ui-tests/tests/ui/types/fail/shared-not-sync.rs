#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4, shared = std::cell::Cell<u32>)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        Ok(())
    }
}

fn main() {}
