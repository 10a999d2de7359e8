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

    fn now() -> u64 {
        std::time::SystemTime::now().elapsed().map_or(0, |d| d.as_secs())
    }
}

fn main() {}
