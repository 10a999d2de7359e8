//! Scheduling. In the runtime, lanes take turns on one thread and switch
//! only inside SDK calls (a barrier, the end of a region); on the host
//! mock they are OS threads. Anything that depends on which lane gets
//! somewhere first differs between lane orders — and the cross-target test
//! runs the runtime in order, reversed and in a seeded permutation, so it
//! is caught deterministically as "depends on the order", before the
//! targets are compared. A lane that *waits* for another in a loop never
//! ends in the runtime (it never yields) and is caught by the host mock's
//! free threads.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed, Ordering::SeqCst};

use grafos::prelude::*;

use crate::{Out, concat};

/// Shared state of the tasklets here.
#[derive(Debug, Default)]
pub struct Board {
    /// A work queue's cursor, or a ticket counter.
    pub next: AtomicUsize,
    /// One value per lane (sized by the coordinator).
    pub slots: Vec<AtomicU64>,
    /// The winner of a race, `u32::MAX` while nobody won (set by the
    /// coordinator).
    pub winner: AtomicU32,
    /// A running value.
    pub acc: AtomicU64,
    /// A log lanes append to.
    pub log: Mutex<Vec<u8>>,
}

/// Sizes [`Board::slots`] and resets the winner.
fn prepare(coord: &mut CoordinatorCtx<Board, Out>) {
    let lanes = coord.data_worker_count();
    let board = coord.shared_mut();
    board.slots = (0..lanes).map(|_| AtomicU64::new(0)).collect();
    board.winner = AtomicU32::new(u32::MAX);
}

/// Dynamic load balancing: lanes claim 16-byte chunks from a shared cursor
/// with `fetch_add` and checksum the chunks they claimed; the output is
/// each lane's list of claimed chunks. Which lane claims which chunk is
/// whoever comes first: in the runtime lane 0 claims everything when lanes
/// run in order, the last lane when reversed. Caught: depends on the
/// order.
#[grafos::tasklet(workers = 4, shared = Board, scratch = Out)]
pub mod fetch_add_claiming {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        prepare(coord);
        coord.parallel_for_workers(claim)?;
        Ok(concat(coord))
    }

    #[worker]
    fn claim(board: &Board, out: &mut Out, input: &[u8], lane: Lane) {
        let chunks = input.len().div_ceil(16);
        out.bytes = vec![lane.index as u8];
        loop {
            let c = board.next.fetch_add(1, Relaxed);
            if c >= chunks {
                break;
            }
            out.bytes.extend_from_slice(&(c as u32).to_le_bytes());
        }
    }
}

/// "First lane to finish reports": each lane checksums its block, then
/// tries `compare_exchange(NONE, lane)` on the winner; the output is the
/// winner's lane and its checksum. Caught: depends on the order.
#[grafos::tasklet(workers = 4, shared = Board, scratch = Out)]
pub mod compare_exchange_first_wins {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        prepare(coord);
        coord.parallel_for_workers(race)?;
        let winner = coord.shared().winner.load(SeqCst);
        let mut out = winner.to_le_bytes().to_vec();
        out.extend_from_slice(&coord.data_scratch(winner as usize).bytes);
        Ok(out)
    }

    #[worker]
    fn race(board: &Board, out: &mut Out, input: &[u8], lane: Lane) {
        out.bytes = crate::fnv1a(&input[lane.partition(input.len())])
            .to_le_bytes()
            .to_vec();
        let _ = board
            .winner
            .compare_exchange(u32::MAX, lane.index as u32, SeqCst, SeqCst);
    }
}

/// A two-phase computation without the barrier: each lane publishes its
/// block's sum in its slot, then reads the previous lane's slot to offset
/// its own (a prefix sum missing its `barrier()`). In order, the previous
/// lane has written; reversed, it has not. Caught: depends on the order.
#[grafos::tasklet(workers = 4, shared = Board, scratch = Out)]
pub mod read_without_barrier {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        prepare(coord);
        coord.parallel_for_workers(offset)?;
        Ok(concat(coord))
    }

    #[worker]
    fn offset(board: &Board, out: &mut Out, input: &[u8], lane: Lane) {
        let sum: u64 = input[lane.partition(input.len())]
            .iter()
            .map(|&b| u64::from(b))
            .sum();
        board.slots[lane.index].store(sum, SeqCst);
        let before = match lane.index {
            0 => 0,
            i => board.slots[i - 1].load(SeqCst),
        };
        out.bytes = (sum + before).to_le_bytes().to_vec();
    }
}

/// A running checksum in one shared atomic, updated with a
/// non-commutative step (`h = (h * 31) ^ x` by `fetch_update`) as each lane
/// finishes its block. Integer `fetch_add` would commute; this does not.
/// Caught: depends on the order.
#[grafos::tasklet(workers = 4, shared = Board, scratch = Out)]
pub mod non_commutative_atomic {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        prepare(coord);
        coord.parallel_for_workers(chain)?;
        Ok(coord.shared().acc.load(SeqCst).to_le_bytes().to_vec())
    }

    #[worker]
    fn chain(board: &Board, input: &[u8], lane: Lane) {
        let mine = crate::fnv1a(&input[lane.partition(input.len())]);
        let _ = board
            .acc
            .fetch_update(SeqCst, SeqCst, |h| Some(h.wrapping_mul(31) ^ mine));
    }
}

/// A float sum accumulated in a shared `AtomicU64` holding `f64` bits by a
/// compare-and-swap loop: each lane adds its block's partial sum. Float
/// addition does not associate, so the total's last bits depend on the
/// order the lanes add in. Caught: depends on the order (on inputs where
/// the rounding differs).
#[grafos::tasklet(workers = 4, shared = Board, scratch = Out)]
pub mod float_atomic_sum {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        prepare(coord);
        coord.parallel_for_workers(add)?;
        Ok(coord.shared().acc.load(SeqCst).to_le_bytes().to_vec())
    }

    #[worker]
    fn add(board: &Board, input: &[u8], lane: Lane) {
        let partial: f64 = input[lane.partition(input.len())]
            .iter()
            .map(|&b| 1.0 / (f64::from(b) + 0.1))
            .sum();
        let _ = board.acc.fetch_update(SeqCst, SeqCst, |bits| {
            Some((f64::from_bits(bits) + partial).to_bits())
        });
    }
}

/// Lanes append their blocks to a shared `Mutex<Vec<u8>>` log as they
/// finish, and the log is the output: the blocks come out in the order the
/// lanes ran. Caught: depends on the order.
#[grafos::tasklet(workers = 4, shared = Board, scratch = Out)]
pub mod mutex_log {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        prepare(coord);
        coord.parallel_for_workers(append)?;
        let log = coord.shared().log.lock().unwrap_or_else(|e| e.into_inner());
        Ok(log.clone())
    }

    #[worker]
    fn append(board: &Board, input: &[u8], lane: Lane) {
        let mut log = board.log.lock().unwrap_or_else(|e| e.into_inner());
        log.push(lane.index as u8);
        log.extend_from_slice(&input[lane.partition(input.len())]);
    }
}

/// A hand-made barrier: each lane increments a shared counter, then waits
/// in a loop (no `spin_loop`, which the lint rejects) until every lane has
/// — instead of calling `barrier()`. On the host mock's threads every lane
/// arrives and all finish; in the runtime the first lane to wait never
/// yields, and the launch runs out of fuel (a small `fuel = 20_000_000`
/// stops it quickly). The host mock taking turns would hang, so the
/// harness skips it. Caught: lanes run at the same time (threads).
#[grafos::tasklet(workers = 3, shared = Board, scratch = Out, fuel = 20_000_000)]
pub mod spin_wait_flag {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        prepare(coord);
        coord.parallel_for_workers(meet)?;
        Ok(concat(coord))
    }

    #[worker]
    fn meet(board: &Board, out: &mut Out, input: &[u8], lane: Lane) {
        board.next.fetch_add(1, SeqCst);
        while board.next.load(SeqCst) < lane.count {}
        out.bytes = crate::fnv1a(&input[lane.partition(input.len())])
            .to_le_bytes()
            .to_vec();
    }
}

/// The shared value of [`std_barrier`]: a `std::sync::Barrier` for the
/// data lanes, made by the coordinator.
#[derive(Debug, Default)]
pub struct WithStdBarrier {
    /// The barrier.
    pub barrier: Option<std::sync::Barrier>,
}

/// A barrier for `lanes` threads, made outside the tasklet module.
pub fn new_barrier(lanes: usize) -> std::sync::Barrier {
    std::sync::Barrier::new(lanes)
}

/// Waits at `barrier`.
pub fn wait_at(barrier: &std::sync::Barrier) {
    barrier.wait();
}

/// **Not executed by the suite: it would hang the host mock for the
/// harness's 120 s timeout.** Lanes meet at a `std::sync::Barrier` (through
/// a helper outside the module: inside, the lint rejects it,
/// `ui-tests/tests/ui/lint/fail/std-sync-barrier.rs`). On wasm32 a
/// `Barrier` cannot block (no threads): the first lane to wait panics (or
/// waits forever); on the host mock's threads it works; with the host mock
/// taking turns, the first lane blocks in the OS barrier holding its turn
/// and the launch never ends, until the harness's timeout.
#[grafos::tasklet(workers = 3, shared = WithStdBarrier)]
pub mod std_barrier {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let lanes = coord.data_worker_count();
        coord.shared_mut().barrier = Some(super::new_barrier(lanes));
        coord.parallel_for_workers(meet)?;
        Ok(vec![1])
    }

    #[worker]
    fn meet(shared: &WithStdBarrier) {
        if let Some(b) = &shared.barrier {
            wait_at(b);
        }
    }
}
