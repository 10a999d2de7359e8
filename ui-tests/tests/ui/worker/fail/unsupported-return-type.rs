#![allow(unused)]

use grafos::prelude::*;

#[derive(Default)]
pub struct Shared;

#[derive(Default)]
pub struct Scratch;

#[grafos::tasklet(workers = 4, shared = Shared, scratch = Scratch)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        Ok(())
    }

    #[worker]
    fn count(input: &[u8]) -> &[u8] {
        input
    }
}

fn main() {}
