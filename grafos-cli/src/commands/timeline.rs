//! `grafos timeline TRACE.json -o lanes.svg`: a picture of a launch without
//! a browser. Time runs across, one row per lane; each region's work has
//! its own colour, barrier waits are red, and a lane that returned before
//! its region's slowest lane is grey until the region ends, so load
//! imbalance shows as grey. Each region is labelled with its imbalance
//! (slowest lane's work over the mean).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use grafos_runtime::trace::{Span, SpanKind, Trace, TraceClock, TraceOutcome};
use serde_json::Value;

use super::{CliError, ErrorClass, print_line, thousands};

#[derive(Debug, Args)]
pub(crate) struct TimelineArgs {
    /// A trace written by `grafos run --trace FILE` or by the host mock
    /// (`GRAFOS_TRACE=DIR cargo test`).
    trace: PathBuf,
    /// Where to write the SVG. Default: the trace's path with `.svg`.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub(crate) fn run(args: TimelineArgs) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&args.trace)
        .map_err(|e| CliError::io("cannot read trace", &args.trace, &e))?;
    let trace = parse(&text).map_err(|why| {
        CliError::new(
            ErrorClass::Io,
            format!("{} is not a grafos trace: {why}", args.trace.display()),
        )
    })?;
    let output = args
        .output
        .unwrap_or_else(|| args.trace.with_extension("svg"));
    write_svg(&trace, &output)?;
    print_line(output.display())
}

/// Writes `trace`'s timeline to `path`.
pub(crate) fn write_svg(trace: &Trace, path: &Path) -> Result<(), CliError> {
    std::fs::write(path, svg(trace)).map_err(|e| CliError::io("cannot write", path, &e))
}

/// Clock units of a trace-event `ts` or `dur` (microseconds in the format).
fn ticks(value: &Value, what: &str) -> Result<u64, String> {
    let v = value
        .as_f64()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("an event's `{what}` is not a time"))?;
    Ok((v * 1000.0).round() as u64)
}

/// Reads a trace written by [`Trace::to_chrome_json`] back.
pub(crate) fn parse(text: &str) -> Result<Trace, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    let events = doc["traceEvents"]
        .as_array()
        .ok_or("no `traceEvents` array")?;
    let other = &doc["otherData"];
    if other["format"] != "grafos-trace" {
        return Err(
            "no `otherData.format` \"grafos-trace\" (write one with `grafos run --trace FILE`)"
                .into(),
        );
    }
    let clock = other["clock"]
        .as_str()
        .and_then(TraceClock::from_name)
        .ok_or("`otherData.clock` is neither \"fuel\" nor \"wall\"")?;
    let lanes = other["lanes"]
        .as_u64()
        .filter(|&n| (2..=grafos_abi::MAX_LANES as u64).contains(&n))
        .ok_or("`otherData.lanes` is not a lane count")? as u32;
    let mut trace = Trace {
        tasklet: other["tasklet"].as_str().unwrap_or("?").to_owned(),
        target: other["target"].as_str().unwrap_or("?").to_owned(),
        clock,
        lanes,
        spans: Vec::new(),
        fuel: Vec::new(),
        outcome: TraceOutcome::Err("the trace has no result".into()),
        end: other["end"].as_u64().unwrap_or(0),
    };
    for event in events {
        match event["ph"].as_str() {
            Some("X") => {
                let kind = event["cat"]
                    .as_str()
                    .and_then(SpanKind::from_category)
                    .ok_or("a span of an unknown category")?;
                let lane = event["tid"]
                    .as_u64()
                    .filter(|&l| l < u64::from(lanes))
                    .ok_or("a span on a lane the trace does not have")?
                    as u32;
                let start = ticks(&event["ts"], "ts")?;
                let len = ticks(&event["dur"], "dur")?;
                let number = |key: &str| event["args"][key].as_u64().map(|n| n as u32);
                trace.spans.push(Span {
                    lane,
                    kind,
                    region: number("region"),
                    round: number("round"),
                    start,
                    end: start + len,
                });
            }
            Some("C") => {
                let at = ticks(&event["ts"], "ts")?;
                let used = event["args"]["fuel"].as_u64().unwrap_or(0);
                trace.fuel.push((at, used));
            }
            Some("i") if event["name"] == "result" => {
                let args = &event["args"];
                trace.outcome = if args["ok"] == true {
                    TraceOutcome::Ok {
                        output_bytes: args["output_bytes"].as_u64().unwrap_or(0),
                        fuel_used: args["fuel_used"].as_u64().unwrap_or(0),
                        regions: args["regions"].as_u64().unwrap_or(0) as u32,
                        barrier_rounds: args["barrier_rounds"].as_u64().unwrap_or(0),
                    }
                } else {
                    TraceOutcome::Err(args["error"].as_str().unwrap_or("?").to_owned())
                };
            }
            Some(_) => {}
            None => return Err("an event without `ph`".into()),
        }
    }
    if trace.spans.is_empty() {
        return Err("it has no spans".into());
    }
    // By lane, then in the order they started (the writer's order).
    trace.spans.sort_by_key(|s| s.lane);
    trace.end = trace
        .end
        .max(trace.spans.iter().map(|s| s.end).max().unwrap_or(0));
    Ok(trace)
}

/// Colours of the regions' work, cycled.
pub(crate) const REGION_COLOURS: [&str; 6] = [
    "#4e79a7", "#59a14f", "#b07aa1", "#f28e2b", "#76b7b2", "#9c755f",
];
/// A data lane waiting at a barrier.
pub(crate) const BARRIER_COLOUR: &str = "#e15759";
/// A data lane that returned, waiting for its region's slowest lane.
pub(crate) const IDLE_COLOUR: &str = "#d0d0d0";
/// Lane 0 outside regions: the coordinator computing.
pub(crate) const COORDINATOR_COLOUR: &str = "#555555";
/// Lane 0 inside a region: waiting for the data lanes.
pub(crate) const REGION_WAIT_COLOUR: &str = "#c6d4e6";

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 120.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 48.0;
const ROW: f64 = 26.0;
const GAP: f64 = 6.0;

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A time in the trace's clock, for an axis label.
fn label(clock: TraceClock, t: u64) -> String {
    match clock {
        TraceClock::Fuel => match t {
            t if t >= 1_000_000 => format!("{:.1}M", t as f64 / 1e6),
            t if t >= 1_000 => format!("{:.0}k", t as f64 / 1e3),
            t => t.to_string(),
        },
        TraceClock::Wall => match t {
            t if t >= 1_000_000 => format!("{:.1} ms", t as f64 / 1e6),
            t if t >= 1_000 => format!("{:.0} µs", t as f64 / 1e3),
            t => format!("{t} ns"),
        },
    }
}

/// A step of 1, 2 or 5 times a power of ten giving about `n` ticks.
fn nice_step(span: u64, n: u64) -> u64 {
    let raw = (span / n.max(1)).max(1);
    let mut step = 1;
    while step * 10 <= raw {
        step *= 10;
    }
    if step * 5 <= raw {
        step * 5
    } else if step * 2 <= raw {
        step * 2
    } else {
        step
    }
}

/// The SVG timeline of `trace`; see the module docs.
pub(crate) fn svg(trace: &Trace) -> String {
    let lanes = trace.lanes as usize;
    let end = trace.end.max(1);
    let plot = WIDTH - LEFT - RIGHT;
    let x = |t: u64| LEFT + plot * (t.min(end) as f64 / end as f64);
    let row_y = |lane: usize| TOP + lane as f64 * (ROW + GAP);
    let legend_y = row_y(lanes) + 24.0;
    let height = legend_y + 40.0;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
    );
    let outcome = match &trace.outcome {
        TraceOutcome::Ok { fuel_used, .. } => format!("ok, {} fuel used", thousands(*fuel_used)),
        TraceOutcome::Err(e) => format!("failed: {e}"),
    };
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"18\" font-weight=\"bold\">{} on the {} ({} time): {}</text>",
        esc(&trace.tasklet),
        esc(&trace.target),
        trace.clock.name(),
        esc(&outcome)
    );
    // Axis.
    let step = nice_step(end, 8);
    let mut t = 0;
    while t <= end {
        let tx = x(t);
        let _ = writeln!(
            out,
            "<line x1=\"{tx:.1}\" y1=\"{:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\" stroke=\"#eeeeee\"/><text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#666666\">{}</text>",
            TOP - 6.0,
            row_y(lanes) - GAP,
            TOP - 10.0,
            label(trace.clock, t)
        );
        t += step;
    }
    // Rows.
    let profile = trace.profile();
    let region_ends: Vec<(u32, u64)> = trace
        .spans
        .iter()
        .filter(|s| s.lane == 0 && s.kind == SpanKind::Region)
        .map(|s| (s.region.unwrap_or(0), s.end))
        .collect();
    for lane in 0..lanes {
        let y = row_y(lane);
        let name = if lane == 0 {
            "lane 0 (coord.)".to_owned()
        } else {
            format!("lane {lane}")
        };
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{name}</text>",
            LEFT - 8.0,
            y + ROW / 2.0 + 4.0
        );
        let _ = writeln!(out, "<g class=\"lane\" data-lane=\"{lane}\">");
        for span in trace.spans.iter().filter(|s| s.lane as usize == lane) {
            let region = span.region.unwrap_or(0) as usize;
            let (colour, class) = match span.kind {
                SpanKind::Launch => {
                    // The coordinator computes between its regions.
                    let mut from = span.start;
                    let mut regions: Vec<&Span> = trace
                        .spans
                        .iter()
                        .filter(|s| s.lane == 0 && s.kind == SpanKind::Region)
                        .collect();
                    regions.sort_by_key(|s| s.start);
                    for region in regions {
                        if region.start > from {
                            rect(
                                &mut out,
                                x(from),
                                x(region.start),
                                y,
                                COORDINATOR_COLOUR,
                                "coordinator",
                            );
                        }
                        from = from.max(region.end);
                    }
                    if span.end > from {
                        rect(
                            &mut out,
                            x(from),
                            x(span.end),
                            y,
                            COORDINATOR_COLOUR,
                            "coordinator",
                        );
                    }
                    continue;
                }
                SpanKind::Region if lane == 0 => (REGION_WAIT_COLOUR, "region"),
                SpanKind::Region => {
                    // From the lane's return to the region's end: idle.
                    if let Some(&(_, region_end)) =
                        region_ends.iter().find(|(r, _)| *r == region as u32)
                        && region_end > span.end
                    {
                        rect(&mut out, x(span.end), x(region_end), y, IDLE_COLOUR, "idle");
                    }
                    continue;
                }
                SpanKind::Work => (REGION_COLOURS[region % REGION_COLOURS.len()], "work"),
                SpanKind::Barrier => (BARRIER_COLOUR, "barrier"),
            };
            rect(&mut out, x(span.start), x(span.end), y, colour, class);
        }
        out.push_str("</g>\n");
    }
    // Each region's imbalance, above lane 0's region span.
    for (r, p) in profile.iter().enumerate() {
        if let Some(span) = trace
            .spans
            .iter()
            .find(|s| s.lane == 0 && s.kind == SpanKind::Region && s.region == Some(r as u32))
            && x(span.end) - x(span.start) > 40.0
        {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">region {r}: {:.2}x</text>",
                (x(span.start) + x(span.end)) / 2.0,
                row_y(0) + ROW / 2.0 + 4.0,
                p.imbalance()
            );
        }
    }
    // Legend.
    let items: [(&str, &str); 5] = [
        (REGION_COLOURS[0], "work (a colour per region)"),
        (BARRIER_COLOUR, "barrier wait"),
        (IDLE_COLOUR, "returned, waiting for the slowest lane"),
        (COORDINATOR_COLOUR, "coordinator"),
        (REGION_WAIT_COLOUR, "coordinator waits for the region"),
    ];
    let mut lx = LEFT;
    for (colour, text) in items {
        let _ = writeln!(
            out,
            "<rect class=\"legend\" x=\"{lx:.1}\" y=\"{legend_y:.1}\" width=\"14\" height=\"14\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            lx + 18.0,
            legend_y + 11.0,
            esc(text)
        );
        lx += 26.0 + 6.5 * text.len() as f64;
    }
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"{:.1}\" fill=\"#666666\">region N: Mx = the slowest lane's work over the mean (1.00x is balanced); time in {}</text>",
        legend_y + 32.0,
        match trace.clock {
            TraceClock::Fuel => "fuel (wasm instructions, each lane on its own clock)",
            TraceClock::Wall => "wall time",
        }
    );
    out.push_str("</svg>\n");
    out
}

/// A bar from `x0` to `x1` in the row at `y`; at least half a pixel wide,
/// so a short span still shows.
fn rect(out: &mut String, x0: f64, x1: f64, y: f64, colour: &str, class: &str) {
    let width = (x1 - x0).max(0.5);
    let _ = writeln!(
        out,
        "<rect class=\"{class}\" x=\"{x0:.2}\" y=\"{y:.1}\" width=\"{width:.2}\" height=\"{ROW}\" fill=\"{colour}\"/>"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use grafos_runtime::trace::LaneRecorder;

    fn trace() -> Trace {
        let mut lanes: Vec<LaneRecorder> = (0..3).map(LaneRecorder::new).collect();
        lanes[0].launch_begin(0);
        lanes[0].region_begin(0, 100);
        lanes[1].region_begin(0, 100);
        lanes[2].region_begin(0, 100);
        lanes[1].barrier_begin(300);
        lanes[2].barrier_begin(700);
        lanes[1].barrier_end(700);
        lanes[2].barrier_end(700);
        lanes[1].region_end(800);
        lanes[2].region_end(900);
        lanes[0].region_end(900);
        Trace::from_lanes(
            "t<x>",
            "runtime",
            TraceClock::Fuel,
            lanes,
            vec![(900, 950)],
            TraceOutcome::Ok {
                output_bytes: 1,
                fuel_used: 950,
                regions: 1,
                barrier_rounds: 1,
            },
            1000,
        )
    }

    #[test]
    fn a_trace_survives_its_json() {
        let t = trace();
        assert_eq!(parse(&t.to_chrome_json()), Ok(t));
    }

    #[test]
    fn bad_traces_say_why() {
        assert!(parse("nope").unwrap_err().contains("not JSON"));
        assert!(parse("{}").unwrap_err().contains("traceEvents"));
        assert!(
            parse(r#"{"traceEvents":[]}"#)
                .unwrap_err()
                .contains("grafos-trace")
        );
        let json = trace()
            .to_chrome_json()
            .replace("\"lanes\":3", "\"lanes\":1");
        assert!(parse(&json).unwrap_err().contains("lane count"));
    }

    #[test]
    fn the_svg_has_a_row_per_lane_and_escapes_text() {
        let svg = svg(&trace());
        assert_eq!(svg.matches("class=\"lane\"").count(), 3);
        assert!(svg.contains("t&lt;x&gt;"));
        assert!(svg.contains("class=\"idle\""), "lane 1 returned early");
        assert_eq!(nice_step(1000, 8), 100);
        assert_eq!(nice_step(7, 8), 1);
    }
}
