//! Names that look like banned ones but are not pass without a warning:
//! the parent's own `Barrier` through `use super::*;`, a fn imported by
//! name, `Path` without the file system, `std::sync::Arc`.
#![deny(deprecated, warnings)]

use grafos::prelude::*;

/// A phase counter, not std's blocking barrier.
#[derive(Default)]
pub struct Barrier(u8);

impl Barrier {
    fn new(n: u8) -> Self {
        Barrier(n)
    }
}

pub fn spawn(n: u8) -> u8 {
    n + 1
}

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;
    use super::spawn;
    use std::path::Path;
    use std::sync::Arc;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let phases = Arc::new(Barrier::new(3));
        let name = Path::new("dir/file.bin").file_name().map_or(0, |n| n.len() as u8);
        Ok(vec![phases.0, spawn(1), name])
    }
}

fn main() {
    assert_eq!(tasklet::run_host(b"").unwrap().output(), [3, 2, 8]);
}
