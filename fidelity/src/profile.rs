//! The build profile: overflow checks and debug assertions.
//!
//! The cross-target test builds the wasm side with the test binary's own
//! profile (`BuildProfile::SameAsTests`): overflow checks and debug
//! assertions are the same on both sides, so code that depends on them
//! gives the same bytes under the test — it **gets through**. The
//! divergence they hide is against the *deployed* module: `grafos build`
//! (`BuildProfile::Deploy`) is a release build with overflow checks on and
//! debug assertions off. A `debug_assert!` that fires under `cargo test`
//! is silent in production, and `cfg!(debug_assertions)` reads `true` in
//! the test and `false` in production; the cross-target test cannot see
//! that, by construction. (The lint warns at
//! compile time: `ui-tests/tests/ui/lint/fail/debug-assertions.rs`.)
//!
//! Overflow that happens on one target only is a width bug, and is caught:
//! [`usize_mul_overflow`].

use grafos::prelude::*;

use crate::{Out, concat};

/// A 16-bit checksum with plain `+` over the input's bytes: it overflows
/// on inputs of a few hundred bytes. In a dev test both targets panic with
/// "attempt to add with overflow" on the same inputs (the same message:
/// the runtime reports the panic payload as the host mock does); in a
/// release test both wrap. Deployed (overflow checks on) it panics too.
/// Still gets through — correctly: the outcome is the same everywhere.
#[grafos::tasklet(workers = 3)]
pub mod plain_add_overflow {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut sum: u16 = 0;
        for &b in coord.input() {
            sum += u16::from(b);
        }
        Ok(sum.to_le_bytes().to_vec())
    }
}

/// Writes `cfg!(debug_assertions)` as a "verbose" flag. Both sides of the
/// test share the profile, so both write the same byte. Deployed
/// (`grafos build`, release) the flag flips. Still gets through (the
/// cross-target test cannot see a difference between the test's build and
/// the deployed one; the lint warns at compile time).
#[grafos::tasklet(workers = 2)]
pub mod debug_assertions_flag {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        Ok(vec![u8::from(cfg!(debug_assertions))])
    }
}

/// Checks the input is whole `u32`s with `debug_assert!`: under `cargo
/// test` (dev) both targets panic alike on 1, 7, 1021 and 4099 bytes and
/// succeed on 0 and 64; deployed the check is gone and the tail is
/// silently dropped. Still gets through (same reason as
/// [`debug_assertions_flag`]).
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod debug_assert_input {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        debug_assert!(
            coord.input().len().is_multiple_of(4),
            "input must be whole u32s"
        );
        coord.parallel_for_workers(sum)?;
        Ok(concat(coord))
    }

    #[worker]
    fn sum(out: &mut Out, input: &[u8], lane: Lane) {
        let words = input.len() / 4;
        let mut s = 0u32;
        for i in lane.partition(words) {
            let w = &input[4 * i..4 * i + 4];
            s = s.wrapping_add(u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
        }
        out.bytes = s.to_le_bytes().to_vec();
    }
}

/// Scales each lane's length by 2^29 in `usize` with plain `*` (a byte
/// offset into a huge virtual table): from 8 bytes up it overflows on
/// wasm32 and panics ("attempt to multiply with overflow") in a dev test,
/// while the host computes it. Caught: targets compute differently (an
/// error on one side, bytes on the other).
#[grafos::tasklet(workers = 2, scratch = Out)]
pub mod usize_mul_overflow {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(offset)?;
        Ok(concat(coord))
    }

    #[worker]
    fn offset(out: &mut Out, input: &[u8], lane: Lane) {
        let offset = lane.partition(input.len()).len() * (1 << 29);
        out.bytes = ((offset >> 29) as u32).to_le_bytes().to_vec();
    }
}
