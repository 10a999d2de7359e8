//! Every example with what its tests and `grafos demo` need: an input
//! generator, the sequential reference, and a host-mock runner for any lane
//! count.

use grafos::cpu::{SharedTaskletResult, TaskletError};

use crate::{dot, heat, histogram, inputs, life, matmul, nbody, scan, sort, wordcount};

/// One example tasklet.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// The tasklet's name (its wasm entry is `grafos_v0_tasklet_<name>`).
    pub name: &'static str,
    /// The parallel pattern it shows.
    pub pattern: &'static str,
    /// `input(elements, seed)`: an input of `elements` elements (bytes,
    /// `u32`s, `i32`s, characters-ish of text, or the matrix size).
    pub input: fn(usize, u64) -> Vec<u8>,
    /// An element count that none of the lane counts the tests use (2 to 9
    /// data lanes, 17) divides.
    pub uneven: usize,
    /// Elements of a large input: at least 1 MiB where the kernel's cost on
    /// the interpreter allows it (matmul's cost is cubic: 128 × 128).
    pub large: usize,
    /// The sequential reference.
    pub reference: fn(&[u8]) -> Vec<u8>,
    /// Runs the tasklet on the host mock on `workers` lanes.
    pub run_host: fn(usize, &[u8]) -> Result<SharedTaskletResult, TaskletError>,
}

fn bytes(elements: usize, seed: u64) -> Vec<u8> {
    inputs::bytes(elements, seed)
}

fn words(elements: usize, seed: u64) -> Vec<u8> {
    inputs::bytes(4 * elements, seed)
}

fn text(elements: usize, seed: u64) -> Vec<u8> {
    inputs::text(elements, seed)
}

fn matrices(n: usize, seed: u64) -> Vec<u8> {
    inputs::bytes(2 * n * n, seed)
}

macro_rules! run_host {
    ($example:ident) => {
        |workers, input| {
            $example::tasklet::run_host_with(
                $example::tasklet::builder().workers(workers).input(input),
            )
        }
    };
}

/// The examples, in the order `grafos demo` shows them.
pub const EXAMPLES: &[Example] = &[
    Example {
        name: "histogram",
        pattern: "commutative integer atomics",
        input: bytes,
        uneven: 1001,
        large: 1 << 20,
        reference: histogram::reference,
        run_host: run_host!(histogram),
    },
    Example {
        name: "dot",
        pattern: "all_reduce of per-lane partials, lane order",
        input: words,
        uneven: 1001,
        large: 1 << 18,
        reference: dot::reference,
        run_host: run_host!(dot),
    },
    Example {
        name: "scan",
        pattern: "exclusive_scan of block totals",
        input: words,
        uneven: 1001,
        large: 1 << 18,
        reference: scan::reference,
        run_host: run_host!(scan),
    },
    Example {
        name: "matmul",
        pattern: "floats in a fixed evaluation order",
        input: matrices,
        uneven: 23,
        large: 128,
        reference: matmul::reference,
        run_host: run_host!(matmul),
    },
    Example {
        name: "wordcount",
        pattern: "words across partition boundaries",
        input: text,
        uneven: 1001,
        large: 1 << 20,
        reference: wordcount::reference,
        run_host: run_host!(wordcount),
    },
    Example {
        name: "sort",
        pattern: "merge sort, one task per leaf and per merge",
        input: words,
        uneven: 1001,
        large: 1 << 18,
        reference: sort::reference,
        run_host: run_host!(sort),
    },
    Example {
        name: "heat",
        pattern: "iterative stencil, one region per step",
        input: bytes,
        uneven: 1001,
        large: 1 << 16,
        reference: heat::reference,
        run_host: run_host!(heat),
    },
    Example {
        name: "life",
        pattern: "lanes write their part of the next board",
        input: bytes,
        uneven: 1001,
        large: 1 << 16,
        reference: life::reference,
        run_host: run_host!(life),
    },
    Example {
        name: "nbody",
        pattern: "floats, lanes move their own bodies",
        input: words,
        uneven: 1001,
        large: 1 << 10,
        reference: nbody::reference,
        run_host: run_host!(nbody),
    },
];

/// The example called `name`.
pub fn find(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}

/// Element counts every example is tested on: empty, one element, fewer
/// elements than lanes, a count no lane count used in the tests divides,
/// and large.
pub fn test_sizes(example: &Example) -> [usize; 5] {
    [0, 1, 2, example.uneven, example.large]
}
