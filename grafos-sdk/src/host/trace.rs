//! [`HostTrace`]: a host-mock launch's trace in wall time, when the
//! builder's [`trace`](crate::cpu::SharedTaskletBuilder::trace) or the
//! `GRAFOS_TRACE` environment variable asks for one.
//!
//! Each lane records into its own recorder, which no other thread touches
//! while lanes run, so tracing takes no lock; the timestamps are
//! nanoseconds since the launch started.

use std::cell::{RefCell, UnsafeCell};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Instant;

use crate::abi::trace::{LaneRecorder, Trace, TraceClock, TraceOutcome, TraceSink};
use crate::cpu::{SharedTaskletResult, TaskletError};

/// The environment variable that traces every host-mock launch of the
/// process (a `cargo test` run, say) into a directory: one Chrome
/// trace-event JSON file per launch, `<tasklet>-host-<pid>-<n>.json`.
pub(crate) const TRACE_DIR_ENV: &str = "GRAFOS_TRACE";

/// Where a traced launch's trace goes.
#[derive(Debug, Clone)]
pub(crate) enum Destination {
    Sink(TraceSink),
    Dir(PathBuf),
}

/// `GRAFOS_TRACE`, read once per process.
pub(crate) fn env_dir() -> Option<&'static PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        std::env::var_os(TRACE_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
    .as_ref()
}

/// The trace of a running launch.
pub(crate) struct HostTrace {
    start: Instant,
    tasklet: String,
    destination: Destination,
    /// One recorder per lane: see [`HostTrace::lane`].
    lanes: Box<[Recorder]>,
    fuel: Mutex<Vec<(u64, u64)>>,
}

impl HostTrace {
    pub(crate) fn new(destination: Destination, tasklet: &str, workers: usize) -> Self {
        let trace = Self {
            start: Instant::now(),
            tasklet: tasklet.to_owned(),
            destination,
            lanes: (0..workers as u32)
                .map(|l| Recorder(UnsafeCell::new(LaneRecorder::new(l))))
                .collect(),
            fuel: Mutex::new(Vec::new()),
        };
        // SAFETY: no lane runs yet; this thread is lane 0's.
        unsafe { trace.lane(0) }.launch_begin(0);
        trace
    }

    /// Nanoseconds since the launch started.
    pub(crate) fn now(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// Lane `lane`'s recorder. A barrier round costs two records per
    /// lane, so they take no lock (a mutex made a traced round 2.6 times an
    /// untraced one).
    ///
    /// # Safety
    ///
    /// Only the thread running lane `lane` may call this, and only while it
    /// runs the lane (lane 0: the coordinator's thread), or the coordinator
    /// when no data lane runs; the returned borrow must end before the lane
    /// counts itself out of its region, which orders its records before
    /// the coordinator's next look.
    #[allow(clippy::mut_from_ref)] // one borrower at a time, by the contract
    pub(crate) unsafe fn lane(&self, lane: usize) -> &mut LaneRecorder {
        // SAFETY: by the contract, no other borrow of this recorder is live.
        unsafe { &mut *self.lanes[lane].0.get() }
    }

    /// The launch had used `fuel_used` when a region ended on lane 0.
    pub(crate) fn sample_fuel(&self, at: u64, fuel_used: u64) {
        self.fuel
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((at, fuel_used));
    }

    /// Ends the trace with the launch's outcome and delivers it. Called
    /// once, when no lane runs any more.
    pub(crate) fn finish(
        &self,
        result: &Result<SharedTaskletResult, TaskletError>,
        fuel_used: u64,
    ) {
        let end = self.now();
        let mut fuel =
            std::mem::take(&mut *self.fuel.lock().unwrap_or_else(PoisonError::into_inner));
        fuel.push((end, fuel_used));
        let outcome = TraceOutcome::of(result);
        let lanes = (0..self.lanes.len())
            .map(|l| {
                // SAFETY: `finish` runs when no lane runs any more.
                let lane = unsafe { self.lane(l) };
                std::mem::replace(lane, LaneRecorder::new(l as u32))
            })
            .collect();
        let trace = Trace::from_lanes(
            &self.tasklet,
            "host",
            TraceClock::Wall,
            lanes,
            fuel,
            outcome,
            end,
        );
        match &self.destination {
            Destination::Sink(sink) => sink.push(trace),
            Destination::Dir(dir) => write_to(dir, &trace),
        }
    }
}

/// A lane's recorder, written by that lane's thread alone; a cache line
/// pair of its own, so two lanes recording never share a line.
#[repr(align(128))]
struct Recorder(UnsafeCell<LaneRecorder>);

// SAFETY: each recorder is reached only through `HostTrace::lane`, whose
// contract gives it one thread at a time, with the region's hand-off
// (SeqCst counters) ordering one thread's records before the next's.
unsafe impl Sync for Recorder {}

thread_local! {
    /// The sink of [`capture`] on this thread.
    static CAPTURE: RefCell<Option<TraceSink>> = const { RefCell::new(None) };
}

/// `grafos::trace::capture`: runs `f` with `sink` as this thread's default.
pub(crate) fn capture<R>(sink: &TraceSink, f: impl FnOnce() -> R) -> R {
    /// Restores the previous sink, even if `f` unwinds.
    struct Restore(Option<TraceSink>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CAPTURE.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CAPTURE.with(|c| c.borrow_mut().replace(sink.clone()));
    let _restore = Restore(previous);
    f()
}

/// Where `config`'s launch is traced to, if it is: the builder's sink,
/// else the sink of a [`capture`] on this thread, else the `GRAFOS_TRACE`
/// directory.
pub(crate) fn destination(config: &crate::cpu::LaunchConfig<'_>) -> Option<Destination> {
    if let Some(sink) = &config.trace {
        return Some(Destination::Sink(sink.clone()));
    }
    if let Some(sink) = CAPTURE.with(|c| c.borrow().clone()) {
        return Some(Destination::Sink(sink));
    }
    env_dir().map(|dir| Destination::Dir(dir.clone()))
}

/// Writes `trace` into `dir` under a name of its own; a failure is a
/// warning on stderr (a trace must not fail the launch it describes).
fn write_to(dir: &std::path::Path, trace: &Trace) {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = format!("{}-host-{}-{n}.json", trace.tasklet, std::process::id());
    let path = dir.join(name);
    let written =
        std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, trace.to_chrome_json()));
    if let Err(e) = written {
        eprintln!(
            "grafos: warning: cannot write the trace {} ({TRACE_DIR_ENV}): {e}",
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::cpu::{CpuBuilder, TaskletError};
    use crate::trace::{SpanKind, TraceOutcome, TraceSink};

    #[test]
    fn a_failed_launch_is_traced_with_its_error_and_closed_spans() {
        let sink = TraceSink::new();
        let lease = CpuBuilder::new().cores(3).acquire().unwrap();
        let result = lease
            .cpu()
            .shared_memory_tasklet::<(), ()>()
            .workers(3)
            .trace(sink.clone())
            .launch(|coord| {
                coord.parallel_for_workers(|w| {
                    w.barrier()?;
                    if w.data_worker_index() == 1 {
                        return Err(TaskletError::invalid_config("lane 2 gives up"));
                    }
                    w.barrier()?;
                    Ok(())
                })
            });
        assert!(result.is_err());
        let trace = sink.take().pop().expect("one trace");
        assert_eq!(trace.target, "host");
        assert!(
            matches!(&trace.outcome, TraceOutcome::Err(e) if e.contains("lane 2 gives up")),
            "{:?}",
            trace.outcome
        );
        // Every lane's region span is there and ends by the launch's end.
        for lane in 0..3 {
            assert!(
                trace
                    .spans
                    .iter()
                    .any(|s| s.lane == lane && s.kind == SpanKind::Region),
                "lane {lane}"
            );
        }
        assert!(
            trace
                .spans
                .iter()
                .all(|s| s.start <= s.end && s.end <= trace.end)
        );
        // Without a sink (and without GRAFOS_TRACE), nothing is recorded.
        let untraced = lease.cpu().shared_memory_tasklet::<(), ()>().workers(3);
        untraced.launch(|_| Ok(())).unwrap();
        assert!(sink.take().is_empty());
    }
}
