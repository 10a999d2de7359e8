//! Limits every side of the ABI agrees on: the SDK's builder, the macro's
//! argument checks, the guest backend and the runtime all read them here.

/// Fewest lanes of one launch: the coordinator lane and one data lane.
pub const MIN_LANES: usize = 2;

/// Most lanes one launch may have, the coordinator lane included.
pub const MAX_LANES: usize = 256;

/// Fuel of a launch that sets none: plenty for real kernels, finite for
/// runaway ones (about ten seconds of interpretation on the runtime).
pub const DEFAULT_FUEL: u64 = 1_000_000_000;
