//! Traces of launches, in the Chrome trace-event JSON format that Perfetto
//! (<https://ui.perfetto.dev>) and `chrome://tracing` open, and that
//! `grafos timeline` draws: one track per lane, spans for regions, work and
//! barrier waits, a fuel counter and the launch's result. The format and
//! its model are `grafos_abi::trace`, re-exported here; the runtime writes
//! the same (`grafos run --trace FILE`), in fuel time instead of wall time.
//!
//! The host mock traces a launch when
//! - its builder asks: [`SharedTaskletBuilder::trace`](crate::cpu::SharedTaskletBuilder::trace);
//! - it starts inside [`capture`] on the same thread (a tasklet's
//!   `run_host`, say, whose builder you do not hold);
//! - or the `GRAFOS_TRACE` environment variable names a directory: every
//!   host-mock launch of the process then writes
//!   `<tasklet>-host-<pid>-<n>.json` there, so
//!   `GRAFOS_TRACE=traces cargo test` traces a test run.
//!
//! Otherwise nothing is recorded, and a launch pays one branch per barrier.

pub use grafos_abi::trace::*;

/// Runs `f`, tracing every host-mock launch it starts on this thread
/// (unless its builder names a sink of its own) into `sink`.
///
/// ```
/// use grafos::cpu::CpuBuilder;
/// use grafos::trace::{SpanKind, TraceSink, capture};
/// let sink = TraceSink::new();
/// capture(&sink, || {
///     let lease = CpuBuilder::new().cores(3).acquire().unwrap();
///     lease.cpu().shared_memory_tasklet::<(), ()>().workers(3)
///         .launch(|coord| coord.parallel_for_workers(|w| { w.barrier() }))
/// })
/// .unwrap();
/// let trace = sink.take().pop().unwrap();
/// assert_eq!(trace.lanes, 3);
/// assert!(trace.spans.iter().any(|s| s.kind == SpanKind::Barrier));
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub fn capture<R>(sink: &TraceSink, f: impl FnOnce() -> R) -> R {
    crate::host::trace::capture(sink, f)
}
