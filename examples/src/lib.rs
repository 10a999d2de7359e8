//! Real tasklets written with `#[grafos::tasklet]`, one per parallel
//! pattern, each with a sequential reference in plain Rust. Every one is
//! tested on the host mock against its reference, and byte for byte against
//! the same source compiled to wasm32 and run in grafos-runtime.
//!
//! | example | pattern |
//! |---|---|
//! | [`histogram`] | commutative integer atomics |
//! | [`dot`] | an `all_reduce` of per-lane partials, in lane order |
//! | [`scan`] | an `exclusive_scan` of block totals |
//! | [`matmul`] | floating point in a fixed evaluation order |
//! | [`wordcount`] | partition boundaries that split words and characters; an `all_reduce` of counts |
//! | [`sort`] | merge sort: one task per leaf, then per merge ([`Partitioned`](grafos::cpu::Partitioned) parts) |
//! | [`heat`] | an iterative stencil, one region per step |
//! | [`life`] | Conway's life: lanes write their part of the next board |
//! | [`nbody`] | an n-body step in floats: lanes move their own bodies |
//!
//! Each module has a `tasklet` submodule (the tasklet itself: `INFO`,
//! `run_host`, `builder`, `run_host_with`; the wasm entry
//! `grafos_v0_tasklet_<name>`) and a `reference` function; [`catalog`]
//! lists them all with input generators, for tests and `grafos demo`.

#[cfg(not(target_arch = "wasm32"))]
pub mod catalog;

/// The directory of this crate's `Cargo.toml`, where `grafos demo` builds
/// the examples for wasm32 from: the source tree for a path install, the
/// registry's source cache for a crates.io install.
#[cfg(not(target_arch = "wasm32"))]
pub const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
pub mod dot;
pub mod heat;
pub mod histogram;
pub mod inputs;
pub mod life;
pub mod matmul;
pub mod nbody;
pub mod scan;
pub mod sort;
pub mod wordcount;
