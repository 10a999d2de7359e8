#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

        #[coordinator]
        fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
            coord.parallel_for_workers(|_| ())?;
            Ok(())
        }

    const INFO: u32 = 1;

    fn run_host() {}
}

fn main() {}
