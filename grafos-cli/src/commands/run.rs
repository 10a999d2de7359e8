//! `grafos run MODULE.wasm [TASKLET]`: one launch, its output and a report.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use grafos_runtime::trace::{RegionProfile, TraceClock, TraceSink};
use grafos_runtime::{RunOptions, Runtime, RuntimeConfig};

use super::inspect::choose;
use super::{CliError, ErrorClass, load_module, thousands, write_stdout};

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The module, e.g. target/grafos-wasm/wasm32-unknown-unknown/release/NAME.wasm.
    module: PathBuf,
    /// The tasklet to run; may be left out when the module has only one.
    tasklet: Option<String>,
    /// Read the input from FILE, or from standard input with `-`. Default: empty input.
    #[arg(long, value_name = "FILE|-")]
    input: Option<PathBuf>,
    /// Fuel pool in wasm instructions (at least 1). Default: the tasklet's own.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    fuel: Option<u64>,
    /// Cap on the guest's memory, e.g. 64M or 1G. Default: 256M.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_memory: Option<usize>,
    /// Cap on the output, e.g. 1M. Default: 64M.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_output: Option<usize>,
    /// Lanes of the launch, the coordinator lane included (2 to 256).
    /// Default: the tasklet's own.
    #[arg(long, value_name = "N", value_parser = super::lanes)]
    workers: Option<u32>,
    /// Stop the launch after DUR, e.g. 500ms, 2s, 1m (a number alone is seconds).
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// Write the output to FILE instead of standard output (`-`: standard
    /// output, even when it is a terminal).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print a JSON report (tasklet, bytes, fuel used, regions, barrier
    /// rounds, wall time) on standard output; the output bytes then go to
    /// `--output`, or into the report as hex.
    #[arg(long)]
    json: bool,
    /// Show the tasklet's debug log lines on standard error.
    #[arg(long, short)]
    verbose: bool,
    /// Write a trace of the launch to FILE: Chrome trace-event JSON in fuel
    /// time, for Perfetto (ui.perfetto.dev), chrome://tracing or `grafos
    /// timeline FILE -o lanes.svg`. Written even when the launch fails,
    /// once it has started.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Print a profile per region on standard error: lanes, fuel per lane,
    /// the slowest lane and its share, the share of time spent waiting at
    /// barriers. With --json, the report carries it as `profile`.
    #[arg(long)]
    profile: bool,
}

/// `4096`, `64K`, `16M`, `1G` (binary multiples).
fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let (number, shift) = match text.char_indices().last() {
        Some((at, 'K' | 'k')) => (&text[..at], 10),
        Some((at, 'M' | 'm')) => (&text[..at], 20),
        Some((at, 'G' | 'g')) => (&text[..at], 30),
        _ => (text, 0),
    };
    number
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("`{text}` is not a size such as 4096, 64K, 16M or 1G"))
}

/// `500ms`, `2s`, `1.5s`, `1m`; a bare number is seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 500ms, 2s or 1m"))?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" | "min" => value * 60.0,
        other => return Err(format!("unknown unit `{other}` (use ms, s or m)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{text}`: {e}"))
}

fn read_input(path: Option<&Path>) -> Result<Vec<u8>, CliError> {
    match path {
        None => Ok(Vec::new()),
        Some(p) if p == Path::new("-") => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| CliError::io("cannot read", Path::new("standard input"), &e))?;
            Ok(bytes)
        }
        Some(p) => std::fs::read(p).map_err(|e| CliError::io("cannot read input", p, &e)),
    }
}

/// Milliseconds, to the microsecond.
fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `--output` names standard output: left out, or `-`.
fn to_stdout(output: Option<&Path>) -> bool {
    output.is_none_or(|p| p == Path::new("-"))
}

pub(crate) fn run(args: RunArgs) -> Result<(), CliError> {
    // Binary output would garble a terminal: refuse before any work, unless
    // asked for (`--output -`), or the report is JSON.
    if args.output.is_none() && !args.json && std::io::stdout().is_terminal() {
        return Err(CliError::new(
            ErrorClass::Usage,
            "the output is binary and standard output is a terminal: pass --output FILE, \
             or --output - to write it here anyway",
        ));
    }
    let output_file = args
        .output
        .clone()
        .filter(|_| !to_stdout(args.output.as_deref()));
    let runtime = Runtime::new(RuntimeConfig {
        threads: 1,
        ..RuntimeConfig::default()
    });
    let load_started = Instant::now();
    let module = load_module(&runtime, &args.module)?;
    let load_time = load_started.elapsed();
    let info = choose(&module, args.tasklet.as_deref())?;
    let name = info.name.to_string();
    let budget = args.fuel.unwrap_or(info.fuel);
    let input = read_input(args.input.as_deref())?;
    let options = RunOptions {
        fuel: args.fuel,
        workers: args.workers,
        max_memory_bytes: args.max_memory,
        max_output_bytes: args.max_output,
        deadline: args.timeout.map(|t| Instant::now() + t),
        debug_log: args.verbose.then(|| {
            Arc::new(|lane: usize, line: &str| eprintln!("[lane {lane}] {line}"))
                as grafos_runtime::DebugLog
        }),
        trace: (args.trace.is_some() || args.profile).then(TraceSink::new),
        ..RunOptions::default()
    };
    let sink = options.trace.clone();
    // Progress on a terminal; nothing when standard error is piped.
    let progress = std::io::stderr()
        .is_terminal()
        .then(|| Progress::start(&name, budget));
    let options = RunOptions {
        progress: progress.as_ref().map(|p| Arc::clone(&p.used)),
        ..options
    };
    let started = Instant::now();
    let result = module.run(&name, &input, options);
    let wall = started.elapsed();
    if let Some(progress) = progress {
        progress.stop();
    }
    let trace = sink.and_then(|sink| sink.take().pop());
    if let (Some(path), Some(trace)) = (&args.trace, &trace) {
        std::fs::write(path, trace.to_chrome_json())
            .map_err(|e| CliError::io("cannot write trace", path, &e))?;
    }
    let profile = trace
        .as_ref()
        .filter(|_| args.profile)
        .map(|t| (t.clock, t.profile()));
    if let Some((clock, regions)) = &profile
        && !args.json
    {
        eprint!("{}", profile_text(&name, *clock, regions));
    }
    let result = match result {
        Ok(result) => result,
        Err(e) => {
            if args.json {
                let mut report = serde_json::json!({
                    "tasklet": name,
                    "input_bytes": input.len(),
                    "error": e.to_string(),
                    "wall_time_ms": millis(wall),
                });
                if let Some((clock, regions)) = &profile {
                    report["profile"] = profile_json(*clock, regions);
                }
                write_stdout(format!("{report}\n").as_bytes())?;
            }
            return Err(CliError::tasklet(&name, &e));
        }
    };
    if let Some(path) = &output_file {
        std::fs::write(path, result.output())
            .map_err(|e| CliError::io("cannot write output", path, &e))?;
    }
    if args.json {
        let mut report = serde_json::json!({
            "tasklet": name,
            "input_bytes": input.len(),
            "output_bytes": result.output().len(),
            "fuel_used": result.fuel_used(),
            "regions": result.regions(),
            "barrier_rounds": result.barrier_rounds(),
            "wall_time_ms": millis(wall),
            "load_time_ms": millis(load_time),
        });
        if output_file.is_none() {
            report["output_hex"] = hex(result.output()).into();
        }
        if let Some((clock, regions)) = &profile {
            report["profile"] = profile_json(*clock, regions);
        }
        write_stdout(format!("{report}\n").as_bytes())?;
    } else if output_file.is_none() {
        write_stdout(result.output())?;
    }
    Ok(())
}

/// A line on standard error, redrawn while a launch runs: fuel used
/// against the budget. It appears only after a moment, so quick runs show
/// nothing, and is erased when the launch ends.
struct Progress {
    used: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Progress {
    /// How long a launch runs before its progress shows.
    const DELAY: Duration = Duration::from_millis(300);
    const EVERY: Duration = Duration::from_millis(100);

    fn start(name: &str, budget: u64) -> Self {
        let used = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let (u, d, name) = (Arc::clone(&used), Arc::clone(&done), name.to_owned());
        let thread = std::thread::spawn(move || {
            std::thread::park_timeout(Self::DELAY);
            let mut shown = false;
            while !d.load(Ordering::Acquire) {
                let fuel = u.load(Ordering::Relaxed);
                let percent = 100.0 * fuel as f64 / budget.max(1) as f64;
                eprint!(
                    "\rgrafos: running `{name}`: {} of {} fuel ({percent:.0}%) ",
                    thousands(fuel),
                    thousands(budget)
                );
                shown = true;
                std::thread::park_timeout(Self::EVERY);
            }
            if shown {
                // Erase the line.
                eprint!("\r\x1b[2K");
            }
        });
        Self { used, done, thread }
    }

    fn stop(self) {
        self.done.store(true, Ordering::Release);
        self.thread.thread().unpark();
        let _ = self.thread.join();
    }
}

/// The profile in words: per region, its lanes, each lane's work, the
/// slowest lane and its share, the barrier-wait share.
pub(crate) fn profile_text(tasklet: &str, clock: TraceClock, regions: &[RegionProfile]) -> String {
    let unit = clock.unit();
    let mut out = format!(
        "profile of `{tasklet}` ({} time, {} region(s)):\n",
        clock.name(),
        regions.len()
    );
    for r in regions {
        let (slowest, _) = r.slowest();
        let work: Vec<String> = r
            .work
            .iter()
            .enumerate()
            .map(|(i, w)| format!("lane {} {}", i + 1, thousands(*w)))
            .collect();
        out += &format!(
            "  region {}: {} data lanes, {} barrier round(s), {} {unit} long\n    work per lane ({unit}): {}\n    slowest lane {slowest}: {:.1}% of the region's work, {:.2}x the mean; barrier waits: {:.1}% of the lanes' time\n",
            r.region,
            r.work.len(),
            r.rounds,
            thousands(r.length),
            work.join("; "),
            100.0 * r.slowest_share(),
            r.imbalance(),
            100.0 * r.barrier_wait_share(),
        );
    }
    out
}

/// The profile as JSON, for `--json`.
pub(crate) fn profile_json(clock: TraceClock, regions: &[RegionProfile]) -> serde_json::Value {
    let regions: Vec<_> = regions
        .iter()
        .map(|r| {
            serde_json::json!({
                "region": r.region,
                "data_lanes": r.work.len(),
                "barrier_rounds": r.rounds,
                "length": r.length,
                "work": r.work,
                "barrier_wait": r.barrier_wait,
                "slowest_lane": r.slowest().0,
                "slowest_share": r.slowest_share(),
                "imbalance": r.imbalance(),
                "barrier_wait_share": r.barrier_wait_share(),
            })
        })
        .collect();
    serde_json::json!({ "unit": clock.unit(), "regions": regions })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::ErrorClass;

    #[test]
    fn durations_parse_in_common_units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("3h").unwrap_err().contains("unknown unit"));
    }

    #[test]
    fn errors_have_the_exit_code_of_their_class() {
        use grafos_runtime::TaskletError;
        let abi = CliError::tasklet(
            "t",
            &TaskletError::Abi {
                message: "x".into(),
            },
        );
        assert_eq!(abi.class, ErrorClass::Load);
        let fuel = CliError::tasklet("t", &TaskletError::fuel_exhausted());
        assert_eq!(fuel.class, ErrorClass::Tasklet);
        let multi = CliError::new(ErrorClass::Build, "cargo failed:\nerror[E0425]\n  at x");
        assert_eq!(multi.to_string(), "cargo failed: | error[E0425] | at x");
    }
}
