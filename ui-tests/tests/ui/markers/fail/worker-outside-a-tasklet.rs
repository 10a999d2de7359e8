#![allow(unused)]

use grafos::prelude::*;

#[worker]
fn count(w: &mut WorkerCtx<(), ()>) {}

fn main() {}
