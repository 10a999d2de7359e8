//! # The red-team suite of "Fidelity that holds"
//!
//! `#[grafos::tasklet]` promises that one source gives byte-identical
//! output on the host mock (native threads) and, built for
//! `wasm32-unknown-unknown`, in grafos-runtime. This crate holds tasklets
//! that **bend that promise** — each in a way real code does by accident —
//! and **portable controls** written the way real code is. Every module's
//! items document what the tasklet does, why it diverges, and how it is
//! caught.
//!
//! The generated test of each tasklet (`grafos_tasklet_matches_wasm`) is
//! not run directly (`[lib] test = false`: most fail by design).
//! `tests/redteam.rs` runs each tasklet's cross-target test itself and
//! asserts the outcome: a diverging tasklet must fail with a report whose
//! `why:` line names the expected cause, a control must pass, and a
//! tasklet that still gets through must still pass (so that list stays
//! honest). `docs/FIDELITY.md` has the whole table.
//!
//! | module | class |
//! |---|---|
//! | [`width`] | `usize` is 64 bits on the host, 32 on wasm32 |
//! | [`profile`] | overflow checks and debug assertions |
//! | [`floats`] | std's float functions, NaN bits, signed zeros |
//! | [`hashing`] | hash-map iteration order |
//! | [`addresses`] | addresses and type ids turned into numbers |
//! | [`state`] | state that outlives a launch |
//! | [`panics`] | recovering from panics, panic hooks |
//! | [`limits`] | limits that exist on one side only |
//! | [`order`] | scheduling: which lane gets somewhere first |
//! | [`lintblind`] | what the lint cannot see: helpers, macros, std services |
//! | [`controls`] | portable programs that must pass |
//! | [`collectives`] | the SDK's collectives: a control, and failures inside them |
//!
//! The crate allows `deprecated`: `#[grafos::tasklet]` reports its
//! portability *warnings* as deprecation notes, and several red-team
//! tasklets trigger them on purpose. Constructs the lint rejects as
//! *errors* (`std::panic`,
//! `std::io`, target `cfg`s, `std::time`, ...) are reached through helper
//! functions or macros defined outside the tasklet module, which the lint
//! does not read; see [`lintblind`] and [`panics`].
#![allow(deprecated)]

use grafos::cpu::CoordinatorCtx;

pub mod addresses;
pub mod collectives;
pub mod controls;
pub mod floats;
pub mod hashing;
pub mod limits;
pub mod lintblind;
pub mod order;
pub mod panics;
pub mod profile;
pub mod state;
pub mod width;

/// A data lane's share of the output; the coordinator concatenates the
/// lanes' shares in lane order ([`concat`]).
#[derive(Debug, Default)]
pub struct Out {
    /// This lane's bytes.
    pub bytes: Vec<u8>,
}

/// The lanes' [`Out`]s, concatenated in lane order.
pub fn concat<S>(coord: &CoordinatorCtx<S, Out>) -> Vec<u8> {
    let mut out = Vec::new();
    for lane in 0..coord.data_worker_count() {
        out.extend_from_slice(&coord.data_scratch(lane).bytes);
    }
    out
}

/// A 64-bit FNV-1a hash with wrapping arithmetic: the portable way to
/// checksum bytes.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
