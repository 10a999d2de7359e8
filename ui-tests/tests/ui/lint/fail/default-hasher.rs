#![deny(deprecated)]
#![allow(unused)]

use grafos::prelude::*;
use std::collections::HashMap;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        let mut counts = HashMap::new();
        for &byte in coord.input() {
            *counts.entry(byte).or_insert(0u32) += 1;
        }
        // The order of the output is the map's.
        let output: Vec<u8> = counts.keys().copied().collect();
        coord.set_output(&output);
        Ok(())
    }
}

fn main() {}
