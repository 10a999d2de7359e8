//! Limits that exist on one side only. The runtime gives each lane a
//! 256 KiB stack in linear memory, lets a lane nest at most 4096 calls,
//! caps a launch's memory at 256 MiB, and counts fuel in wasm
//! instructions. The host mock's lanes are OS threads with 2 MiB stacks,
//! memory is the machine's, and fuel is counted only at
//! `fuel_checkpoint()` calls. A program within one side's limits and
//! beyond the other's fails on one side only.

use grafos::prelude::*;

use crate::{Out, concat};

/// Folds the input recursively, one call per byte and not a tail call
/// (`fold(rest).rotate_left(5) ^ b`): the 4099-byte input nests 4099
/// calls, past the runtime's limit of 4096; the host's 2 MiB stack takes
/// it. Caught: targets compute differently (`CallDepthExceeded` on the
/// runtime only).
#[grafos::tasklet(workers = 2)]
pub mod deep_recursion {
    use super::*;

    fn fold(bytes: &[u8]) -> u64 {
        match bytes.split_first() {
            None => 0,
            Some((&b, rest)) => fold(rest).rotate_left(5) ^ u64::from(b),
        }
    }

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        Ok(fold(coord.input()).to_le_bytes().to_vec())
    }
}

/// Slots of [`big_stack_array`]'s table: 320 KiB of `u16`s.
pub const SLOTS: usize = 160 * 1024;

/// Counts byte pairs in a local `[u16; 160 Ki]` table — 320 KiB on the
/// stack: beyond the runtime's 256 KiB lane stack, well within the host
/// thread's 2 MiB. Caught — as "depends on the order": every lane
/// overflows on the runtime, and the error names the first lane to run
/// (see `panics::catch_unwind_fallback`).
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod big_stack_array {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(pairs)?;
        Ok(concat(coord))
    }

    #[worker]
    fn pairs(out: &mut Out, input: &[u8], lane: Lane) {
        let mut table = [0u16; SLOTS];
        for w in input[lane.partition(input.len())].windows(2) {
            let slot = (usize::from(w[0]) << 8 | usize::from(w[1])) * 2 % SLOTS;
            table[slot] = table[slot].wrapping_add(1);
        }
        let sum = table
            .iter()
            .enumerate()
            .fold(0u64, |s, (i, &n)| s.wrapping_add(i as u64 * u64::from(n)));
        out.bytes = sum.to_le_bytes().to_vec();
    }
}

/// Allocates a 300 MiB zeroed table (`vec![0u32; 75 Mi]`) for a sparse
/// count: the host's allocator maps it lazily; the runtime's 256 MiB cap
/// refuses the memory growth and fails the launch ("memory limit exceeded:
/// 316080128 requested, at most 268435456 allowed"). Caught: targets
/// compute differently.
#[grafos::tasklet(workers = 2)]
pub mod huge_allocation {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut table = vec![0u32; 75 << 20];
        let len = table.len();
        for (i, &b) in coord.input().iter().enumerate() {
            table[(i * 40_503 + usize::from(b)) % len] += 1;
        }
        Ok(table[..64].iter().flat_map(|n| n.to_le_bytes()).collect())
    }
}

/// Asks `try_reserve` for 1 GiB (a "can we buffer it all?" probe) and
/// writes whether it succeeded: the host's allocator says yes (the memory
/// is never touched), the runtime's 256 MiB cap says no. Caught: targets
/// compute differently.
#[grafos::tasklet(workers = 2)]
pub mod try_reserve_huge {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut buffer: Vec<u8> = Vec::new();
        let fits = buffer.try_reserve(1 << 30).is_ok();
        Ok(vec![u8::from(fits)])
    }
}

/// A tight budget, `fuel = 300_000`, and a loop of 16 rounds per input
/// byte that never calls `fuel_checkpoint()`: the runtime counts every
/// instruction and runs out on the 4099-byte input; the host mock counts
/// checkpoints only and finishes. Caught — but the report's `why:` says
/// "lanes run at the same time": the harness treats an exhausted reference
/// as a lane spinning for another and compares only the host mock's free
/// threads, so a budget overrun is reported as a threading problem.
#[grafos::tasklet(workers = 2, scratch = Out, fuel = 300_000)]
pub mod small_fuel {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(mix)?;
        Ok(concat(coord))
    }

    #[worker]
    fn mix(out: &mut Out, input: &[u8], lane: Lane) {
        let mut h = 0u64;
        for &b in &input[lane.partition(input.len())] {
            for r in 0..16 {
                h = (h ^ u64::from(b))
                    .rotate_left(r)
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15);
            }
        }
        out.bytes = h.to_le_bytes().to_vec();
    }
}
