//! The grafos runtime: executes tasklets compiled to `wasm32-unknown-unknown`
//! on the wasmi interpreter. Built in its own change.
