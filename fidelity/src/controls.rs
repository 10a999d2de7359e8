//! Portable controls: programs written the way real code is — `usize` for
//! indexing but fixed-width integers in the output, wrapping arithmetic
//! for hashes and checksums, `BTreeMap`s, sorted output, per-lane partials
//! combined in lane order, correctly rounded float arithmetic (`+ - * /
//! sqrt mul_add`), barriers between phases. Each must pass the
//! cross-target test: a control that fails is a bug in the SDK, the
//! runtime or the harness.

use std::collections::BTreeMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

use grafos::prelude::*;

use crate::hashing::FixedMap;
use crate::{Out, concat, fnv1a};

/// Shared counts of [`histogram_atomics`].
#[derive(Debug)]
pub struct Counts {
    /// One count per byte value.
    pub counts: [AtomicU32; 256],
}

impl Default for Counts {
    fn default() -> Self {
        Self {
            counts: std::array::from_fn(|_| AtomicU32::new(0)),
        }
    }
}

/// A byte histogram: `b as usize` indexes the lane's counts, lanes add
/// them into shared `AtomicU32`s (integer addition commutes), the output is
/// 256 `u32`s.
#[grafos::tasklet(workers = 4, shared = Counts)]
pub mod histogram_atomics {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(count)?;
        Ok(coord
            .shared()
            .counts
            .iter()
            .flat_map(|c| c.load(Relaxed).to_le_bytes())
            .collect())
    }

    #[worker]
    fn count(shared: &Counts, input: &[u8], lane: Lane) {
        let mut local = [0u32; 256];
        for &b in &input[lane.partition(input.len())] {
            local[b as usize] += 1;
        }
        for (total, &n) in shared.counts.iter().zip(&local) {
            total.fetch_add(n, Relaxed);
        }
    }
}

/// FNV-1a of each lane's block with wrapping `u64` arithmetic, and the
/// lane's length as a `u64` (the portable way to write a length), combined
/// in lane order by the coordinator.
#[grafos::tasklet(workers = 4, scratch = Out)]
pub mod wrapping_checksums {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(sum)?;
        let parts = concat(coord);
        let total = fnv1a(&parts);
        Ok([parts, total.to_le_bytes().to_vec()].concat())
    }

    #[worker]
    fn sum(out: &mut Out, input: &[u8], lane: Lane) {
        let block = &input[lane.partition(input.len())];
        out.bytes = [
            fnv1a(block).to_le_bytes(),
            (block.len() as u64).to_le_bytes(),
        ]
        .concat();
    }
}

/// Word counts in a `BTreeMap<Vec<u8>, u32>` per lane, merged in lane order
/// into one `BTreeMap`, written in key order with `u32` lengths. (Words
/// split at block edges are counted as two halves — as the sequential
/// reference of this format says.)
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod btreemap_word_count {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(count)?;
        let mut total: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
        for lane in 0..coord.data_worker_count() {
            for word in coord.data_scratch(lane).bytes.split(|&b| b == 0) {
                if !word.is_empty() {
                    *total.entry(word.to_vec()).or_default() += 1;
                }
            }
        }
        let mut out = Vec::new();
        for (word, n) in &total {
            out.extend_from_slice(&(word.len() as u32).to_le_bytes());
            out.extend_from_slice(word);
            out.extend_from_slice(&n.to_le_bytes());
        }
        Ok(out)
    }

    #[worker]
    fn count(out: &mut Out, input: &[u8], lane: Lane) {
        out.bytes.clear();
        for word in input[lane.partition(input.len())].split(|&b| b < 64) {
            if !word.is_empty() {
                out.bytes.extend_from_slice(word);
                out.bytes.push(0);
            }
        }
    }
}

/// Lookups in a fixed-hasher `HashMap` (portable: only the iteration order
/// is not), output by sorting the keys: first occurrence of every `u16`.
#[grafos::tasklet(workers = 2)]
pub mod hashmap_sorted_output {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut first: FixedMap<u16, u32> = FixedMap::default();
        for (i, pair) in coord.input().chunks_exact(2).enumerate() {
            first
                .entry(u16::from_le_bytes([pair[0], pair[1]]))
                .or_insert(i as u32);
        }
        let mut entries: Vec<(u16, u32)> = first.into_iter().collect();
        entries.sort_unstable();
        Ok(entries
            .iter()
            .flat_map(|&(k, v)| [&k.to_le_bytes()[..], &v.to_le_bytes()[..]].concat())
            .collect())
    }
}

/// Sorts each lane's block of `u32`s with `sort_unstable` (equal `u32`s are
/// indistinguishable, so ties cannot show) and merges the runs in lane
/// order in the coordinator.
#[grafos::tasklet(workers = 4, scratch = Out)]
pub mod sorted_merge {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(sort)?;
        let mut all: Vec<u32> = concat(coord)
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        all.sort();
        Ok(all.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    #[worker]
    fn sort(out: &mut Out, input: &[u8], lane: Lane) {
        let words = input.len() / 4;
        let mut mine: Vec<u32> = lane
            .partition(words)
            .map(|i| {
                u32::from_le_bytes([
                    input[4 * i],
                    input[4 * i + 1],
                    input[4 * i + 2],
                    input[4 * i + 3],
                ])
            })
            .collect();
        mine.sort_unstable();
        out.bytes = mine.iter().flat_map(|v| v.to_le_bytes()).collect();
    }
}

/// A lane's float partials for [`float_stats`].
#[derive(Debug, Default)]
pub struct Moments {
    /// Count, sum and sum of squares of the lane's values.
    pub n: u64,
    /// Sum.
    pub sum: f64,
    /// Sum of squares.
    pub squares: f64,
}

/// Mean and standard deviation of the input's bytes with `+ - * / sqrt`:
/// per-lane sums in `f64`, combined in lane order, an empty input guarded
/// (no `0.0 / 0.0`). Output: the bits.
#[grafos::tasklet(workers = 4, scratch = Moments)]
pub mod float_stats {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(moments)?;
        let (mut n, mut sum, mut squares) = (0u64, 0.0f64, 0.0f64);
        for lane in 0..coord.data_worker_count() {
            let m = coord.data_scratch(lane);
            n += m.n;
            sum += m.sum;
            squares += m.squares;
        }
        let (mean, sd) = if n == 0 {
            (0.0, 0.0)
        } else {
            let mean = sum / n as f64;
            (mean, (squares / n as f64 - mean * mean).max(0.0).sqrt())
        };
        Ok([mean.to_bits().to_le_bytes(), sd.to_bits().to_le_bytes()].concat())
    }

    #[worker]
    fn moments(m: &mut Moments, input: &[u8], lane: Lane) {
        *m = Moments::default();
        for &b in &input[lane.partition(input.len())] {
            let x = f64::from(b) / 7.0;
            m.n += 1;
            m.sum += x;
            m.squares += x * x;
        }
    }
}

/// A polynomial by Horner's rule with `mul_add` (a fused multiply-add:
/// correctly rounded on both targets), and `f32` arithmetic with
/// `total_cmp` sorting, in each lane; bits out in lane order. (The square
/// root is of `|x|`: of a negative `x` it would be a NaN whose sign differs,
/// `floats::sqrt_of_negative`.)
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod mul_add_horner {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(eval)?;
        Ok(concat(coord))
    }

    #[worker]
    fn eval(out: &mut Out, input: &[u8], lane: Lane) {
        const COEFFS: [f64; 5] = [0.5, -1.25, 3.0e-3, 7.5, -2.0];
        let mut narrow: Vec<f32> = Vec::new();
        out.bytes.clear();
        for &b in &input[lane.partition(input.len())] {
            let x = f64::from(b) / 13.0 - 9.0;
            let y = COEFFS.iter().fold(0.0f64, |acc, &c| acc.mul_add(x, c));
            out.bytes.extend_from_slice(&y.to_bits().to_le_bytes());
            narrow.push((x as f32).abs().sqrt() * 3.0 - 1.0 / (x as f32 + 100.0));
        }
        narrow.sort_by(f32::total_cmp);
        for v in narrow {
            out.bytes.extend_from_slice(&v.to_bits().to_le_bytes());
        }
    }
}

/// Shared block totals of [`barrier_scan`].
#[derive(Debug, Default)]
pub struct Totals {
    /// One total per data lane.
    pub totals: Vec<AtomicU64>,
}

/// An inclusive prefix sum of the input's bytes in two phases with a
/// `barrier()` between them: block totals published, then each lane adds
/// the totals before it, in lane order.
#[grafos::tasklet(workers = 4, shared = Totals, scratch = Out)]
pub mod barrier_scan {
    use super::*;
    use grafos::cpu::WorkerParts;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let lanes = coord.data_worker_count();
        coord.shared_mut().totals = (0..lanes).map(|_| AtomicU64::new(0)).collect();
        coord.parallel_for_workers(scan)?;
        Ok(concat(coord))
    }

    #[worker]
    fn scan(w: &mut Worker) -> Result<(), TaskletError> {
        let WorkerParts {
            shared,
            scratch,
            input,
            lane,
            ..
        } = w.parts();
        let mut total = 0u64;
        let mut prefix = Vec::new();
        for &b in &input[lane.partition(input.len())] {
            total += u64::from(b);
            prefix.push(total);
        }
        shared.totals[lane.index].store(total, Relaxed);
        scratch.bytes = prefix.iter().flat_map(|v| v.to_le_bytes()).collect();
        w.barrier()?;
        let WorkerParts {
            shared,
            scratch,
            lane,
            ..
        } = w.parts();
        let offset: u64 = shared.totals[..lane.index]
            .iter()
            .map(|t| t.load(Relaxed))
            .sum();
        for chunk in scratch.bytes.chunks_exact_mut(8) {
            let v = u64::from_le_bytes(chunk.try_into().unwrap_or_default()) + offset;
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        Ok(())
    }
}

/// A CRC-32 of the input from a `const` table (a `static` that never
/// changes is portable), computed per lane and written in lane order.
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod crc32_table {
    use super::*;

    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(crc)?;
        Ok(concat(coord))
    }

    #[worker]
    fn crc(out: &mut Out, input: &[u8], lane: Lane) {
        let mut c = !0u32;
        for &b in &input[lane.partition(input.len())] {
            c = TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
        }
        out.bytes = (!c).to_le_bytes().to_vec();
    }
}

/// Hashes fixed-width integers (`u32`s and a `u64` length, never a
/// `usize` or a slice) with std's fixed-key `DefaultHasher` (SipHash with
/// zero keys, the same code on both targets); one hash per lane.
#[grafos::tasklet(workers = 4, scratch = Out)]
pub mod fixed_width_hashing {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(hash)?;
        Ok(concat(coord))
    }

    #[worker]
    fn hash(out: &mut Out, input: &[u8], lane: Lane) {
        let block = &input[lane.partition(input.len())];
        let mut h = DefaultHasher::new();
        h.write_u64(block.len() as u64);
        for &b in block {
            h.write_u32(u32::from(b) * 0x0101_0101);
        }
        out.bytes = h.finish().to_le_bytes().to_vec();
    }
}

/// The fixed versions of [`crate::width`]'s bugs: each lane writes its
/// block's length as a `u64`, its magnitude as `usize::BITS -
/// leading_zeros()`, the first zero's position as a `u32` with `u32::MAX`
/// for none, and a hash truncated to `u32` explicitly.
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod width_done_right {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(describe)?;
        Ok(concat(coord))
    }

    #[worker]
    fn describe(out: &mut Out, input: &[u8], lane: Lane) {
        let block = &input[lane.partition(input.len())];
        let len = block.len();
        let magnitude = usize::BITS - len.leading_zeros();
        let first_zero = block
            .iter()
            .position(|&b| b == 0)
            .map_or(u32::MAX, |i| i as u32);
        out.bytes = [
            (len as u64).to_le_bytes().to_vec(),
            magnitude.to_le_bytes().to_vec(),
            first_zero.to_le_bytes().to_vec(),
            (fnv1a(block) as u32).to_le_bytes().to_vec(),
        ]
        .concat();
    }
}

/// The fix of [`crate::floats`]' sweeps: the same functions through
/// `grafos::math`, which runs the `libm` crate's code on both targets, so
/// every bit agrees. Each lane sweeps its block of the arguments.
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod portable_math {
    use super::*;
    use grafos::math;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(sweep)?;
        Ok(concat(coord))
    }

    #[worker]
    fn sweep(out: &mut Out, input: &[u8], lane: Lane) {
        out.bytes.clear();
        for i in lane.partition(crate::floats::SWEEP + input.len()) {
            let x = crate::floats::argument(input, i, -20.0, 20.0);
            let values = [
                math::sin(x * 50.0),
                math::exp(x),
                math::ln(x.abs() + 1e-3),
                math::powf(x.abs() + 0.01, 1.5 + 3.0 * (7.0 * x).fract().abs()),
                math::tanh(x),
                math::atan2(x, 1.0 - 0.5 * x),
                math::hypot(x, 3.0 - x),
                f64::from(math::sinf(x as f32 * 50.0)),
                f64::from(math::expf(x as f32)),
            ];
            for v in values {
                out.bytes.extend_from_slice(&v.to_bits().to_le_bytes());
            }
        }
    }
}
