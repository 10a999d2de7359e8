#![allow(unused)]

use grafos::prelude::*;

#[derive(Default)]
pub struct Shared;

#[derive(Default)]
pub struct Scratch;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        Ok(())
    }

    #[worker]
    fn count(shared: &Shared) {}
}

fn main() {}
