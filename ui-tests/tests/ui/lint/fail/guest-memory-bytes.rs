#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        let bytes = coord.guest_memory_bytes();
        Ok(())
    }
}

fn main() {}
