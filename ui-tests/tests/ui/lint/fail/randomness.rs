#![allow(unused)]

// Stand-ins for the `rand` and `getrandom` crates, which ui-tests does not
// depend on: `extern crate self as ...` at the root puts a name in the
// extern prelude, so `rand::random()` resolves as it would with the crate.
extern crate self as rand;
extern crate self as getrandom;

pub fn random() -> u32 {
    4
}

pub fn fill(_bytes: &mut [u8]) {}

use grafos::prelude::*;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;
    use std::collections::hash_map::RandomState;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        let salt: u32 = rand::random();
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes);
        let keys = std::hash::RandomState::new();
        let named = RandomState::new();
        Ok(())
    }
}

fn main() {}
