//! One small tasklet, `count`: the module grafos-runtime's cold-start
//! benchmark loads, compiles, instantiates and runs.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use grafos::TaskletInfo;
use grafos::cpu::CpuBuilder;
use grafos::prelude::*;

#[derive(Default)]
struct Shared {
    total: AtomicU64,
}

/// `count`: 3 lanes sum the input's bytes.
pub static COUNT: TaskletInfo = TaskletInfo::new("count", 3, 16, 0, 10_000_000, &[]);

#[cfg(target_arch = "wasm32")]
#[unsafe(link_section = "grafos_worker_v0.tasklets")]
#[used]
static COUNT_RECORD: [u8; grafos::abi::record_len(&COUNT)] = grafos::abi::encode_record(&COUNT);

#[cfg(target_arch = "wasm32")]
const _: () = {
    #[unsafe(export_name = "grafos_v0_tasklet_count")]
    extern "C" fn entry() -> i32 {
        grafos::__private::run_entry(|| count(&[]))
    }
};

/// Output: the sum of the input's bytes, little-endian u64.
pub fn count(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    CpuBuilder::new()
        .cores(3)
        .acquire()?
        .cpu()
        .shared_memory_tasklet::<Shared, ()>()
        .workers(3)
        .input(input)
        .launch(|coord| {
            coord.parallel_for_workers(|w| {
                let sum: u64 = w.input()[w.partition(w.input().len())]
                    .iter()
                    .map(|&b| u64::from(b))
                    .sum();
                w.shared().total.fetch_add(sum, Relaxed);
            })?;
            coord.set_output(&coord.shared().total.load(Relaxed).to_le_bytes());
            Ok(())
        })
}
