//! A byte histogram on the host mock, with the builder API: each data lane
//! counts its block of the input into its scratch, then adds its counts
//! into the shared atomics.
//!
//! `cargo run -p grafos-sdk --example histogram -- [FILE]` (default: this file).

use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use grafos::cpu::{CpuBuilder, TaskletError};

struct Shared {
    counts: [AtomicU32; 256],
}

// `#[derive(Default)]` stops at 32-element arrays.
impl Default for Shared {
    fn default() -> Self {
        Self {
            counts: std::array::from_fn(|_| AtomicU32::new(0)),
        }
    }
}

#[derive(Default, Clone)]
struct Scratch {
    local: Vec<u32>,
}

fn histogram(input: &[u8]) -> Result<Vec<u32>, TaskletError> {
    let lease = CpuBuilder::new().cores(4).acquire()?;
    let result = lease
        .cpu()
        .shared_memory_tasklet::<Shared, Scratch>()
        .workers(5)
        .input(input)
        .launch(|coord| {
            coord.parallel_for_workers(|w| {
                let range = w.partition(w.input().len());
                let mut local = vec![0u32; 256];
                for &b in &w.input()[range] {
                    local[b as usize] += 1;
                }
                for (count, n) in w.shared().counts.iter().zip(&local) {
                    count.fetch_add(*n, Relaxed);
                }
                w.scratch_mut().local = local;
            })?;
            let mut out = Vec::with_capacity(1024);
            for c in &coord.shared().counts {
                out.extend(c.load(Relaxed).to_le_bytes());
            }
            coord.set_output(&out);
            Ok(())
        })?;
    Ok(result
        .output()
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect())
}

fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| file!().to_owned());
    let input = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    match histogram(&input) {
        Ok(counts) => {
            let mut top: Vec<(usize, u32)> = counts.into_iter().enumerate().collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            println!("{} bytes from {path}; most frequent:", input.len());
            for (byte, n) in top.iter().take(5).filter(|(_, n)| *n > 0) {
                println!("  {:>6}  {:?}", n, char::from(*byte as u8));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
