//! Tasklets that grafos-runtime's tests build for wasm32 and run in the
//! runtime, and run natively on the host mock to compare outputs.
//!
//! Each is a `#[grafos::tasklet]` module; [`run_host`] runs one by name on
//! the host mock. Several break the rules on purpose (a lane that panics,
//! spins for ever, or skips a barrier), so their generated cross-target
//! tests are not run (`[lib] test = false`); the runtime's own tests run
//! them and say what each must give.

use std::hint::black_box;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

#[cfg(not(target_arch = "wasm32"))]
use grafos::TaskletInfo;
use grafos::prelude::*;

/// Runs tasklet `name` on the host mock with `input`.
///
/// # Panics
///
/// If there is no tasklet `name`.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_host(name: &str, input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    let run = TASKLETS
        .iter()
        .find(|(info, _)| info.name == name)
        .unwrap_or_else(|| panic!("no tasklet {name}"))
        .1;
    run(input)
}

#[cfg(not(target_arch = "wasm32"))]
type Run = fn(&[u8]) -> Result<SharedTaskletResult, TaskletError>;

/// Every tasklet of this crate with its host runner.
#[cfg(not(target_arch = "wasm32"))]
pub static TASKLETS: &[(&TaskletInfo, Run)] = &[
    (&sum::INFO, sum::run_host),
    (&histogram::INFO, histogram::run_host),
    (&barriers2::INFO, barriers2::run_host),
    (&barriers7::INFO, barriers7::run_host),
    (&panic_lane::INFO, panic_lane::run_host),
    (&coordinator_panic::INFO, coordinator_panic::run_host),
    (&spin::INFO, spin::run_host),
    (&checkpoints::INFO, checkpoints::run_host),
    (&mismatch::INFO, mismatch::run_host),
    (&recurse::INFO, recurse::run_host),
    (&grow::INFO, grow::run_host),
    (&fail::INFO, fail::run_host),
    (&kernel::INFO, kernel::run_host),
    (&barrier_rounds::INFO, barrier_rounds::run_host),
    (&partition::INFO, partition::run_host),
];

/// A little-endian `u32` from the input's first four bytes (missing ones 0).
fn leading_u32(input: &[u8]) -> u32 {
    let mut bytes = [0u8; 4];
    let n = input.len().min(4);
    bytes[..n].copy_from_slice(&input[..n]);
    u32::from_le_bytes(bytes)
}

// ---------------------------------------------------------------------------
// sum: a closure with captures; partitions, atomics and per-lane scratch.
// ---------------------------------------------------------------------------

/// The shared value of `sum`.
#[derive(Debug, Default)]
pub struct SumShared {
    total: AtomicU64,
    lanes_done: AtomicU32,
}

/// The scratch of `sum`.
#[derive(Debug, Default, Clone)]
pub struct SumScratch {
    partial: u64,
    count: u32,
}

/// `sum`: 4 lanes (3 data lanes). Output: the weighted byte sum (u64),
/// lanes done (u32), then each data lane's partial sum and item count in
/// lane order.
#[grafos::tasklet(
    workers = 4,
    shared = SumShared,
    scratch = SumScratch,
    shared_bytes = 64,
    scratch_bytes = 16,
    fuel = 100_000_000
)]
pub mod sum {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
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
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// histogram: named worker functions, two regions, the arena.
// ---------------------------------------------------------------------------

/// The shared value of `histogram`.
#[derive(Debug)]
pub struct HistShared {
    counts: [AtomicU32; 256],
}

impl Default for HistShared {
    fn default() -> Self {
        Self {
            counts: std::array::from_fn(|_| AtomicU32::new(0)),
        }
    }
}

/// The scratch of `histogram`.
#[derive(Debug, Clone)]
pub struct HistScratch {
    local: [u32; 256],
}

impl Default for HistScratch {
    fn default() -> Self {
        Self { local: [0; 256] }
    }
}

/// `histogram`: 5 lanes, named workers `count` and `scale`. Output: 256
/// little-endian u32 counts, scaled by factors the coordinator puts in the
/// arena between the two regions.
#[grafos::tasklet(
    workers = 5,
    shared = HistShared,
    scratch = HistScratch,
    shared_bytes = 2064,
    scratch_bytes = 1024,
    fuel = 100_000_000
)]
pub mod histogram {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
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
        Ok(coord
            .shared()
            .counts
            .iter()
            .flat_map(|c| c.load(Relaxed).to_le_bytes())
            .collect())
    }

    #[worker]
    fn count(w: &mut Worker) {
        let range = w.partition(w.input().len());
        for i in range {
            let b = w.input()[i];
            w.scratch_mut().local[b as usize] += 1;
        }
        for (i, n) in w.scratch().local.iter().enumerate() {
            w.shared().counts[i].fetch_add(*n, Relaxed);
        }
    }

    #[worker]
    fn scale(w: &mut Worker) -> Result<(), TaskletError> {
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
}

// ---------------------------------------------------------------------------
// barriers: phases separated by barriers, each lane reading its neighbours.
// ---------------------------------------------------------------------------

/// The shared value of the ring exchanges.
#[derive(Debug, Default)]
pub struct RingShared {
    slots: [AtomicU64; 8],
}

/// Rounds of a ring exchange: in each, every lane reads its right
/// neighbour's slot, waits at a barrier, writes its own, waits again. Any
/// barrier that let a lane through early would change the output.
fn ring(coord: &mut CoordinatorCtx<RingShared, ()>) -> Result<Vec<u8>, TaskletError> {
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
    Ok((0..coord.data_worker_count())
        .flat_map(|i| coord.shared().slots[i].load(Relaxed).to_le_bytes())
        .collect())
}

/// `barriers2`: the ring on 3 lanes (2 data lanes).
#[grafos::tasklet(workers = 3, shared = RingShared, shared_bytes = 64, fuel = 100_000_000)]
pub mod barriers2 {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        ring(coord)
    }
}

/// `barriers7`: the ring on 8 lanes (7 data lanes).
#[grafos::tasklet(workers = 8, shared = RingShared, shared_bytes = 64, fuel = 100_000_000)]
pub mod barriers7 {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        ring(coord)
    }
}

// ---------------------------------------------------------------------------
// Failures.
// ---------------------------------------------------------------------------

/// `panic_lane`: data lane 2 panics with a formatted message; the others
/// wait at a barrier, are released with `Cancelled` and return it.
#[grafos::tasklet(workers = 4, fuel = 100_000_000)]
pub mod panic_lane {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
            if w.data_worker_index() == 1 {
                panic!("lane 2 gives up after {} input bytes", w.input().len());
            }
            w.barrier()?;
            Ok(())
        })?;
        Ok(b"unreachable".to_vec())
    }
}

/// `coordinator_panic`: the coordinator panics after one region.
#[grafos::tasklet(workers = 2, fuel = 100_000_000)]
pub mod coordinator_panic {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let n = coord.input().len();
        if n < 1_000_000 {
            panic!("coordinator saw {n} bytes");
        }
        Ok(())
    }
}

/// `fail`: lane 3 fails with `TaskletError::Failed` and the coordinator
/// propagates it; an empty input makes the coordinator fail by itself
/// before any region.
#[grafos::tasklet(workers = 4, fuel = 100_000_000)]
pub mod fail {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        if coord.input().is_empty() {
            return Err(TaskletError::failed("the coordinator needs input"));
        }
        coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
            if w.data_worker_index() == 2 {
                return Err(TaskletError::failed(format!(
                    "lane 3 rejects byte {}",
                    w.input()[0]
                )));
            }
            Ok(())
        })?;
        Ok(())
    }
}

/// The shared value of `spin` and `checkpoints`.
#[derive(Debug, Default)]
pub struct SpinShared {
    flag: AtomicU32,
    spins: AtomicU64,
}

/// `spin`: data lane 1 spin-waits on a flag no lane ever sets: the wasm
/// runtime stops it by fuel or deadline. Never run it on the host.
#[grafos::tasklet(workers = 3, shared = SpinShared, shared_bytes = 64, fuel = 100_000_000)]
pub mod spin {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|w| {
            if w.data_worker_index() == 0 {
                while w.shared().flag.load(Relaxed) == 0 {
                    w.shared().spins.fetch_add(1, Relaxed);
                }
            }
        })?;
        Ok(b"unreachable".to_vec())
    }
}

/// `checkpoints`: every lane spends fuel checkpoints until the pool is dry,
/// then returns `FuelExhausted`.
#[grafos::tasklet(workers = 3, shared = SpinShared, shared_bytes = 64, fuel = 100_000_000)]
pub mod checkpoints {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
            loop {
                w.fuel_checkpoint()?;
                w.shared().spins.fetch_add(1, Relaxed);
            }
        })?;
        Ok(())
    }
}

/// `mismatch`: lane 1 skips the second barrier while lanes 2 and 3 wait at
/// it: `BarrierMismatch { lane: 1, reached: 1, expected: 2 }` on both
/// targets.
#[grafos::tasklet(workers = 4, fuel = 100_000_000)]
pub mod mismatch {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
            w.barrier()?;
            if w.data_worker_index() != 0 {
                w.barrier()?;
            }
            Ok(())
        })?;
        Ok(())
    }
}

/// The shared value of `recurse`.
#[derive(Debug, Default)]
pub struct DepthShared {
    deepest: AtomicU64,
}

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

/// `recurse`: data lanes recurse as deep as the input's little-endian u32
/// says, with a 1 KiB frame each. Output: the sum of every frame's byte.
#[grafos::tasklet(workers = 3, shared = DepthShared, shared_bytes = 64, fuel = 1_000_000_000)]
pub mod recurse {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let depth = leading_u32(coord.input());
        coord.parallel_for_workers(|w| {
            let v = descend(depth, w.data_worker_index() as u8);
            w.shared().deepest.fetch_add(v, Relaxed);
        })?;
        Ok(coord.shared().deepest.load(Relaxed).to_le_bytes().to_vec())
    }
}

/// `grow`: a data lane allocates as many bytes as the input's little-endian
/// u32 says. Output: that count, a little-endian u64.
#[grafos::tasklet(workers = 2, fuel = 1_000_000_000)]
pub mod grow {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let len = leading_u32(coord.input()) as usize;
        coord.parallel_for_workers(|_| {
            let buf = black_box(vec![7u8; len]);
            black_box(buf.iter().step_by(4096).count());
        })?;
        Ok((len as u64).to_le_bytes().to_vec())
    }
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

/// The shared value of `kernel`.
#[derive(Debug, Default)]
pub struct MixShared {
    hash: AtomicU64,
}

/// `kernel`: [`mix`] on one data lane. Output: the hash, little-endian.
#[grafos::tasklet(workers = 2, shared = MixShared, shared_bytes = 64, fuel = 10_000_000_000)]
pub mod kernel {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|w| {
            w.shared().hash.store(mix(w.input()), Relaxed);
        })?;
        Ok(coord.shared().hash.load(Relaxed).to_le_bytes().to_vec())
    }
}

/// `kernel` on the host mock.
#[cfg(not(target_arch = "wasm32"))]
pub fn kernel(input: &[u8]) -> Result<SharedTaskletResult, TaskletError> {
    kernel::run_host(input)
}

/// `barrier_rounds`: 4 data lanes meet at as many barriers as the input's
/// little-endian u32 says. Output: that number.
#[grafos::tasklet(workers = 5, fuel = 10_000_000_000)]
pub mod barrier_rounds {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let rounds = leading_u32(coord.input());
        coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
            for _ in 0..rounds {
                w.barrier()?;
            }
            Ok(())
        })?;
        Ok(rounds.to_le_bytes().to_vec())
    }
}

// ---------------------------------------------------------------------------
// partition: `Partitioned` arrays and task regions, used well and misused.
// ---------------------------------------------------------------------------

/// The shared value of `partition`.
#[derive(Debug, Default)]
pub struct PartShared {
    input: Partitioned<u32>,
    doubled: Partitioned<u32>,
    passed: std::sync::Mutex<Option<Lane>>,
}

/// `partition`: 5 lanes. The input's first byte picks what the lanes do
/// with the rest: 0 uses `Partitioned` as documented (lanes read one array
/// and write their parts of another, then 7 tasks write chunks); 1 reads
/// and writes one array in one region; 2 holds a part twice; 3 claims with
/// the `Lane` in a task region; 4 lists fewer ranges than lanes; 5 claims
/// with a `Lane` kept from the previous region; 6 claims with a `Lane`
/// another lane passed on through the shared value. Output (mode 0): the
/// doubled bytes as little-endian u32s, then the task indices per chunk.
#[grafos::tasklet(
    workers = 5,
    shared = PartShared,
    scratch = Option<Lane>,
    shared_bytes = 256,
    scratch_bytes = 64,
    fuel = 1_000_000_000
)]
pub mod partition {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let (mode, bytes) = coord
            .input()
            .split_first()
            .map_or((0, &[][..]), |(m, b)| (*m, b));
        let values: Vec<u32> = bytes.iter().map(|&b| u32::from(b)).collect();
        let n = values.len();
        *coord.shared_mut().input.as_mut_vec() = values;
        coord.shared_mut().doubled.as_mut_vec().resize(n, 0);
        match mode {
            1 => coord.parallel_for_workers(read_and_write)?,
            2 => coord.parallel_for_workers(hold_twice)?,
            3 => coord
                .parallel_for_tasks(3, |w, _| w.shared().doubled.part_mut(w.lane()).map(drop))?,
            4 => {
                let ranges = Split::Ranges(vec![0..1, 1..2]);
                coord.shared_mut().doubled.set_split(ranges)?;
                coord.parallel_for_workers(double)?;
            }
            5 => {
                coord.parallel_for_workers(keep_lane)?;
                coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                    drop(w.shared().input.read(w.lane())?);
                    let kept = w.scratch().expect("kept in the last region");
                    drop(w.shared().doubled.part_mut(kept)?);
                    Ok(())
                })?;
            }
            6 => coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                if w.lane().index == 0 {
                    *w.shared().passed.lock().unwrap() = Some(w.lane());
                }
                w.barrier()?;
                if w.lane().index == 1 {
                    let passed = w.shared().passed.lock().unwrap().expect("passed on");
                    drop(w.shared().doubled.part_mut(passed)?);
                }
                Ok(())
            })?,
            _ => {
                coord.parallel_for_workers(double)?;
                coord.shared_mut().input.set_split(Split::Chunks(3))?;
                coord.parallel_for_tasks(n.div_ceil(3), |w, task| {
                    w.shared().input.part_mut(task)?.fill(task.index as u32);
                    Ok::<_, TaskletError>(())
                })?;
            }
        }
        let shared = coord.shared();
        let doubled = shared.doubled.read(&*coord)?;
        let tasks = shared.input.read(&*coord)?;
        Ok(doubled
            .iter()
            .chain(tasks.iter())
            .flat_map(|v| v.to_le_bytes())
            .collect())
    }

    #[worker]
    fn double(shared: &PartShared, lane: Lane) -> Result<(), TaskletError> {
        let input = shared.input.read(lane)?;
        let mut part = shared.doubled.part_mut(lane)?;
        for (i, v) in part.range().zip(part.iter_mut()) {
            *v = 2 * input[i];
        }
        Ok(())
    }

    #[worker]
    fn read_and_write(shared: &PartShared, lane: Lane) -> Result<(), TaskletError> {
        if lane.index.is_multiple_of(2) {
            drop(shared.doubled.read(lane)?);
        } else {
            drop(shared.doubled.part_mut(lane)?);
        }
        Ok(())
    }

    #[worker]
    fn hold_twice(shared: &PartShared, lane: Lane) -> Result<(), TaskletError> {
        let first = shared.doubled.part_mut(lane)?;
        let second = shared.doubled.part_mut(lane)?;
        drop((first, second));
        Ok(())
    }

    #[worker]
    fn keep_lane(scratch: &mut Option<Lane>, lane: Lane) {
        *scratch = Some(lane);
    }
}
