#![allow(unused)]

//! A fn with plain parameters that a region runs needs `#[worker]`; one of
//! a region's own shape does not.
use grafos::prelude::*;

#[derive(Default)]
pub struct Shared;

#[grafos::tasklet(workers = 4, shared = Shared)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(count)?;
        coord.parallel_for_tasks(8, sort_piece)?;
        coord.parallel_for_workers(already_a_region)?;
        coord.parallel_for_tasks(2, already_a_task)
    }

    fn count(shared: &Shared, input: &[u8], lane: Lane) {}

    fn sort_piece(input: &[u8], task: Task) {}

    fn already_a_region(w: &mut Worker) {}

    fn already_a_task(w: &mut Worker, task: Task) {}
}

fn main() {}
