#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let word = if cfg!(target_pointer_width = "64") { 8 } else { 4 };
        Ok(vec![word, tag()])
    }

    #[cfg(target_arch = "wasm32")]
    fn tag() -> u8 {
        1
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn tag() -> u8 {
        0
    }
}

fn main() {}
