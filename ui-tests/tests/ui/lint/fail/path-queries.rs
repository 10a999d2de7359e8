#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;
    use std::path::{Path, PathBuf};

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let cached = Path::new("cache.bin").exists();
        let file = Path::is_file(Path::new("in"));
        let dir = PathBuf::from("out").is_dir();
        Ok(vec![cached as u8, file as u8, dir as u8])
    }
}

fn main() {}
