//! [`SharedTaskletResult`]: what a successful launch returns.

/// Result of a completed shared-memory tasklet launch.
///
/// A backend assembles it when the coordinator returns; the SDK's
/// `SharedTaskletBuilder::launch` and the runtime's `TaskletModule::run`
/// return it.
///
/// ```
/// use grafos_abi::SharedTaskletResult;
/// let result = SharedTaskletResult::from_parts(b"done".to_vec(), 1, 1, 0);
/// assert_eq!(result.output(), b"done");
/// assert_eq!(result.regions(), 1);
/// assert_eq!(result.into_output(), b"done");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedTaskletResult {
    output: Vec<u8>,
    fuel_used: u64,
    regions: u32,
    barrier_rounds: u64,
}

impl SharedTaskletResult {
    /// Assembles a result; used by the backends and by grafos-runtime.
    #[doc(hidden)]
    pub fn from_parts(output: Vec<u8>, fuel_used: u64, regions: u32, barrier_rounds: u64) -> Self {
        Self {
            output,
            fuel_used,
            regions,
            barrier_rounds,
        }
    }

    /// The output bytes the coordinator set.
    ///
    /// **Portable.**
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// The output bytes, owned.
    ///
    /// **Portable.**
    pub fn into_output(self) -> Vec<u8> {
        self.output
    }

    /// Fuel the launch used: fuel checkpoints on the host mock, wasm
    /// instructions on the runtime.
    ///
    /// **Behavior diverges across targets.**
    pub fn fuel_used(&self) -> u64 {
        self.fuel_used
    }

    /// Regions (`parallel_for_workers` calls) the launch ran.
    ///
    /// **Portable.**
    pub fn regions(&self) -> u32 {
        self.regions
    }

    /// Barrier rounds completed by the data lanes, over all regions.
    ///
    /// **Portable.**
    pub fn barrier_rounds(&self) -> u64 {
        self.barrier_rounds
    }
}
