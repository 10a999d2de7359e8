#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
fn run(coord: &mut CoordinatorCtx<(), ()>) -> Result<(), TaskletError> {
    coord.parallel_for_workers(|_| ())
}

fn main() {}
