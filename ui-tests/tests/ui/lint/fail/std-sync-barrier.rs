#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 3)]
mod tasklet {
    use super::*;
    use std::sync::{Arc, Barrier};

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let wait = Arc::new(Barrier::new(2));
        let ready = std::sync::Condvar::new();
        coord.parallel_for_workers(|_| {
            wait.wait();
        })?;
        Ok(vec![])
    }
}

fn main() {}
