#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) {
        coord.parallel_for_workers(|_| ()).unwrap();
    }
}

fn main() {}
