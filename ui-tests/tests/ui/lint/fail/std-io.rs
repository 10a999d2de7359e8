#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;
    use std::io::{Read, Stdout};

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut extra = Vec::new();
        std::io::stdin().read_to_end(&mut extra).ok();
        let _out: Option<Stdout> = None;
        Ok(extra)
    }
}

fn main() {}
