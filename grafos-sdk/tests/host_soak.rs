//! Soak of the host mock: 10 000 launches in a row with stable memory and
//! threads. `#[ignore]`d; run it (figures on stdout) with
//!
//! ```sh
//! cargo test --release -p grafos-sdk --test host_soak -- --ignored --nocapture
//! ```
//!
//! `docs/RELIABILITY.md` records the figures.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use grafos::cpu::{CpuBuilder, TaskletError};

mod process;
use process::{rss_kib, thread_count};

#[derive(Default)]
struct Shared {
    sum: AtomicU64,
}

fn launch(input: &[u8]) -> Vec<u8> {
    CpuBuilder::new()
        .cores(4)
        .acquire()
        .unwrap()
        .cpu()
        .shared_memory_tasklet::<Shared, ()>()
        .workers(4)
        .input(input)
        .launch(|coord| {
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                let sum: u64 = w.input()[w.partition(w.input().len())]
                    .iter()
                    .map(|&b| u64::from(b))
                    .sum();
                w.barrier()?;
                w.shared().sum.fetch_add(sum, Relaxed);
                Ok(())
            })?;
            coord.set_output(&coord.shared().sum.load(Relaxed).to_le_bytes());
            Ok(())
        })
        .unwrap()
        .into_output()
}

#[test]
#[ignore = "soak: 10 000 launches; see the module docs for the command"]
fn ten_thousand_sequential_launches_keep_memory_and_threads_stable() {
    const LAUNCHES: usize = 10_000;
    let input: Vec<u8> = (0..4096u32).map(|i| (i * 7) as u8).collect();
    let expected: u64 = input.iter().map(|&b| u64::from(b)).sum();
    for _ in 0..200 {
        launch(&input);
    }
    let (rss_before, threads_before) = (rss_kib(), thread_count());
    let started = Instant::now();
    for _ in 0..LAUNCHES {
        assert_eq!(launch(&input), expected.to_le_bytes());
    }
    let elapsed = started.elapsed();
    let (rss_after, threads_after) = (rss_kib(), thread_count());
    println!(
        "host mock: {LAUNCHES} launches in {:.2} s = {:.0} launches/s; RSS {rss_before} KiB -> {rss_after} KiB; threads {threads_before} -> {threads_after}",
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
