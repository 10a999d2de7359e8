#![deny(deprecated)]
#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let checked = cfg!(debug_assertions);
        Ok(vec![checked as u8])
    }
}

fn main() {}
