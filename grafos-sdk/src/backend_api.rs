//! What a backend provides to the contexts, as two traits: the host mock
//! (`host/`, threads) and the guest (`guest/`, the ABI imports) each
//! implement both, and `cpu::context` reaches a backend only through them.
//! A method one backend lacks, or has with another signature, is a compile
//! error on that backend's target (CI builds both).

use crate::cpu::{Cancelled, FuelExhausted, RegionJob, TaskletError};

/// Lane 0's view of its backend.
pub(crate) trait CoordinatorBackend {
    /// Lanes of the launch, the coordinator's included.
    fn workers(&self) -> usize;
    /// Runs `job` once on every data lane; returns when all have returned.
    fn run_region(&mut self, job: &RegionJob<'_>) -> Result<(), TaskletError>;
    /// The coordinator's barrier: a cancellation point, nothing to wait for.
    fn barrier(&self) -> Result<(), Cancelled>;
    /// One checkpoint's worth of fuel, or the launch's failure.
    fn fuel_checkpoint(&self) -> Result<(), FuelExhausted>;
    /// Fuel left in the launch's pool, in the backend's unit.
    fn fuel_remaining(&self) -> u64;
    /// Whether the launch is cancelled or has failed.
    fn is_cancelled(&self) -> bool;
}

/// A data lane's view of its backend, while its job runs.
pub(crate) trait LaneBackend {
    /// The lane's raw index (1 is data lane 0).
    fn index(&self) -> usize;
    /// Waits for every data lane of the region.
    fn barrier(&self) -> Result<(), Cancelled>;
    /// One checkpoint's worth of fuel, or the launch's failure.
    fn fuel_checkpoint(&self) -> Result<(), FuelExhausted>;
    /// Fuel left in the launch's pool, in the backend's unit.
    fn fuel_remaining(&self) -> u64;
    /// Whether the launch is cancelled or has failed.
    fn is_cancelled(&self) -> bool;
}
