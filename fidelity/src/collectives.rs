//! The SDK's collectives (`all_reduce`, `inclusive_scan`, `exclusive_scan`,
//! `broadcast`) and `map_workers`, on integers and on floats whose sum
//! depends on the order of the additions: [`collectives_all`] is a portable control
//! whose output is every lane's result of every collective, which
//! `tests/collectives.rs` checks on both targets, at several lane counts and
//! lane orders, against [`reference`], a sequential fold in lane order. The
//! other tasklets fail on purpose, inside a collective: a lane panics
//! ([`collective_lane_panics`]), the lanes disagree about the collective
//! ([`collective_mismatch`]), a lane waits for the launch to be cancelled
//! ([`collective_waits_for_cancel`]).

use grafos::prelude::*;

use crate::fnv1a;

/// A 64-bit mix (splitmix64): the same on every target.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Data lane `lane`'s values for an input: an integer, and floats of widely
/// different magnitudes and both signs, so that their sums depend on the
/// order they are added in.
pub fn lane_values(input: &[u8], lane: usize) -> (u64, f64, f32, [f64; 2]) {
    let x = mix(fnv1a(input) ^ (lane as u64).wrapping_mul(0x1000_0000_01b3));
    let unit = (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
    let scale = |shift: u64| 2f64.powi(((x >> shift) % 12) as i32 - 6);
    // Data lanes 0 and 1 cancel each other's large part: added first, in
    // lane order, the small parts of both survive; added last, every small
    // part added to them before is rounded away.
    let (big, big32) = match lane {
        0 => (2f64.powi(53), 2f32.powi(24)),
        1 => (-(2f64.powi(53)), -(2f32.powi(24))),
        _ => (0.0, 0.0),
    };
    let f = unit * scale(3) + big;
    let g = (1.0 - unit) * scale(17);
    (x, f, (unit * scale(29)) as f32 + big32, [g, -f * 3.0])
}

/// A combination that is neither commutative nor associative: a
/// polynomial hash step.
pub fn poly(a: u64, b: u64) -> u64 {
    a.wrapping_mul(31).wrapping_add(b)
}

fn add2(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] + b[0], a[1] + b[1]]
}

/// What one data lane outputs, in this order: the `all_reduce`s (wrapping
/// sum, `poly`, `f64` sum, `f32` sum, `[f64; 2]` sum, `f64` max), the
/// `inclusive_scan`s (`f64` sum, `poly`), the `exclusive_scan`s (`f64` sum
/// from 0.5, `poly` from 7), the `broadcast`s (the last lane's `f64`, lane
/// 0's `[f64; 2]`), each little-endian.
#[allow(clippy::type_complexity)]
fn lane_output(
    all: (u64, u64, f64, f32, [f64; 2], f64),
    inc: (f64, u64),
    exc: (f64, u64),
    bc: (f64, [f64; 2]),
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(all.0.to_le_bytes());
    out.extend(all.1.to_le_bytes());
    out.extend(all.2.to_le_bytes());
    out.extend(all.3.to_le_bytes());
    out.extend(all.4[0].to_le_bytes());
    out.extend(all.4[1].to_le_bytes());
    out.extend(all.5.to_le_bytes());
    out.extend(inc.0.to_le_bytes());
    out.extend(inc.1.to_le_bytes());
    out.extend(exc.0.to_le_bytes());
    out.extend(exc.1.to_le_bytes());
    out.extend(bc.0.to_le_bytes());
    out.extend(bc.1[0].to_le_bytes());
    out.extend(bc.1[1].to_le_bytes());
    out
}

/// The sequential reference of [`collectives_all`] on `data_lanes` data lanes: every
/// combination a left fold in lane order, as the SDK documents.
pub fn reference(input: &[u8], data_lanes: usize) -> Vec<u8> {
    let v: Vec<_> = (0..data_lanes).map(|l| lane_values(input, l)).collect();
    let fold_u = |f: fn(u64, u64) -> u64, n: usize| v[1..n].iter().fold(v[0].0, |a, x| f(a, x.0));
    let fold_f = |n: usize| v[1..n].iter().fold(v[0].1, |a, x| a + x.1);
    let all = (
        fold_u(u64::wrapping_add, data_lanes),
        fold_u(poly, data_lanes),
        fold_f(data_lanes),
        v[1..].iter().fold(v[0].2, |a, x| a + x.2),
        v[1..].iter().fold(v[0].3, |a, x| add2(a, x.3)),
        v[1..].iter().fold(v[0].1, |a, x| a.max(x.1)),
    );
    (0..data_lanes)
        .flat_map(|lane| {
            let inc = (fold_f(lane + 1), fold_u(poly, lane + 1));
            let exc = (
                v[..lane].iter().fold(0.5, |a, x| a + x.1),
                v[..lane].iter().fold(7, |a, x| poly(a, x.0)),
            );
            let bc = (v[data_lanes - 1].1, v[0].3);
            lane_output(all, inc, exc, bc)
        })
        .collect()
}

/// Every collective on every lane; the output is each lane's results in
/// lane order (see [`reference`]).
#[grafos::tasklet(workers = 4)]
pub mod collectives_all {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        Ok(coord.map_workers(collect)?.concat())
    }

    #[worker]
    fn collect(w: &Worker) -> Result<Vec<u8>, TaskletError> {
        let lane = w.data_worker_index();
        let (u, f, g, pair) = lane_values(w.input(), lane);
        let last = w.data_worker_count() - 1;
        let all = (
            w.all_reduce(u, u64::wrapping_add)?,
            w.all_reduce(u, poly)?,
            w.all_reduce(f, |a, b| a + b)?,
            w.all_reduce(g, |a, b| a + b)?,
            w.all_reduce(pair, add2)?,
            w.all_reduce(f, f64::max)?,
        );
        let inc = (
            w.inclusive_scan(f, |a, b| a + b)?,
            w.inclusive_scan(u, poly)?,
        );
        let exc = (
            w.exclusive_scan(f, 0.5, |a, b| a + b)?,
            w.exclusive_scan(u, 7, poly)?,
        );
        let bc = (w.broadcast(last, f)?, w.broadcast(0, pair)?);
        Ok(lane_output(all, inc, exc, bc))
    }
}

/// Data lane 1 panics while the other lanes wait in an `all_reduce`: the
/// launch fails with `WorkerPanicked` and nobody hangs.
#[grafos::tasklet(workers = 4)]
pub mod collective_lane_panics {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let sums = coord.map_workers(sum)?;
        Ok(sums.iter().flat_map(|s| s.to_le_bytes()).collect())
    }

    #[worker]
    fn sum(w: &Worker) -> Result<u64, TaskletError> {
        let lane = w.data_worker_index();
        w.all_reduce(lane as u64, u64::wrapping_add)?;
        if lane == 1 {
            panic!("data lane 1 gives up inside a collective");
        }
        w.all_reduce(lane as u64, u64::wrapping_add)
    }
}

/// Data lane 0 calls `broadcast` where the others call `all_reduce`: the
/// launch fails with the mismatch, named alike on both targets.
#[grafos::tasklet(workers = 4)]
pub mod collective_mismatch {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let values = coord.map_workers(disagree)?;
        Ok(values.iter().flat_map(|s| s.to_le_bytes()).collect())
    }

    #[worker]
    fn disagree(w: &Worker) -> Result<u32, TaskletError> {
        let lane = w.data_worker_index();
        w.all_reduce(1u32, u32::wrapping_add)?;
        if lane == 0 {
            w.broadcast(0, 5u32)
        } else {
            w.all_reduce(lane as u32, u32::wrapping_add)
        }
    }
}

/// The last data lane waits, spending fuel, until the launch is cancelled,
/// while the others wait for it in an `all_reduce`: cancelling the launch
/// ends it with `Cancelled`.
#[grafos::tasklet(workers = 4, fuel = 1_000_000_000_000)]
pub mod collective_waits_for_cancel {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let values = coord.map_workers(wait)?;
        Ok(values.iter().flat_map(|s| s.to_le_bytes()).collect())
    }

    #[worker]
    fn wait(w: &Worker) -> Result<u64, TaskletError> {
        if w.data_worker_index() + 1 == w.data_worker_count() {
            while !w.is_cancelled() {
                w.fuel_checkpoint()?;
            }
        }
        w.all_reduce(1u64, u64::wrapping_add)
    }
}

/// Shared partials of the hand-written reductions: one slot per data lane.
#[derive(Debug, Default)]
pub struct Partials {
    /// Data lane `i`'s partial, as bits.
    pub slots: Vec<std::sync::atomic::AtomicU64>,
}

/// Rounds of a reduction benchmark: the input's first 4 bytes (LE), or 0.
pub fn bench_rounds(input: &[u8]) -> u32 {
    input
        .get(..4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Benchmark: `rounds` `all_reduce`s of a `u64` (wrapping sum).
#[grafos::tasklet(workers = 4, fuel = 1_000_000_000_000)]
pub mod bench_all_reduce_u64 {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        Ok(coord.map_workers(reduce)?[0].to_le_bytes().to_vec())
    }

    #[worker]
    fn reduce(w: &Worker) -> Result<u64, TaskletError> {
        let mut x = w.data_worker_index() as u64;
        for _ in 0..bench_rounds(w.input()) {
            x = w.all_reduce(x, u64::wrapping_add)?;
        }
        Ok(x)
    }
}

/// Benchmark: `rounds` `all_reduce`s of an `f64` (sum).
#[grafos::tasklet(workers = 4, fuel = 1_000_000_000_000)]
pub mod bench_all_reduce_f64 {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        Ok(coord.map_workers(reduce)?[0].to_le_bytes().to_vec())
    }

    #[worker]
    fn reduce(w: &Worker) -> Result<f64, TaskletError> {
        let mut x = w.data_worker_index() as f64 * 0.1;
        for _ in 0..bench_rounds(w.input()) {
            x = w.all_reduce(x, |a, b| a + b)? * 0.25;
        }
        Ok(x)
    }
}

/// The hand-written reduction the collectives replace: each lane stores
/// its partial in the shared region, waits at a barrier, adds every
/// lane's partial in lane order and waits again before the slots are
/// reused. Two barrier rounds per reduction; `$from`/`$to` convert the
/// value to and from its bits, `$post` is what the lane does with the sum.
macro_rules! hand_written {
    ($name:ident, $t:ty, $start:expr, $op:expr, $post:expr, $from:expr, $to:expr) => {
        /// Benchmark baseline: `rounds` hand-written reductions (partials
        /// and two barriers).
        #[grafos::tasklet(workers = 4, shared = Partials, fuel = 1_000_000_000_000)]
        pub mod $name {
            use super::*;
            use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

            #[coordinator]
            fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
                let lanes = coord.data_worker_count();
                coord.shared_mut().slots = (0..lanes).map(|_| AtomicU64::new(0)).collect();
                Ok(coord.map_workers(reduce)?[0].to_le_bytes().to_vec())
            }

            #[worker]
            fn reduce(w: &Worker) -> Result<$t, TaskletError> {
                let slots = &w.shared().slots;
                let lane = w.data_worker_index();
                let mut x: $t = ($start)(lane);
                for _ in 0..bench_rounds(w.input()) {
                    slots[lane].store(($to)(x), Relaxed);
                    w.barrier()?;
                    let mut acc: $t = ($from)(slots[0].load(Relaxed));
                    for slot in &slots[1..] {
                        acc = ($op)(acc, ($from)(slot.load(Relaxed)));
                    }
                    w.barrier()?;
                    x = ($post)(acc);
                }
                Ok(x)
            }
        }
    };
}

hand_written!(
    bench_hand_u64,
    u64,
    |lane: usize| lane as u64,
    u64::wrapping_add,
    |x: u64| x,
    |bits: u64| bits,
    |x: u64| x
);
hand_written!(
    bench_hand_f64,
    f64,
    |lane: usize| lane as f64 * 0.1,
    |a: f64, b: f64| a + b,
    |x: f64| x * 0.25,
    f64::from_bits,
    f64::to_bits
);
