#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(w: &mut Worker) -> Result<(), TaskletError> {
        Ok(())
    }
}

fn main() {}
