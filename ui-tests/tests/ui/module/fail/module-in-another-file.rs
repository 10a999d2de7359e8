#![allow(unused)]

#[grafos::tasklet(workers = 4)]
mod elsewhere;

fn main() {}
