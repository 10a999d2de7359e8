//! Tasklets that grafos-runtime's tests build for wasm32 and run in the
//! runtime, and run natively on the host mock to compare outputs.
//!
//! Each tasklet is a builder function and a coordinator function, plus what
//! `#[grafos::tasklet]` will generate (written by hand here until the macro
//! lands): a record in the `grafos_worker_v0.tasklets` custom section and the
//! entry export `grafos_v0_tasklet_<name>`. On the host, [`run_host`] runs the
//! same functions on the host mock.

use std::hint::black_box;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

use grafos::TaskletInfo;
use grafos::cpu::{CpuBuilder, SharedTaskletBuilder};
use grafos::prelude::*;

/// Declares a tasklet: its `INFO` static, its custom-section record and its
/// wasm32 entry export, exactly the shape `#[grafos::tasklet]` generates.
macro_rules! tasklet {
    ($info:ident, $record:ident, $export:literal, $run:path) => {
        #[cfg(target_arch = "wasm32")]
        #[unsafe(link_section = "grafos_worker_v0.tasklets")]
        #[used]
        static $record: [u8; grafos::abi::record_len(&$info)] = grafos::abi::encode_record(&$info);

        #[cfg(target_arch = "wasm32")]
        const _: () = {
            #[unsafe(export_name = $export)]
            extern "C" fn entry() -> i32 {
                grafos::__private::run_entry(|| $run(&[]))
            }
        };
    };
}

fn builder<S, W>(info: &TaskletInfo, input: &[u8]) -> SharedTaskletBuilder<S, W> {
    let workers = info.workers as usize;
    CpuBuilder::new()
        .cores(workers)
        .acquire()
        .expect("a lease of `workers` cores")
        .cpu()
        .shared_memory_tasklet()
        .workers(workers)
        .shared_bytes(info.shared_bytes as usize)
        .scratch_bytes_per_worker(info.scratch_bytes as usize)
        .fuel(info.fuel)
        // Ignored on wasm32, where the runtime supplies the input.
        .input(input)
}

/// Runs tasklet `name` on the host mock with `input`.
///
/// # Panics
///
/// If there is no tasklet `name`.
pub fn run_host(name: &str, input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    let run = TASKLETS
        .iter()
        .find(|(info, _)| info.name == name)
        .unwrap_or_else(|| panic!("no tasklet {name}"))
        .1;
    run(input)
}

type Run = fn(&[u8]) -> Result<SharedTaskletResult, TaskletError>;

/// Every tasklet of this crate with its host runner.
pub static TASKLETS: &[(&TaskletInfo, Run)] = &[
    (&SUM, sum),
    (&HISTOGRAM, histogram),
    (&BARRIERS2, barriers2),
    (&BARRIERS7, barriers7),
    (&PANIC, panic_lane),
    (&COORD_PANIC, coordinator_panic),
    (&SPIN, spin),
    (&CHECKPOINTS, checkpoints),
    (&MISMATCH, mismatch),
    (&RECURSE, recurse),
    (&GROW, grow),
    (&FAIL, fail),
    (&KERNEL, kernel),
    (&BARRIER_ROUNDS, barrier_rounds),
];

// ---------------------------------------------------------------------------
// sum: a closure with captures; partitions, atomics and per-lane scratch.
// ---------------------------------------------------------------------------

#[derive(Default)]
struct SumShared {
    total: AtomicU64,
    lanes_done: AtomicU32,
}

#[derive(Default, Clone)]
struct SumScratch {
    partial: u64,
    count: u32,
}

/// `sum`: 4 lanes (3 data lanes).
pub static SUM: TaskletInfo = TaskletInfo::new("sum", 4, 64, 16, 100_000_000, &[]);
tasklet!(SUM, SUM_RECORD, "grafos_v0_tasklet_sum", sum);

/// Output: the weighted byte sum (u64), lanes done (u32), then each data
/// lane's partial sum and item count in lane order.
pub fn sum(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<SumShared, SumScratch>(&SUM, input).launch(|coord| {
        // Captured by the worker closure: the weight comes from the input.
        let weight = u64::from(coord.input().first().copied().unwrap_or(1)) + 1;
        let salt: Vec<u64> = (0..3).map(|k| weight * 2 + k).collect();
        coord.parallel_for_workers(|w| {
            let range = w.partition(w.input().len());
            let mut partial = 0u64;
            for i in range.clone() {
                partial += u64::from(w.input()[i]) * weight + salt[i % salt.len()];
            }
            w.scratch_mut().partial = partial;
            w.scratch_mut().count = range.len() as u32;
            w.shared().total.fetch_add(partial, Relaxed);
            w.shared().lanes_done.fetch_add(1, Relaxed);
        })?;
        let mut out = Vec::new();
        out.extend(coord.shared().total.load(Relaxed).to_le_bytes());
        out.extend(coord.shared().lanes_done.load(Relaxed).to_le_bytes());
        for i in 0..coord.data_worker_count() {
            out.extend(coord.data_scratch(i).partial.to_le_bytes());
            out.extend(coord.data_scratch(i).count.to_le_bytes());
        }
        coord.set_output(&out);
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// histogram: named worker functions, two regions, the arena.
// ---------------------------------------------------------------------------

struct HistShared {
    counts: [AtomicU32; 256],
}

impl Default for HistShared {
    fn default() -> Self {
        Self {
            counts: std::array::from_fn(|_| AtomicU32::new(0)),
        }
    }
}

#[derive(Clone)]
struct HistScratch {
    local: [u32; 256],
}

impl Default for HistScratch {
    fn default() -> Self {
        Self { local: [0; 256] }
    }
}

type HistWorker = WorkerCtx<HistShared, HistScratch>;

/// `histogram`: 5 lanes, named workers `count` and `scale`.
pub static HISTOGRAM: TaskletInfo = TaskletInfo::new(
    "histogram",
    5,
    1024 + 16 + 256 * 4,
    1024,
    100_000_000,
    &[
        grafos::__private::Cow::Borrowed("count"),
        grafos::__private::Cow::Borrowed("scale"),
    ],
);
tasklet!(
    HISTOGRAM,
    HISTOGRAM_RECORD,
    "grafos_v0_tasklet_histogram",
    histogram
);

fn count(w: &mut HistWorker) {
    let range = w.partition(w.input().len());
    for i in range {
        let b = w.input()[i];
        w.scratch_mut().local[b as usize] += 1;
    }
    for (i, n) in w.scratch().local.iter().enumerate() {
        w.shared().counts[i].fetch_add(*n, Relaxed);
    }
}

fn scale(w: &mut HistWorker) -> Result<(), TaskletError> {
    // Reads the arena the coordinator filled between the regions.
    let factors: &[u32] = w.shared_region().arena::<u32>();
    let lane = w.data_worker_index();
    for b in w.lane().partition(256) {
        let n = w.shared().counts[b].load(Relaxed);
        w.shared().counts[b].store(n * factors[b] + lane as u32, Relaxed);
    }
    w.fuel_checkpoint()?;
    Ok(())
}

/// Output: 256 little-endian u32 counts, scaled.
pub fn histogram(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<HistShared, HistScratch>(&HISTOGRAM, input).launch(|coord| {
        coord.parallel_for_workers(count)?;
        for (i, f) in coord
            .shared_region_mut()
            .arena_mut::<u32>()
            .iter_mut()
            .enumerate()
        {
            *f = (i % 7) as u32 + 1;
        }
        coord.parallel_for_workers(scale)?;
        let out: Vec<u8> = coord
            .shared()
            .counts
            .iter()
            .flat_map(|c| c.load(Relaxed).to_le_bytes())
            .collect();
        coord.set_output(&out);
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// barriers: phases separated by barriers, each lane reading its neighbours.
// ---------------------------------------------------------------------------

#[derive(Default)]
struct RingShared {
    slots: [AtomicU64; 8],
}

/// `barriers2`: 3 lanes (2 data lanes).
pub static BARRIERS2: TaskletInfo = TaskletInfo::new("barriers2", 3, 64, 0, 100_000_000, &[]);
tasklet!(
    BARRIERS2,
    BARRIERS2_RECORD,
    "grafos_v0_tasklet_barriers2",
    barriers2
);

/// `barriers7`: 8 lanes (7 data lanes).
pub static BARRIERS7: TaskletInfo = TaskletInfo::new("barriers7", 8, 64, 0, 100_000_000, &[]);
tasklet!(
    BARRIERS7,
    BARRIERS7_RECORD,
    "grafos_v0_tasklet_barriers7",
    barriers7
);

/// Rounds of a ring exchange: in each, every lane reads its right
/// neighbour's slot, waits at a barrier, writes its own, waits again. Any
/// barrier that let a lane through early would change the output.
fn ring(info: &TaskletInfo, input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<RingShared, ()>(info, input).launch(|coord| {
        let rounds = coord.input().len().max(1) * 3;
        coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
            let me = w.data_worker_index();
            let n = w.data_worker_count();
            w.shared().slots[me].store(me as u64 + 1, Relaxed);
            w.barrier()?;
            for round in 0..rounds {
                let right = w.shared().slots[(me + 1) % n].load(Relaxed);
                w.barrier()?;
                let mixed = right
                    .wrapping_mul(31)
                    .wrapping_add(round as u64 ^ me as u64);
                w.shared().slots[me].store(mixed, Relaxed);
                w.barrier()?;
            }
            Ok(())
        })?;
        let out: Vec<u8> = (0..coord.data_worker_count())
            .flat_map(|i| coord.shared().slots[i].load(Relaxed).to_le_bytes())
            .collect();
        coord.set_output(&out);
        Ok(())
    })
}

/// Runs `barriers2`.
pub fn barriers2(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    ring(&BARRIERS2, input)
}

/// Runs `barriers7`.
pub fn barriers7(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    ring(&BARRIERS7, input)
}

// ---------------------------------------------------------------------------
// Failures.
// ---------------------------------------------------------------------------

/// `panic_lane`: data lane 2 panics with a formatted message.
pub static PANIC: TaskletInfo = TaskletInfo::new("panic_lane", 4, 0, 0, 100_000_000, &[]);
tasklet!(
    PANIC,
    PANIC_RECORD,
    "grafos_v0_tasklet_panic_lane",
    panic_lane
);

/// Lane 2 panics; the others wait at a barrier, are released with
/// `Cancelled` and return it.
pub fn panic_lane(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<(), ()>(&PANIC, input).launch(|coord| {
        coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
            if w.worker_index() == 2 {
                panic!("lane 2 gives up after {} input bytes", w.input().len());
            }
            w.barrier()?;
            Ok(())
        })?;
        coord.set_output(b"unreachable");
        Ok(())
    })
}

/// `coordinator_panic`: the coordinator panics between two regions.
pub static COORD_PANIC: TaskletInfo =
    TaskletInfo::new("coordinator_panic", 2, 0, 0, 100_000_000, &[]);
tasklet!(
    COORD_PANIC,
    COORD_PANIC_RECORD,
    "grafos_v0_tasklet_coordinator_panic",
    coordinator_panic
);

/// The coordinator panics after one region.
pub fn coordinator_panic(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<(), ()>(&COORD_PANIC, input).launch(|coord| {
        coord.parallel_for_workers(|_| ())?;
        let n = coord.input().len();
        if n < 1_000_000 {
            panic!("coordinator saw {n} bytes");
        }
        Ok(())
    })
}

/// `fail`: lane 3 returns an error; the coordinator propagates it.
pub static FAIL: TaskletInfo = TaskletInfo::new("fail", 4, 0, 0, 100_000_000, &[]);
tasklet!(FAIL, FAIL_RECORD, "grafos_v0_tasklet_fail", fail);

/// Lane 3 fails with `TaskletError::Failed`; an empty input makes the
/// coordinator fail by itself before any region.
pub fn fail(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<(), ()>(&FAIL, input).launch(|coord| {
        if coord.input().is_empty() {
            return Err(TaskletError::failed("the coordinator needs input"));
        }
        coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
            if w.worker_index() == 3 {
                return Err(TaskletError::failed(format!(
                    "lane 3 rejects byte {}",
                    w.input()[0]
                )));
            }
            Ok(())
        })?;
        Ok(())
    })
}

#[derive(Default)]
struct SpinShared {
    flag: AtomicU32,
    spins: AtomicU64,
}

/// `spin`: data lane 1 spin-waits on a flag no lane ever sets (never ends).
pub static SPIN: TaskletInfo = TaskletInfo::new("spin", 3, 64, 0, 100_000_000, &[]);
tasklet!(SPIN, SPIN_RECORD, "grafos_v0_tasklet_spin", spin);

/// Lane 1 spin-waits on lane 2, which returns without setting the flag:
/// the wasm runtime stops it by fuel or deadline. Never run it on the host.
pub fn spin(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<SpinShared, ()>(&SPIN, input).launch(|coord| {
        coord.parallel_for_workers(|w| {
            if w.worker_index() == 1 {
                while w.shared().flag.load(Relaxed) == 0 {
                    w.shared().spins.fetch_add(1, Relaxed);
                }
            }
        })?;
        coord.set_output(b"unreachable");
        Ok(())
    })
}

/// `checkpoints`: every lane spends fuel checkpoints until the pool is dry.
pub static CHECKPOINTS: TaskletInfo = TaskletInfo::new("checkpoints", 3, 64, 0, 100_000_000, &[]);
tasklet!(
    CHECKPOINTS,
    CHECKPOINTS_RECORD,
    "grafos_v0_tasklet_checkpoints",
    checkpoints
);

/// Loops on `fuel_checkpoint` until it fails, then returns `FuelExhausted`.
pub fn checkpoints(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<SpinShared, ()>(&CHECKPOINTS, input).launch(|coord| {
        coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
            loop {
                w.fuel_checkpoint()?;
                w.shared().spins.fetch_add(1, Relaxed);
            }
        })?;
        Ok(())
    })
}

/// `mismatch`: lane 1 returns while lanes 2 and 3 wait at a barrier.
pub static MISMATCH: TaskletInfo = TaskletInfo::new("mismatch", 4, 0, 0, 100_000_000, &[]);
tasklet!(
    MISMATCH,
    MISMATCH_RECORD,
    "grafos_v0_tasklet_mismatch",
    mismatch
);

/// Lane 1 skips the second barrier: `BarrierMismatch { lane: 1, reached: 1,
/// expected: 2 }` on both targets.
pub fn mismatch(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<(), ()>(&MISMATCH, input).launch(|coord| {
        coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
            w.barrier()?;
            if w.worker_index() != 1 {
                w.barrier()?;
            }
            Ok(())
        })?;
        Ok(())
    })
}

#[derive(Default)]
struct DepthShared {
    deepest: AtomicU64,
}

/// `recurse`: data lanes recurse as deep as the input says, with a 1 KiB
/// frame each.
pub static RECURSE: TaskletInfo = TaskletInfo::new("recurse", 3, 64, 0, 1_000_000_000, &[]);
tasklet!(
    RECURSE,
    RECURSE_RECORD,
    "grafos_v0_tasklet_recurse",
    recurse
);

#[inline(never)]
fn descend(depth: u32, seed: u8) -> u64 {
    let mut frame = [seed; 1024];
    black_box(&mut frame);
    if depth == 0 {
        return frame.iter().map(|&b| u64::from(b)).sum();
    }
    let below = descend(depth - 1, seed.wrapping_add(1));
    black_box(&frame);
    below + u64::from(frame[depth as usize % 1024])
}

/// Input: a little-endian u32 depth. Output: the sum of every frame's byte.
pub fn recurse(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<DepthShared, ()>(&RECURSE, input).launch(|coord| {
        let mut depth = [0u8; 4];
        let n = coord.input().len().min(4);
        depth[..n].copy_from_slice(&coord.input()[..n]);
        let depth = u32::from_le_bytes(depth);
        coord.parallel_for_workers(|w| {
            let v = descend(depth, w.data_worker_index() as u8);
            w.shared().deepest.fetch_add(v, Relaxed);
        })?;
        coord.set_output(&coord.shared().deepest.load(Relaxed).to_le_bytes());
        Ok(())
    })
}

/// `grow`: a data lane allocates as many bytes as the input says.
pub static GROW: TaskletInfo = TaskletInfo::new("grow", 2, 0, 0, 1_000_000_000, &[]);
tasklet!(GROW, GROW_RECORD, "grafos_v0_tasklet_grow", grow);

/// Input: a little-endian u32 byte count. Output: a checksum of the
/// allocation.
pub fn grow(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<(), ()>(&GROW, input).launch(|coord| {
        let mut len = [0u8; 4];
        let n = coord.input().len().min(4);
        len[..n].copy_from_slice(&coord.input()[..n]);
        let len = u32::from_le_bytes(len) as usize;
        coord.parallel_for_workers(|_| {
            let buf = black_box(vec![7u8; len]);
            black_box(buf.iter().step_by(4096).count());
        })?;
        coord.set_output(&(len as u64).to_le_bytes());
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// Benchmarks.
// ---------------------------------------------------------------------------

/// The benchmark kernel: a byte-mixing hash over `data`, the same code the
/// `kernel` tasklet runs on its one data lane and the raw export runs.
#[inline(never)]
pub fn mix(data: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for round in 0..8u64 {
        for &b in data {
            h = (h ^ u64::from(b) ^ round).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The kernel called directly, without the runtime: what the bench runs on
/// raw wasmi to measure the runtime's overhead.
///
/// # Safety
///
/// `ptr..ptr + len` must be readable guest memory.
#[cfg(target_arch = "wasm32")]
#[unsafe(export_name = "bench_mix")]
pub unsafe extern "C" fn bench_mix(ptr: *const u8, len: u32) -> u64 {
    // SAFETY: by the caller's contract.
    mix(unsafe { std::slice::from_raw_parts(ptr, len as usize) })
}

#[derive(Default)]
struct MixShared {
    hash: AtomicU64,
}

/// `kernel`: [`mix`] on one data lane.
pub static KERNEL: TaskletInfo = TaskletInfo::new("kernel", 2, 64, 0, 10_000_000_000, &[]);
tasklet!(KERNEL, KERNEL_RECORD, "grafos_v0_tasklet_kernel", kernel);

/// Output: [`mix`] of the input, little-endian.
pub fn kernel(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<MixShared, ()>(&KERNEL, input).launch(|coord| {
        coord.parallel_for_workers(|w| {
            w.shared().hash.store(mix(w.input()), Relaxed);
        })?;
        coord.set_output(&coord.shared().hash.load(Relaxed).to_le_bytes());
        Ok(())
    })
}

/// `barrier_rounds`: 4 data lanes meet at as many barriers as the input's
/// little-endian u32 says.
pub static BARRIER_ROUNDS: TaskletInfo =
    TaskletInfo::new("barrier_rounds", 5, 0, 0, 10_000_000_000, &[]);
tasklet!(
    BARRIER_ROUNDS,
    BARRIER_ROUNDS_RECORD,
    "grafos_v0_tasklet_barrier_rounds",
    barrier_rounds
);

/// Output: the number of rounds, little-endian u32.
pub fn barrier_rounds(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    builder::<(), ()>(&BARRIER_ROUNDS, input).launch(|coord| {
        let mut rounds = [0u8; 4];
        let n = coord.input().len().min(4);
        rounds[..n].copy_from_slice(&coord.input()[..n]);
        let rounds = u32::from_le_bytes(rounds);
        coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
            for _ in 0..rounds {
                w.barrier()?;
            }
            Ok(())
        })?;
        coord.set_output(&rounds.to_le_bytes());
        Ok(())
    })
}
