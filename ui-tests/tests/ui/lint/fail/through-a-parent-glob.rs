#![allow(unused)]

use grafos::prelude::*;
use std::thread;
use std::thread::spawn;
use std::time::Instant;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let started = Instant::now();
        thread::spawn(|| ());
        spawn(|| ());
        Ok(vec![started.elapsed().as_millis() as u8])
    }
}

fn main() {}
