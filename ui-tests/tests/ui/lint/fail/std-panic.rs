#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;
    use std::panic;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let parsed = panic::catch_unwind(|| 7u8).unwrap_or(0);
        std::panic::set_hook(Box::new(|_| ()));
        Ok(vec![parsed])
    }
}

fn main() {}
