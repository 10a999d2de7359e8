//! Limits every side of the ABI agrees on: the SDK's builder, the macro's
//! argument checks, the guest backend and the runtime all read them here.

/// Fewest lanes of one launch: the coordinator lane and one data lane.
pub const MIN_LANES: usize = 2;

/// Most lanes one launch may have, the coordinator lane included.
pub const MAX_LANES: usize = 256;

/// Fuel of a launch that sets none: 2 × 10¹⁰, about 3 to 13 seconds of
/// interpretation on the reference machine (the seven examples run at 1.5
/// to 6.4 × 10⁹ fuel per second in the runtime, docs/PERFORMANCE.md), so
/// ordinary runs of seconds finish and a runaway loop still ends. On the
/// host mock it is a count of `fuel_checkpoint()` calls.
pub const DEFAULT_FUEL: u64 = 20_000_000_000;
