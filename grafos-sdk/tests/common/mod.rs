//! What the host-mock test binaries share.

use grafos::cpu::{CpuBuilder, SharedTaskletBuilder};

/// A launch of `workers` lanes on a lease of 8 cores, with as many cores as
/// lanes (up to 8): every lane spins when the machine has the cores.
pub(crate) fn tasklet<S, W>(workers: usize) -> SharedTaskletBuilder<'static, S, W> {
    CpuBuilder::new()
        .cores(8)
        .acquire()
        .unwrap()
        .cpu()
        .shared_memory_tasklet::<S, W>()
        .workers(workers)
        .cores(workers.min(8))
}
