#![allow(unused)]

//! A worker the macro rejects is still called by the coordinator: the
//! macro's error is the only one (no "expected a closure that takes 1
//! argument" from the call site).
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
        coord.parallel_for_workers(is_async)?;
        coord.parallel_for_workers(mutable_shared)?;
        coord.parallel_for_workers(context_and_lane)?;
        coord.parallel_for_tasks(3, task_with_bad_parameter)
    }

    #[worker]
    async fn is_async(input: &[u8]) {}

    #[worker]
    fn mutable_shared(shared: &mut Shared) {}

    #[worker]
    fn context_and_lane(w: &mut Worker, lane: Lane) {}

    #[worker]
    fn task_with_bad_parameter(task: Task, n: u32) {}
}

fn main() {}
