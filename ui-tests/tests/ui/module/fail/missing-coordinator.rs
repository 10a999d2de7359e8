#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    #[worker]
    fn count(w: &mut Worker) {
        let _ = w.data_worker_index();
    }
}

fn main() {}
