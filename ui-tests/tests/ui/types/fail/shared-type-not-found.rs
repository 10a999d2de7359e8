#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4, shared = Missing)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        Ok(())
    }
}

fn main() {}
