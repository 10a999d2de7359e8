#![allow(unused)]

use grafos::prelude::*;

#[target_specific]
fn raw(w: &WorkerCtx<(), ()>) -> usize {
    w.worker_index()
}

fn main() {}
