//! Floating point. IEEE 754 fixes `+ - * / sqrt mul_add` to the bit (both
//! targets are correctly rounded), but not:
//!
//! - std's transcendental functions. On the host `f64::sin` is the
//!   platform's libm (glibc here); on wasm32-unknown-unknown it is
//!   compiler-builtins' port of musl's libm. Both are within an ulp or so,
//!   and not always the *same* ulp. Each sweep tasklet below evaluates one
//!   function on [`SWEEP`] fixed arguments plus one per input byte, spread
//!   over the function's interesting range, and writes the raw bits of
//!   every result. Those whose two implementations disagree somewhere in
//!   the sweep are caught (targets compute differently); those that agree
//!   on every argument tried **get through**, and are listed as such.
//! - The bits of a NaN made at run time: x86's SSE makes the "default NaN"
//!   with the sign bit set (`0xfff8…`), while the runtime (wasmi with
//!   `deterministic`) canonicalises every NaN to `0x7ff8…`; a NaN's
//!   payload survives arithmetic on x86 and not in the runtime.
//! - The sign of a zero returned by `max`/`min` when both are zeros: the
//!   result is unspecified, and the two targets pick differently.
//! - The sign of a NaN made by `sqrt` of a negative number, for the same
//!   reason as `0.0 / 0.0`.
//!
//! The fix for the sweeps is `grafos::math`, which runs the `libm` crate's
//! code on both targets (`controls::portable_math` passes with it), and the
//! lint warns at std's transcendental methods inside a tasklet.

use grafos::prelude::*;

use crate::{Out, concat};

/// Fixed arguments each sweep evaluates, besides one per input byte.
pub const SWEEP: usize = 2048;

/// The `i`-th argument of a sweep over `lo..hi`: the fixed grid for `i <
/// SWEEP`, then points placed by the input's bytes.
pub fn argument(input: &[u8], i: usize, lo: f64, hi: f64) -> f64 {
    let t = if i < SWEEP {
        (i as f64 + 0.3) / SWEEP as f64
    } else {
        let b = input[i - SWEEP];
        ((f64::from(b) + 0.5) / 256.0 + (i as f64) * 0.618_033_988_7).fract()
    };
    lo + (hi - lo) * t
}

/// Defines a sweep tasklet over `$t` (`f64` or `f32`): each data lane
/// evaluates `$f` on its block of the arguments (rounded to `$t`) and
/// writes the bits; the coordinator concatenates them in lane order.
macro_rules! sweep {
    ($t:ty, $(#[$doc:meta])* $name:ident, $lo:expr, $hi:expr, $f:expr) => {
        $(#[$doc])*
        #[grafos::tasklet(workers = 4, scratch = Out)]
        pub mod $name {
            use super::*;

            #[coordinator]
            fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
                coord.parallel_for_workers(eval)?;
                Ok(concat(coord))
            }

            #[worker]
            fn eval(out: &mut Out, input: &[u8], lane: Lane) {
                let f: fn($t) -> $t = $f;
                out.bytes.clear();
                for i in lane.partition(SWEEP + input.len()) {
                    let x = argument(input, i, $lo, $hi) as $t;
                    out.bytes.extend_from_slice(&f(x).to_bits().to_le_bytes());
                }
            }
        }
    };
}

sweep!(
    f64,
    /// `f64::sin` over -1000..1000 (argument reduction included).
    sin64, -1000.0, 1000.0, |x| x.sin()
);
sweep!(
    f64,
    /// `f64::exp` over -700..700.
    exp64, -700.0, 700.0, |x| x.exp()
);
sweep!(
    f64,
    /// `f64::ln` over 0.001..1e6.
    ln64, 1e-3, 1e6, |x| x.ln()
);
sweep!(
    f64,
    /// `f64::powf(x, y)` with `x` over 0.01..100 and `y` from `x`'s
    /// fraction: 1.5 + 3 frac(7x).
    pow64, 0.01, 100.0, |x| x.powf(1.5 + 3.0 * (7.0 * x).fract())
);
sweep!(
    f64,
    /// `f64::tanh` over -20..20.
    tanh64, -20.0, 20.0, |x| x.tanh()
);
sweep!(
    f64,
    /// `f64::atan2(x, 1 - x/2)` with `x` over -10..10: every quadrant.
    atan2_64, -10.0, 10.0, |x| x.atan2(1.0 - 0.5 * x)
);
sweep!(
    f64,
    /// `f64::hypot(x, 0.7x + 1)` with `x` over -1e3..1e3.
    hypot64, -1000.0, 1000.0, |x| x.hypot(0.7 * x + 1.0)
);
sweep!(
    f64,
    /// `f64::cbrt` over -1e6..1e6. Still gets through: glibc's `cbrt` and
    /// the Rust libm port's agree on every argument tried (the sweep, and
    /// 20 million random arguments over 2^-100..2^100 compared natively
    /// against the `libm` crate 0.2.16).
    cbrt64, -1e6, 1e6, |x| x.cbrt()
);
sweep!(
    f32,
    /// `f32::sin` over -100..100.
    sin32, -100.0, 100.0, |x| x.sin()
);
sweep!(
    f32,
    /// `f32::exp` over -80..80.
    exp32, -80.0, 80.0, |x| x.exp()
);
sweep!(
    f32,
    /// `f32::powf(x, 2.2)` over 0..1 (gamma correction).
    pow32, 0.0, 1.0, |x| x.powf(2.2)
);
sweep!(
    f32,
    /// `f32::tanh` over -10..10 (an activation function).
    tanh32, -10.0, 10.0, |x| x.tanh()
);

/// The mean of each lane's block, `sum / count as f64`, without a guard
/// for the empty block: `0.0 / 0.0` at run time is `0xfff8…` (sign set) on
/// x86 and `0x7ff8…` in the runtime. The bits are the output. Caught:
/// targets compute differently, on the empty input.
#[grafos::tasklet(workers = 4, scratch = Out)]
pub mod nan_mean {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(mean)?;
        Ok(concat(coord))
    }

    #[worker]
    fn mean(out: &mut Out, input: &[u8], lane: Lane) {
        let block = &input[lane.partition(input.len())];
        let sum: f64 = block.iter().map(|&b| f64::from(b)).sum();
        let mean = sum / block.len() as f64;
        out.bytes = mean.to_bits().to_le_bytes().to_vec();
    }
}

/// A variance as `E[x²] - E[x]²` in `f32`, on each lane's bytes scaled to
/// physical units (×1e20): both terms overflow to `+inf` and their
/// difference, `inf - inf`, is a NaN made at run time, whose bits are the
/// output (sign set on x86, not in the runtime). Caught: targets compute
/// differently.
#[grafos::tasklet(workers = 4, scratch = Out)]
pub mod nan_inf_minus_inf {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(variance)?;
        Ok(concat(coord))
    }

    #[worker]
    fn variance(out: &mut Out, input: &[u8], lane: Lane) {
        let block = &input[lane.partition(input.len())];
        let n = block.len().max(1) as f32;
        let (mut sum, mut squares) = (0.0f32, 0.0f32);
        for &b in block {
            let x = f32::from(b) * 1e20;
            sum += x;
            squares += x * x;
        }
        let mean = sum / n;
        let variance = squares / n - mean * mean;
        out.bytes = variance.to_bits().to_le_bytes().to_vec();
    }
}

/// NaN-boxing: a byte from the input is stored in a quiet NaN's payload,
/// then the "value" is passed through arithmetic (`x * 1.0`, the scale a
/// run-time value) before the payload is read back. Expected to differ
/// (x86 propagates the operand's payload; a canonicalising runtime would
/// not), but the runtime propagates it too: arithmetic on an existing NaN
/// keeps its payload on both. Still gets through — correctly, as far as
/// the two targets of the test go; only NaNs *made* by an operation
/// (`0/0`, `inf - inf`, `sqrt(-1)`) differ.
#[grafos::tasklet(workers = 2, scratch = Out)]
pub mod nan_payload {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(boxes)?;
        Ok(concat(coord))
    }

    #[worker]
    fn boxes(out: &mut Out, input: &[u8], lane: Lane) {
        let scale = 1.0 + lane.index as f64 * 0.0;
        out.bytes.clear();
        for &b in &input[lane.partition(input.len())] {
            let boxed = f64::from_bits(0x7ff8_0000_0000_0000 | u64::from(b) << 8 | 1);
            let through = boxed * scale;
            out.bytes.push((through.to_bits() >> 8) as u8);
        }
    }
}

/// A feature transform `sqrt(x) * 3 - 1 / (x + 100)` in `f32` on values
/// `b / 13 - 9` that are negative for most bytes: `sqrt` is correctly
/// rounded, but the square root of a negative number is a NaN made at run
/// time, sign set on x86 and not in the runtime. (Found by accident: a
/// first version of the control `controls::mul_add_horner` did this.)
/// Caught: targets compute differently.
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod sqrt_of_negative {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(features)?;
        Ok(concat(coord))
    }

    #[worker]
    fn features(out: &mut Out, input: &[u8], lane: Lane) {
        out.bytes.clear();
        for &b in &input[lane.partition(input.len())] {
            let x = f32::from(b) / 13.0 - 9.0;
            let y = x.sqrt() * 3.0 - 1.0 / (x + 100.0);
            out.bytes.extend_from_slice(&y.to_bits().to_le_bytes());
        }
    }
}

/// A ReLU, `x.max(0.0)`, on values that are negative zeros at run time
/// (`-(len * 0.0)`): `max` of two zeros may return either, and the bits of
/// the result are the output. Caught if the two targets pick different
/// zeros (targets compute differently), else it gets through.
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod signed_zero_max {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(relu)?;
        Ok(concat(coord))
    }

    #[worker]
    fn relu(out: &mut Out, input: &[u8], lane: Lane) {
        let zero = -(lane.partition(input.len()).len() as f64 * 0.0);
        let a = zero.max(0.0);
        let b = 0.0f64.max(zero);
        let c = zero.min(0.0);
        let d = 0.0f64.min(zero);
        for v in [a, b, c, d] {
            out.bytes.extend_from_slice(&v.to_bits().to_le_bytes());
        }
    }
}
