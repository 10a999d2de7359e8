//! The promise, proved: every example, built once for wasm32 and run in the
//! runtime, gives the host mock's output byte for byte — on empty input, one
//! element, fewer elements than lanes, a size no lane count divides, and a
//! large input (≥ 1 MiB where the kernel's cost allows), on two lane counts —
//! and both equal the sequential reference.

use std::path::PathBuf;
use std::sync::OnceLock;

use grafos::fidelity::BuildOptions;
use grafos::fidelity::TaskletModule;
use grafos::fidelity::{self, Comparison};
use grafos_examples::catalog::{self, Example};

/// The examples crate for wasm32, built and loaded once for all tests.
fn examples_wasm() -> &'static TaskletModule {
    static MODULE: OnceLock<TaskletModule> = OnceLock::new();
    MODULE.get_or_init(|| {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/Cargo.toml");
        let options = BuildOptions {
            manifest_path: Some(manifest),
            ..BuildOptions::default()
        };
        fidelity::build_and_load(&options).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Lane counts of every comparison: the tasklets' own (4) and 9.
const WORKERS: [u32; 2] = [4, 9];

fn compare(example: &Example, input: &[u8], workers: u32) -> Comparison {
    fidelity::compare(
        examples_wasm(),
        example.name,
        input,
        Some(workers),
        |input| (example.run_host)(workers as usize, input),
    )
}

fn check_example(name: &str) {
    let example = catalog::find(name).unwrap();
    for (seed, elements) in catalog::test_sizes(example).into_iter().enumerate() {
        let input = (example.input)(elements, 1000 + seed as u64);
        let reference = (example.reference)(&input);
        for workers in WORKERS {
            let run = compare(example, &input, workers);
            assert!(run.identical(), "{}", run.describe_difference());
            let host = run.host.as_ref().unwrap();
            assert_eq!(
                host.output(),
                reference,
                "{name} on {workers} lanes vs the reference"
            );
            assert!(run.wasm_fuel_used().unwrap() > 0);
        }
    }
}

#[test]
fn histogram() {
    check_example("histogram");
}

#[test]
fn dot() {
    check_example("dot");
}

#[test]
fn scan() {
    check_example("scan");
}

#[test]
fn matmul() {
    check_example("matmul");
}

#[test]
fn wordcount() {
    check_example("wordcount");
}

#[test]
fn sort() {
    check_example("sort");
}

#[test]
fn heat() {
    check_example("heat");
}

#[test]
fn life() {
    check_example("life");
}

#[test]
fn nbody() {
    check_example("nbody");
}

#[test]
fn every_example_is_in_the_module_and_checked_here() {
    let names: Vec<&str> = examples_wasm()
        .tasklets()
        .iter()
        .map(|t| &*t.name)
        .collect();
    for example in catalog::EXAMPLES {
        assert!(
            names.contains(&example.name),
            "{} not in the wasm module: {names:?}",
            example.name
        );
    }
    assert_eq!(names.len(), catalog::EXAMPLES.len());
    assert_eq!(
        catalog::EXAMPLES.len(),
        9,
        "a new example needs its #[test] above"
    );
}
