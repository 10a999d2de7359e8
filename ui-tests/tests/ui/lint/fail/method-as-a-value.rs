#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 3)]
mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let scratch = CoordinatorCtx::<(), ()>::scratch;
        Ok(vec![])
    }

    fn raw_indices(lanes: &[&Worker]) -> Vec<usize> {
        lanes.iter().copied().map(Worker::worker_index).collect()
    }
}

fn main() {}
