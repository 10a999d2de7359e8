#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run<T: Default>(coord: &mut Coordinator) -> Result<(), TaskletError> {
        Ok(())
    }
}

fn main() {}
