#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(names)
    }

    #[worker]
    fn names(w: &Worker) -> Result<(), TaskletError> {
        let longest = w.all_reduce(String::from("lane"), |a, b| a.max(b))?;
        Ok(())
    }
}

fn main() {}
