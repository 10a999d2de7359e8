//! Soak and load: many launches in a row with stable memory and threads,
//! many at once with correct outputs, and a thousand cancelled mid-run.
//! The long ones are `#[ignore]`d; run them (figures on stdout) with
//!
//! ```sh
//! cargo test --release -p grafos-runtime --test soak -- --ignored --nocapture --test-threads 1
//! ```
//!
//! `docs/RELIABILITY.md` records the figures.

mod common;
// The SDK tests' reader of /proc/self/status, shared rather than copied.
#[path = "../../grafos-sdk/tests/process/mod.rs"]
mod process;

use std::time::{Duration, Instant};

use grafos_abi::{CancelToken, TaskletError};
use grafos_runtime::{RunOptions, Runtime, RuntimeConfig};
use process::{rss_kib, thread_count};

/// `sum`'s output for an input, computed on the host mock.
fn expected_sum(input: &[u8]) -> Vec<u8> {
    grafos_test_guest::run_host("sum", input)
        .unwrap()
        .into_output()
}

#[test]
fn sixty_four_concurrent_launches_on_one_runtime_are_all_correct() {
    let runtime = Runtime::new(RuntimeConfig {
        threads: 8,
        ..RuntimeConfig::default()
    });
    let module = runtime.load(common::guest_wasm()).unwrap();
    let inputs: Vec<Vec<u8>> = (0..64u32)
        .map(|i| (0..1000 + i).map(|j| (j * 31 + i) as u8).collect())
        .collect();
    let handles: Vec<_> = inputs
        .iter()
        .map(|input| runtime.spawn(&module, "sum", input.clone(), RunOptions::default()))
        .collect();
    for (handle, input) in handles.into_iter().zip(&inputs) {
        assert_eq!(handle.join().unwrap().output(), expected_sum(input));
    }
}

#[test]
#[ignore = "soak: 10 000 launches; see the module docs for the command"]
fn ten_thousand_sequential_launches_keep_memory_and_threads_stable() {
    const LAUNCHES: usize = 10_000;
    let module = common::guest();
    let input: Vec<u8> = (0..4096u32).map(|i| (i * 7) as u8).collect();
    let expected = expected_sum(&input);
    for _ in 0..200 {
        module.run("sum", &input, RunOptions::default()).unwrap(); // warm up the allocator
    }
    let (rss_before, threads_before) = (rss_kib(), thread_count());
    let started = Instant::now();
    for _ in 0..LAUNCHES {
        let result = module.run("sum", &input, RunOptions::default()).unwrap();
        assert_eq!(result.output(), expected);
    }
    let elapsed = started.elapsed();
    let (rss_after, threads_after) = (rss_kib(), thread_count());
    println!(
        "runtime: {LAUNCHES} launches in {:.2} s = {:.0} launches/s; RSS {rss_before} KiB -> {rss_after} KiB; threads {threads_before} -> {threads_after}",
        elapsed.as_secs_f64(),
        LAUNCHES as f64 / elapsed.as_secs_f64()
    );
    assert!(
        threads_after <= threads_before,
        "threads grew: {threads_before} -> {threads_after}"
    );
    assert!(
        rss_after < rss_before + 16 * 1024,
        "RSS grew from {rss_before} to {rss_after} KiB"
    );
}

#[test]
#[ignore = "soak: 1000 cancelled launches; see the module docs for the command"]
fn a_thousand_running_launches_are_all_cancelled() {
    const LAUNCHES: usize = 1000;
    let runtime = Runtime::new(RuntimeConfig {
        threads: 4,
        ..RuntimeConfig::default()
    });
    let module = runtime.load(common::guest_wasm()).unwrap();
    let token = CancelToken::new();
    let options = RunOptions {
        fuel: Some(1 << 50), // only the cancel can stop these
        cancel: Some(token.clone()),
        ..RunOptions::default()
    };
    let handles: Vec<_> = (0..LAUNCHES)
        .map(|_| runtime.spawn(&module, "spin", Vec::new(), options.clone()))
        .collect();
    std::thread::sleep(Duration::from_millis(200)); // the first ones are spinning
    let cancelled_at = Instant::now();
    token.cancel();
    let mut latest = Duration::ZERO;
    for handle in handles {
        assert_eq!(handle.join().unwrap_err(), TaskletError::Cancelled);
        latest = latest.max(cancelled_at.elapsed());
    }
    println!(
        "runtime: {LAUNCHES} launches cancelled; the last returned {latest:?} after the cancel"
    );
    assert!(latest < Duration::from_secs(5), "{latest:?}");
}
