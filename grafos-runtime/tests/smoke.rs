mod common;
use grafos_runtime::RunOptions;

#[test]
fn smoke() {
    let input: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    let host = grafos_test_guest::run_host("sum", &input).unwrap();
    let wasm = common::guest().run("sum", &input, RunOptions::default()).unwrap();
    assert_eq!(host.output(), wasm.output());
    println!("fuel {}", wasm.fuel_used());
}
