#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[coordinator]
    async fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        Ok(())
    }
}

fn main() {}
