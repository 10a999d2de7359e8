#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;

    #[target_specific]
    use std::time::Instant;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let started = Instant::now();
        Ok(vec![started.elapsed().as_millis() as u8])
    }
}

fn main() {}
