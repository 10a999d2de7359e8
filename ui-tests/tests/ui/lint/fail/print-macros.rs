#![deny(deprecated)]
#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|w| {
            eprintln!("lane {}", w.data_worker_index());
        })?;
        let n = dbg!(coord.input().len());
        Ok(vec![n as u8])
    }
}

fn main() {}
