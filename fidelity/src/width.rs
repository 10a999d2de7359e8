//! `usize` is 64 bits on the host and 32 on wasm32. Any `usize` that
//! reaches the output — as bytes, through a hash, through a size or an
//! alignment, or through arithmetic that wraps at its width — differs.
//!
//! The lint cannot see any of it: it reads syntax, and `usize` is the type
//! of every index. All are caught by the cross-target test as "the targets
//! compute differently" (the runtime in order and the host mock taking
//! turns in order give different bytes), except [`framed_len_unreached`],
//! whose bug hides behind input validation that the generated inputs never
//! pass.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::mem::{align_of, size_of};

use grafos::prelude::*;

use crate::{Out, concat};

/// Writes each lane's block length as `len().to_le_bytes()`: 8 bytes per
/// lane on the host, 4 on wasm32. The output even has a different length.
/// Caught: targets compute differently, on the first (empty) input.
#[grafos::tasklet(workers = 4, scratch = Out)]
pub mod len_bytes {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(lens)?;
        Ok(concat(coord))
    }

    #[worker]
    fn lens(out: &mut Out, input: &[u8], lane: Lane) {
        out.bytes = lane.partition(input.len()).len().to_le_bytes().to_vec();
    }
}

/// Finds the first zero byte of each lane's block and writes its position,
/// `usize::MAX` when there is none — the sentinel written out as
/// `to_le_bytes()` (8 bytes of `ff` on the host, 4 on wasm32).
/// Caught: targets compute differently.
#[grafos::tasklet(workers = 4, scratch = Out)]
pub mod max_sentinel {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(find)?;
        Ok(concat(coord))
    }

    #[worker]
    fn find(out: &mut Out, input: &[u8], lane: Lane) {
        let block = &input[lane.partition(input.len())];
        let at = block.iter().position(|&b| b == 0).unwrap_or(usize::MAX);
        out.bytes = at.to_le_bytes().to_vec();
    }
}

/// Hashes the input into a `u64` and uses `hash as usize` as a bucket
/// index — then writes the "index" back as a `u64`. `as usize` truncates
/// the hash to 32 bits on wasm32. Caught: targets compute differently.
#[grafos::tasklet(workers = 3)]
pub mod truncating_cast {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let slot = crate::fnv1a(coord.input()) as usize;
        Ok((slot as u64).to_le_bytes().to_vec())
    }
}

/// A record of a slice's metadata, as a serialiser might lay it out.
#[derive(Debug, Default)]
pub struct Record {
    /// The record's tag.
    pub tag: u8,
    /// Its length.
    pub len: usize,
    /// Its payload.
    pub payload: Vec<u8>,
}

/// Writes `size_of` of a struct holding a `usize` and a `Vec`, of `String`,
/// `Box<[u8]>`, `&str` and a raw pointer, as a header of "how many bytes
/// each record takes". All halve on wasm32. Caught: targets compute
/// differently.
#[grafos::tasklet(workers = 2)]
pub mod size_of_types {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let sizes = [
            size_of::<Record>(),
            size_of::<String>(),
            size_of::<Box<[u8]>>(),
            size_of::<&str>(),
            size_of::<*const u8>(),
        ];
        Ok(sizes.iter().map(|&s| s as u8).collect())
    }
}

/// Pads a buffer to the alignment of [`Record`] before each 3-byte record
/// (as a hand-rolled serialiser would): `align_of::<Record>()` is 8 on the
/// host and 4 on wasm32, so the padding differs. (With 5-byte records it
/// got through: 5 pads to 8 either way.) Caught: targets compute
/// differently.
#[grafos::tasklet(workers = 2)]
pub mod align_padding {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut out = Vec::new();
        for chunk in coord.input().chunks(3) {
            while out.len() % align_of::<Record>() != 0 {
                out.push(0);
            }
            out.extend_from_slice(chunk);
        }
        Ok(out)
    }
}

/// Hashes each lane's block — a `&[u8]` — with std's fixed-key
/// `DefaultHasher`: `Hash for [T]` writes the length first, as a `usize`
/// (8 bytes on the host, 4 on wasm32), so every hash differs. Caught:
/// targets compute differently, even on the empty input.
#[grafos::tasklet(workers = 4, scratch = Out)]
pub mod hash_slice {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(hash)?;
        Ok(concat(coord))
    }

    #[worker]
    fn hash(out: &mut Out, input: &[u8], lane: Lane) {
        let mut h = DefaultHasher::new();
        input[lane.partition(input.len())].hash(&mut h);
        out.bytes = h.finish().to_le_bytes().to_vec();
    }
}

/// Sorts `(key, position)` pairs by key only with `sort_unstable_by_key`
/// and writes the positions: ties are in an unspecified order, and std's
/// sort picks its small-sort strategy by the element's size — 16 bytes on
/// the host, 8 on wasm32 (a `usize` inside). Caught: targets compute
/// differently (on inputs with enough ties).
#[grafos::tasklet(workers = 2)]
pub mod sort_unstable_ties {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut pairs: Vec<(u8, usize)> = coord
            .input()
            .iter()
            .enumerate()
            .map(|(i, &b)| (b % 4, i))
            .collect();
        pairs.sort_unstable_by_key(|&(key, _)| key);
        Ok(pairs
            .iter()
            .flat_map(|&(_, i)| (i as u32).to_le_bytes())
            .collect())
    }
}

/// The shared value: a `Vec` header (24 bytes on the host, 12 on wasm32),
/// then the arena.
#[derive(Debug, Default)]
pub struct WithVec {
    /// Anything.
    pub items: Vec<u8>,
}

/// Writes `arena_len_bytes()` of a 256-byte shared region whose value holds
/// a `Vec`: the arena starts after the value rounded up to 16 bytes, so it
/// is 224 bytes on the host and 240 on wasm32. Caught: targets compute
/// differently.
#[grafos::tasklet(workers = 2, shared = WithVec, shared_bytes = 256)]
pub mod arena_len {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let len = coord.shared_region().arena_len_bytes() as u32;
        Ok(len.to_le_bytes().to_vec())
    }
}

/// A multiplicative hash of each lane's length in `usize` with
/// `wrapping_mul` by the golden-ratio constant — `0x9E37_79B9_7F4A_7C15 as
/// usize` is truncated on wasm32, and the product wraps at 32 bits — then
/// written as a `u64`. Caught: targets compute differently.
#[grafos::tasklet(workers = 4, scratch = Out)]
pub mod usize_wrapping {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(mix)?;
        Ok(concat(coord))
    }

    #[worker]
    fn mix(out: &mut Out, input: &[u8], lane: Lane) {
        let n = lane.partition(input.len()).len() + 1;
        let h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize);
        out.bytes = (h as u64).to_le_bytes().to_vec();
    }
}

/// Writes `len().leading_zeros()` as a "magnitude" byte: counted in 64
/// bits on the host, 32 on wasm32 (`usize::BITS - leading_zeros()` would
/// be portable). Caught: targets compute differently.
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod leading_zeros {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(magnitude)?;
        Ok(concat(coord))
    }

    #[worker]
    fn magnitude(out: &mut Out, input: &[u8], lane: Lane) {
        out.bytes = vec![lane.partition(input.len()).len().leading_zeros() as u8];
    }
}

/// A capacity check with `checked_mul` in `usize`: "can `n * n` cells be
/// addressed?", `n` a `u32` from the input. It overflows on wasm32 for
/// any `n` ≥ 65536, never on the host; the flag is the output. Caught:
/// targets compute differently.
#[grafos::tasklet(workers = 2, scratch = Out)]
pub mod checked_capacity {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(fits)?;
        Ok(concat(coord))
    }

    #[worker]
    fn fits(out: &mut Out, input: &[u8]) {
        out.bytes = input
            .chunks_exact(4)
            .map(|c| {
                let n = u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize;
                u8::from(n.checked_mul(n).is_some())
            })
            .collect();
    }
}

/// The magic that starts every input [`framed_len_unreached`] accepts.
pub const MAGIC: &[u8; 4] = b"GRF1";

/// A framed format: the input must start with [`MAGIC`]; then it writes
/// the payload's length as `usize` bytes (the width bug of [`len_bytes`]).
/// It has no `inputs =`: every generated input lacks the magic, so every
/// launch fails the same way on both targets and the width bug is never
/// reached. Caught: "failed on every input" — the harness refuses a test
/// that shows nothing. [`framed_len_reached`] is the same tasklet with
/// inputs, and is caught as a width bug.
#[grafos::tasklet(workers = 2)]
pub mod framed_len_unreached {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        framed_len(coord.input())
    }
}

/// The payload's length after the magic, as a `usize`'s bytes: 8 on the
/// host, 4 on wasm32 (the bug both framed tasklets share).
fn framed_len(input: &[u8]) -> Result<Vec<u8>, TaskletError> {
    let payload = input
        .strip_prefix(MAGIC)
        .ok_or_else(|| TaskletError::invalid_config("input lacks the GRF1 magic"))?;
    Ok(payload.len().to_le_bytes().to_vec())
}

/// Inputs with the magic, for [`framed_len_reached`].
pub fn framed_inputs() -> Vec<Vec<u8>> {
    vec![[&MAGIC[..], b"payload"].concat(), MAGIC.to_vec()]
}

/// [`framed_len_unreached`] with `inputs = framed_inputs`. Caught: targets
/// compute differently, on its own first input.
#[grafos::tasklet(workers = 2, inputs = framed_inputs)]
pub mod framed_len_reached {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        framed_len(coord.input())
    }
}
