//! Traces of a launch, one format for both targets: the event model, the
//! recorder both backends call, the Chrome trace-event JSON writer (the
//! format Perfetto and `chrome://tracing` open) and a per-region profile.
//!
//! A trace has one track per lane. Lane 0 has a `launch` span and, inside
//! it, one `region N` span per region; each data lane has its `region N`
//! spans and, inside them, `work` spans separated by `barrier wait` spans,
//! one per barrier round. The structure ([`Trace::shape`]) depends only on
//! the tasklet's calls, so the same launch traced on the host mock and in
//! the runtime has the same shape; only the clock differs:
//!
//! - **runtime** ([`TraceClock::Fuel`]): deterministic *fuel time*. Each lane
//!   has its own clock that advances by the fuel (wasm instructions) it
//!   uses, as if every lane had a core to itself; a region starts for all
//!   lanes when the coordinator starts it, a barrier round ends when its
//!   last lane arrives, a region ends when its last lane returns. The same
//!   module, input and options give the same trace, byte for byte.
//! - **host mock** ([`TraceClock::Wall`]): nanoseconds of wall time since the
//!   launch started, on the lanes' real threads.
//!
//! Recording is off unless asked for; the backends keep an
//! `Option<Box<..>>` and test it at each event, so a launch without a
//! trace allocates nothing for it.
//!
//! ```
//! use grafos_abi::trace::{LaneRecorder, Trace, TraceClock, TraceOutcome};
//! let mut lanes = vec![LaneRecorder::new(0), LaneRecorder::new(1)];
//! lanes[0].launch_begin(0);
//! lanes[0].region_begin(0, 10);
//! lanes[1].region_begin(0, 10);
//! lanes[1].region_end(90);
//! lanes[0].region_end(90);
//! let trace = Trace::from_lanes("sum", "runtime", TraceClock::Fuel, lanes, vec![(90, 95)],
//!     TraceOutcome::Ok { output_bytes: 8, fuel_used: 95, regions: 1, barrier_rounds: 0 }, 100);
//! assert_eq!(trace.spans.len(), 4); // launch, region 0 twice, work
//! let json = trace.to_chrome_json();
//! assert!(json.starts_with("{\"traceEvents\":["));
//! assert_eq!(trace.profile()[0].work, vec![80]);
//! ```

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};

/// What a trace's timestamps count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceClock {
    /// Fuel (wasm instructions) on each lane's own clock: the runtime.
    Fuel,
    /// Nanoseconds of wall time since the launch started: the host mock.
    Wall,
}

impl TraceClock {
    /// The name in a trace file's `otherData.clock`: `fuel` or `wall`.
    pub fn name(self) -> &'static str {
        match self {
            TraceClock::Fuel => "fuel",
            TraceClock::Wall => "wall",
        }
    }

    /// The clock called `name` in a trace file.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "fuel" => Some(TraceClock::Fuel),
            "wall" => Some(TraceClock::Wall),
            _ => None,
        }
    }

    /// The unit of a span's length, for people: `fuel` or `ns`.
    pub fn unit(self) -> &'static str {
        match self {
            TraceClock::Fuel => "fuel",
            TraceClock::Wall => "ns",
        }
    }
}

/// What a span covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpanKind {
    /// Lane 0: the whole launch.
    Launch,
    /// One region: on lane 0 from its start to its last lane's return, on
    /// a data lane from its start to the lane's return.
    Region,
    /// A data lane computing, between the region's start, its barriers and
    /// its return.
    Work,
    /// A data lane waiting at a barrier until the round's last lane arrives.
    Barrier,
}

impl SpanKind {
    /// The span's category in a trace file (`cat`).
    pub fn category(self) -> &'static str {
        match self {
            SpanKind::Launch => "launch",
            SpanKind::Region => "region",
            SpanKind::Work => "work",
            SpanKind::Barrier => "barrier",
        }
    }

    /// The kind of category `cat`.
    pub fn from_category(cat: &str) -> Option<Self> {
        match cat {
            "launch" => Some(SpanKind::Launch),
            "region" => Some(SpanKind::Region),
            "work" => Some(SpanKind::Work),
            "barrier" => Some(SpanKind::Barrier),
            _ => None,
        }
    }
}

/// One span of one lane's track, in the trace's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The lane (0 is the coordinator).
    pub lane: u32,
    /// What it covers.
    pub kind: SpanKind,
    /// The region it belongs to (none for [`SpanKind::Launch`]).
    pub region: Option<u32>,
    /// Barrier rounds of the region this lane completed before the span
    /// ([`SpanKind::Work`]), or the round it waits for
    /// ([`SpanKind::Barrier`]).
    pub round: Option<u32>,
    /// Start, in the trace's clock.
    pub start: u64,
    /// End, at or after `start`.
    pub end: u64,
}

impl Span {
    /// The span's length in the trace's clock.
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span has no length.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The span's name in a trace file: `launch`, `region 3`, `work`,
    /// `barrier wait`.
    pub fn name(&self) -> String {
        match self.kind {
            SpanKind::Launch => "launch".into(),
            SpanKind::Region => format!("region {}", self.region.unwrap_or(0)),
            SpanKind::Work => "work".into(),
            SpanKind::Barrier => "barrier wait".into(),
        }
    }
}

/// How the traced launch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceOutcome {
    /// It succeeded.
    Ok {
        /// Bytes of output.
        output_bytes: u64,
        /// Fuel it used (the runtime's instructions; the host mock's
        /// checkpoints).
        fuel_used: u64,
        /// Regions it ran.
        regions: u32,
        /// Barrier rounds it completed.
        barrier_rounds: u64,
    },
    /// It failed with this error (its message).
    Err(String),
}

impl TraceOutcome {
    /// How a launch that returned `result` ended.
    pub fn of(result: &Result<crate::SharedTaskletResult, crate::TaskletError>) -> Self {
        match result {
            Ok(r) => TraceOutcome::Ok {
                output_bytes: r.output().len() as u64,
                fuel_used: r.fuel_used(),
                regions: r.regions(),
                barrier_rounds: r.barrier_rounds(),
            },
            Err(e) => TraceOutcome::Err(e.to_string()),
        }
    }
}

/// Records one lane's spans as the backend reports its events. Spans nest:
/// each event closes or opens the spans the lane's position implies.
#[derive(Debug, Clone)]
pub struct LaneRecorder {
    lane: u32,
    spans: Vec<Span>,
    /// Indices into `spans` of the spans still open, outermost first.
    open: Vec<usize>,
    region: u32,
    round: u32,
}

impl LaneRecorder {
    /// A recorder for lane `lane`, with room for a few regions.
    pub fn new(lane: u32) -> Self {
        Self {
            lane,
            spans: Vec::with_capacity(16),
            open: Vec::with_capacity(4),
            region: 0,
            round: 0,
        }
    }

    fn begin(&mut self, kind: SpanKind, region: Option<u32>, round: Option<u32>, at: u64) {
        self.open.push(self.spans.len());
        self.spans.push(Span {
            lane: self.lane,
            kind,
            region,
            round,
            start: at,
            end: at,
        });
    }

    /// Closes the innermost open span if it is of `kind`.
    fn end(&mut self, kind: SpanKind, at: u64) {
        if let Some(&i) = self.open.last()
            && self.spans[i].kind == kind
        {
            self.open.pop();
            let span = &mut self.spans[i];
            span.end = at.max(span.start);
        }
    }

    /// Lane 0: the launch starts.
    pub fn launch_begin(&mut self, at: u64) {
        self.begin(SpanKind::Launch, None, None, at);
    }

    /// Region `region` starts on this lane; a data lane starts working.
    pub fn region_begin(&mut self, region: u32, at: u64) {
        self.region = region;
        self.round = 0;
        self.begin(SpanKind::Region, Some(region), None, at);
        if self.lane != 0 {
            self.begin(SpanKind::Work, Some(region), Some(0), at);
        }
    }

    /// A data lane arrives at a barrier: its work stops, its wait starts.
    pub fn barrier_begin(&mut self, at: u64) {
        self.end(SpanKind::Work, at);
        self.begin(SpanKind::Barrier, Some(self.region), Some(self.round), at);
    }

    /// A data lane leaves a barrier: its wait stops, its work resumes.
    pub fn barrier_end(&mut self, at: u64) {
        self.end(SpanKind::Barrier, at);
        self.round += 1;
        self.begin(SpanKind::Work, Some(self.region), Some(self.round), at);
    }

    /// The region ends on this lane (a data lane returned; on lane 0, its
    /// last lane did).
    pub fn region_end(&mut self, at: u64) {
        self.end(SpanKind::Barrier, at);
        self.end(SpanKind::Work, at);
        self.end(SpanKind::Region, at);
    }

    /// Closes every open span at `at` (the launch ended, or failed).
    pub fn close_all(&mut self, at: u64) {
        while let Some(i) = self.open.pop() {
            let span = &mut self.spans[i];
            span.end = at.max(span.start);
        }
    }

    /// The spans recorded so far, in the order they started.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }
}

/// A finished trace of one launch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The tasklet's name.
    pub tasklet: String,
    /// Where it ran: `runtime` or `host`.
    pub target: String,
    /// What the timestamps count.
    pub clock: TraceClock,
    /// Lanes of the launch, the coordinator's included.
    pub lanes: u32,
    /// Every lane's spans: by lane, then in the order they started.
    pub spans: Vec<Span>,
    /// Fuel the launch had used, sampled at each region's end and at the
    /// launch's end: (time, fuel used).
    pub fuel: Vec<(u64, u64)>,
    /// How the launch ended.
    pub outcome: TraceOutcome,
    /// When it ended, in the trace's clock.
    pub end: u64,
}

/// The shape of a trace: what [`Trace::shape`] returns.
pub type Shape = Vec<(u32, SpanKind, Option<u32>, Option<u32>)>;

impl Trace {
    /// A trace from every lane's recorder (lane `i` at index `i`); spans
    /// still open are closed at `end`.
    #[allow(clippy::too_many_arguments)]
    pub fn from_lanes(
        tasklet: &str,
        target: &str,
        clock: TraceClock,
        lanes: Vec<LaneRecorder>,
        fuel: Vec<(u64, u64)>,
        outcome: TraceOutcome,
        end: u64,
    ) -> Self {
        let count = lanes.len() as u32;
        let mut spans = Vec::with_capacity(lanes.iter().map(|l| l.spans.len()).sum());
        for mut lane in lanes {
            lane.close_all(end);
            spans.append(&mut lane.spans);
        }
        Self {
            tasklet: tasklet.to_owned(),
            target: target.to_owned(),
            clock,
            lanes: count,
            spans,
            fuel,
            outcome,
            end,
        }
    }

    /// The trace's structure without its times: each span's lane, kind,
    /// region and round, in order, and nothing else. The same tasklet
    /// traced on both targets has the same shape.
    pub fn shape(&self) -> Shape {
        self.spans
            .iter()
            .map(|s| (s.lane, s.kind, s.region, s.round))
            .collect()
    }

    /// The trace in Chrome's trace-event JSON format (an object with
    /// `traceEvents`), which Perfetto and `chrome://tracing` open: one
    /// thread per lane, an `X` event per span, a `C` counter `fuel used`,
    /// an instant `result` with the launch's outcome, and `otherData`
    /// describing the clock. Timestamps are in the format's microseconds:
    /// 1000 units of the trace's clock (fuel or nanoseconds) per `ts` unit.
    pub fn to_chrome_json(&self) -> String {
        let mut out = String::with_capacity(256 + self.spans.len() * 128);
        out.push_str("{\"traceEvents\":[\n");
        let title = format!(
            "grafos {} ({}, {} time)",
            self.tasklet,
            self.target,
            self.clock.name()
        );
        let _ = write!(
            out,
            "{{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{{\"name\":{}}}}}",
            json_string(&title)
        );
        for lane in 0..self.lanes {
            let name = if lane == 0 {
                "lane 0 (coordinator)".to_owned()
            } else {
                format!("lane {lane}")
            };
            let _ = write!(
                out,
                ",\n{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":{lane},\"args\":{{\"name\":{}}}}}",
                json_string(&name)
            );
            let _ = write!(
                out,
                ",\n{{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":{lane},\"args\":{{\"sort_index\":{lane}}}}}"
            );
        }
        for span in &self.spans {
            let _ = write!(
                out,
                ",\n{{\"name\":{},\"cat\":\"{}\",\"ph\":\"X\",\"pid\":1,\"tid\":{},\"ts\":{},\"dur\":{}",
                json_string(&span.name()),
                span.kind.category(),
                span.lane,
                micros(span.start),
                micros(span.len()),
            );
            out.push_str(",\"args\":{");
            let mut sep = "";
            if let Some(region) = span.region {
                let _ = write!(out, "\"region\":{region}");
                sep = ",";
            }
            if let Some(round) = span.round {
                let _ = write!(out, "{sep}\"round\":{round}");
            }
            out.push_str("}}");
        }
        for &(at, used) in &self.fuel {
            let _ = write!(
                out,
                ",\n{{\"name\":\"fuel used\",\"ph\":\"C\",\"pid\":1,\"tid\":0,\"ts\":{},\"args\":{{\"fuel\":{used}}}}}",
                micros(at)
            );
        }
        let _ = write!(
            out,
            ",\n{{\"name\":\"result\",\"ph\":\"i\",\"s\":\"p\",\"pid\":1,\"tid\":0,\"ts\":{},\"args\":{{",
            micros(self.end)
        );
        match &self.outcome {
            TraceOutcome::Ok {
                output_bytes,
                fuel_used,
                regions,
                barrier_rounds,
            } => {
                let _ = write!(
                    out,
                    "\"ok\":true,\"output_bytes\":{output_bytes},\"fuel_used\":{fuel_used},\"regions\":{regions},\"barrier_rounds\":{barrier_rounds}"
                );
            }
            TraceOutcome::Err(message) => {
                let _ = write!(out, "\"ok\":false,\"error\":{}", json_string(message));
            }
        }
        let _ = write!(
            out,
            "}}}}\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{{\"format\":\"grafos-trace\",\"version\":1,\"tasklet\":{},\"target\":{},\"clock\":\"{}\",\"clock_units_per_ts\":1000,\"lanes\":{},\"end\":{}}}}}\n",
            json_string(&self.tasklet),
            json_string(&self.target),
            self.clock.name(),
            self.lanes,
            self.end
        );
        out
    }

    /// Per region: each data lane's work and barrier wait, in the trace's
    /// clock (fuel on the runtime, nanoseconds on the host mock).
    pub fn profile(&self) -> Vec<RegionProfile> {
        let data_lanes = self.lanes.saturating_sub(1) as usize;
        let mut regions: Vec<RegionProfile> = Vec::new();
        for span in &self.spans {
            let Some(region) = span.region else { continue };
            let index = region as usize;
            if regions.len() <= index {
                regions.resize_with(index + 1, || RegionProfile {
                    region: 0,
                    lanes: self.lanes,
                    length: 0,
                    work: vec![0; data_lanes],
                    barrier_wait: vec![0; data_lanes],
                    rounds: 0,
                });
            }
            let profile = &mut regions[index];
            profile.region = region;
            let lane = span.lane as usize;
            match span.kind {
                SpanKind::Region if lane == 0 => profile.length = span.len(),
                SpanKind::Work if lane >= 1 && lane <= data_lanes => {
                    profile.work[lane - 1] += span.len();
                }
                SpanKind::Barrier if lane >= 1 && lane <= data_lanes => {
                    profile.barrier_wait[lane - 1] += span.len();
                    if lane == 1 {
                        profile.rounds += 1;
                    }
                }
                _ => {}
            }
        }
        regions
    }
}

/// One region of a [`Trace::profile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionProfile {
    /// The region's index.
    pub region: u32,
    /// Lanes of the launch, the coordinator's included.
    pub lanes: u32,
    /// The region's length on lane 0: from its start to its last lane's
    /// return.
    pub length: u64,
    /// Each data lane's work (index 0 is lane 1).
    pub work: Vec<u64>,
    /// Each data lane's barrier waits (index 0 is lane 1).
    pub barrier_wait: Vec<u64>,
    /// Barrier rounds lane 1 waited at.
    pub rounds: u32,
}

impl RegionProfile {
    /// The lane that worked longest and its work: (lane, work).
    pub fn slowest(&self) -> (u32, u64) {
        self.work
            .iter()
            .enumerate()
            .max_by_key(|&(i, &w)| (w, std::cmp::Reverse(i)))
            .map_or((0, 0), |(i, &w)| (i as u32 + 1, w))
    }

    /// The slowest lane's share of the region's work, 0 to 1 (`1/n` when
    /// the `n` data lanes share it evenly).
    pub fn slowest_share(&self) -> f64 {
        let total: u64 = self.work.iter().sum();
        if total == 0 {
            0.0
        } else {
            self.slowest().1 as f64 / total as f64
        }
    }

    /// The slowest lane's work over the mean: 1 when balanced.
    pub fn imbalance(&self) -> f64 {
        let total: u64 = self.work.iter().sum();
        if total == 0 {
            1.0
        } else {
            self.slowest().1 as f64 * self.work.len() as f64 / total as f64
        }
    }

    /// The share of the data lanes' time in the region spent waiting at
    /// barriers, 0 to 1.
    pub fn barrier_wait_share(&self) -> f64 {
        let wait: u64 = self.barrier_wait.iter().sum();
        let busy: u64 = self.work.iter().sum::<u64>() + wait;
        if busy == 0 {
            0.0
        } else {
            wait as f64 / busy as f64
        }
    }
}

/// Where traces of launches go: a cloneable handle; each traced launch
/// adds its [`Trace`] when it ends.
///
/// ```
/// let sink = grafos_abi::trace::TraceSink::new();
/// assert!(sink.take().is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct TraceSink(Arc<Mutex<Vec<Trace>>>);

impl TraceSink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a trace.
    pub fn push(&self, trace: Trace) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(trace);
    }

    /// Takes every trace added so far, oldest first.
    pub fn take(&self) -> Vec<Trace> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// `ticks / 1000` with three decimals, exactly: a `ts` of the format.
fn micros(ticks: u64) -> String {
    format!("{}.{:03}", ticks / 1000, ticks % 1000)
}

/// `s` as a JSON string.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_rounds() -> Trace {
        let mut lanes: Vec<LaneRecorder> = (0..3).map(LaneRecorder::new).collect();
        lanes[0].launch_begin(0);
        lanes[0].region_begin(0, 5);
        for (lane, arrive) in [(1, 20), (2, 50)] {
            lanes[lane].region_begin(0, 5);
            lanes[lane].barrier_begin(arrive);
            lanes[lane].barrier_end(50);
            lanes[lane].region_end(60 + lane as u64);
        }
        lanes[0].region_end(62);
        Trace::from_lanes(
            "t\"q",
            "runtime",
            TraceClock::Fuel,
            lanes,
            vec![(62, 70)],
            TraceOutcome::Err("boom\n".into()),
            1234,
        )
    }

    #[test]
    fn spans_nest_per_lane() {
        let trace = two_rounds();
        let lane1: Vec<_> = trace
            .spans
            .iter()
            .filter(|s| s.lane == 1)
            .map(|s| (s.name(), s.round, s.start, s.end))
            .collect();
        assert_eq!(
            lane1,
            vec![
                ("region 0".into(), None, 5, 61),
                ("work".into(), Some(0), 5, 20),
                ("barrier wait".into(), Some(0), 20, 50),
                ("work".into(), Some(1), 50, 61),
            ]
        );
        // The launch span was left open: closed at the end.
        assert_eq!(trace.spans[0].end, 1234);
    }

    #[test]
    fn the_profile_shows_the_slowest_lane_and_the_waits() {
        let profile = two_rounds().profile();
        assert_eq!(profile.len(), 1);
        let p = &profile[0];
        assert_eq!((p.length, p.rounds), (57, 1));
        assert_eq!(p.work, vec![15 + 11, 45 + 12]);
        assert_eq!(p.barrier_wait, vec![30, 0]);
        assert_eq!(p.slowest(), (2, 57));
        assert!((p.slowest_share() - 57.0 / 83.0).abs() < 1e-9);
        assert!((p.barrier_wait_share() - 30.0 / 113.0).abs() < 1e-9);
    }

    #[test]
    fn json_escapes_and_exact_timestamps() {
        let json = two_rounds().to_chrome_json();
        assert!(json.contains("\"ts\":1.234"), "{json}");
        assert!(json.contains("\"error\":\"boom\\n\""), "{json}");
        assert!(json.contains("\"tasklet\":\"t\\\"q\""), "{json}");
        assert_eq!(micros(5), "0.005");
        assert_eq!(json_string("\u{1}"), "\"\\u0001\"");
    }
}
