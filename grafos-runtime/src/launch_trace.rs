//! [`LaunchTrace`]: a launch's trace in fuel time, when
//! [`RunOptions::trace`](crate::RunOptions::trace) asks for one.
//!
//! Lanes run one after another on one thread, but each lane's clock
//! advances only by the fuel that lane uses, as if it had a core to itself:
//! a region starts on every lane at the coordinator's time, a barrier round
//! ends at the time its last lane arrived, and the region ends (and lane 0
//! resumes) when its last lane returns. The trace is deterministic: the
//! same module, input and options give the same trace.

use grafos_abi::trace::{LaneRecorder, Trace, TraceClock, TraceOutcome, TraceSink};
use grafos_abi::{SharedTaskletResult, TaskletError};

/// The trace of the running launch; see the module docs.
pub(crate) struct LaunchTrace {
    sink: TraceSink,
    tasklet: String,
    lanes: Vec<LaneRecorder>,
    /// Each lane's clock: fuel time.
    clocks: Vec<u64>,
    /// (time, fuel used by the launch) at each region's end.
    fuel: Vec<(u64, u64)>,
}

impl LaunchTrace {
    pub(crate) fn new(sink: TraceSink, tasklet: &str, workers: usize) -> Self {
        let mut lanes: Vec<LaneRecorder> = (0..workers as u32).map(LaneRecorder::new).collect();
        lanes[0].launch_begin(0);
        Self {
            sink,
            tasklet: tasklet.to_owned(),
            lanes,
            clocks: vec![0; workers],
            fuel: Vec::new(),
        }
    }

    /// `lane` ran and used `fuel`.
    pub(crate) fn ran(&mut self, lane: usize, fuel: u64) {
        self.clocks[lane] += fuel;
    }

    /// Region `region` starts on every lane at the coordinator's time.
    pub(crate) fn region_begin(&mut self, region: u32) {
        let now = self.clocks[0];
        for (lane, recorder) in self.lanes.iter_mut().enumerate() {
            self.clocks[lane] = now;
            recorder.region_begin(region, now);
        }
    }

    /// Data lane `lane` arrived at the barrier.
    pub(crate) fn barrier_begin(&mut self, lane: usize) {
        self.lanes[lane].barrier_begin(self.clocks[lane]);
    }

    /// Data lane `lane` returned, or stopped.
    pub(crate) fn lane_end(&mut self, lane: usize) {
        self.lanes[lane].region_end(self.clocks[lane]);
    }

    /// A barrier round ended: `waiting` lanes leave it when the last of
    /// them arrived.
    pub(crate) fn round_end(&mut self, waiting: impl Iterator<Item = usize> + Clone) {
        let release = waiting.clone().map(|l| self.clocks[l]).max().unwrap_or(0);
        for lane in waiting {
            self.clocks[lane] = release;
            self.lanes[lane].barrier_end(release);
        }
    }

    /// The region ended when its last lane returned; lane 0 resumes then.
    /// `fuel_used`: the launch's so far.
    pub(crate) fn region_end(&mut self, fuel_used: u64) {
        let end = self.clocks.iter().copied().max().unwrap_or(0);
        self.clocks[0] = end;
        self.lanes[0].region_end(end);
        self.fuel.push((end, fuel_used));
    }

    /// Ends the trace with the launch's outcome and hands it to the sink.
    pub(crate) fn finish(
        mut self,
        result: &Result<SharedTaskletResult, TaskletError>,
        fuel_used: u64,
    ) {
        let end = self.clocks.iter().copied().max().unwrap_or(0);
        self.fuel.push((end, fuel_used));
        let outcome = TraceOutcome::of(result);
        let trace = Trace::from_lanes(
            &self.tasklet,
            "runtime",
            TraceClock::Fuel,
            std::mem::take(&mut self.lanes),
            std::mem::take(&mut self.fuel),
            outcome,
            end,
        );
        self.sink.push(trace);
    }
}
