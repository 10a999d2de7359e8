#![allow(unused)]

use grafos::prelude::*;

/// Stand-ins with the names of rayon's and crossbeam's, which this crate
/// does not depend on: the lint judges the names.
pub trait ParIter {
    fn par_iter(&self) -> std::slice::Iter<'_, u8>;
}

impl ParIter for [u8] {
    fn par_iter(&self) -> std::slice::Iter<'_, u8> {
        self.iter()
    }
}

pub mod crossbeam {
    pub fn scope(f: impl FnOnce()) {
        f()
    }
}

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let sum: u8 = coord.input().par_iter().sum();
        crossbeam::scope(|| ());
        std::thread::scope(|_| ());
        Ok(vec![sum])
    }
}

fn main() {}
