#![allow(unused)]

#[grafos::coordinator]
fn run() {}

fn main() {}
