#![deny(deprecated)]
#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let x = f64::from(coord.input().len() as u32);
        let wave = x.sin() * f64::exp(-x);
        Ok(wave.to_le_bytes().to_vec())
    }
}

fn main() {}
