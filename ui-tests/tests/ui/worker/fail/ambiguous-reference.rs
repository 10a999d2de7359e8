#![allow(unused)]

use grafos::prelude::*;

#[derive(Default)]
pub struct Shared;

#[derive(Default)]
pub struct Scratch;

#[grafos::tasklet(workers = 4, shared = u64, scratch = u64)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        Ok(())
    }

    #[worker]
    fn count(value: &u64) {}
}

fn main() {}
