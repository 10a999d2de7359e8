//! `grafos demo`: build the example tasklets for wasm32, run each on the host
//! mock and in the runtime on the same generated input, and show a table.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use grafos::fidelity::BuildOptions;
use grafos::fidelity::{self, Comparison, FidelityError, Side};
use grafos_examples::catalog::{self, Example};
use serde_json::json;

use super::{CliError, ErrorClass, print_line, thousands};

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// The examples crate's Cargo.toml. Default: the sources this program
    /// was built from.
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Lanes of every launch, the coordinator lane included (2 to 256).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = super::lanes)]
    workers: u32,
    /// Run only the examples named (repeatable). Default: all of them.
    #[arg(long = "only", value_name = "EXAMPLE")]
    only: Vec<String>,
    /// Print the results as JSON on standard output instead of a table.
    #[arg(long)]
    json: bool,
    /// Also trace each example's launch in the runtime and write
    /// DIR/NAME.json (Chrome trace-event JSON) and DIR/NAME.svg (its
    /// timeline, as `grafos timeline` draws it).
    #[arg(long, value_name = "DIR")]
    svg: Option<PathBuf>,
}

/// The examples crate's sources this program was built with.
fn default_manifest() -> PathBuf {
    PathBuf::from(grafos_examples::MANIFEST_DIR).join("Cargo.toml")
}

fn chosen(only: &[String]) -> Result<Vec<&'static Example>, CliError> {
    if only.is_empty() {
        return Ok(catalog::EXAMPLES.iter().collect());
    }
    only.iter()
        .map(|name| {
            catalog::find(name).ok_or_else(|| {
                let names: Vec<&str> = catalog::EXAMPLES.iter().map(|e| e.name).collect();
                CliError::new(
                    ErrorClass::Usage,
                    format!("no example `{name}`; the examples are {}", names.join(", ")),
                )
            })
        })
        .collect()
}

/// One row of the table.
struct Row {
    example: &'static Example,
    input_len: usize,
    comparison: Comparison,
    matches_reference: bool,
}

impl Row {
    fn ok(&self) -> bool {
        self.comparison.identical() && self.matches_reference && self.comparison.host.is_ok()
    }
}

pub(crate) fn run(args: DemoArgs) -> Result<(), CliError> {
    let examples = chosen(&args.only)?;
    if let Some(dir) = &args.svg {
        std::fs::create_dir_all(dir).map_err(|e| CliError::io("cannot create", dir, &e))?;
    }
    let manifest = args.manifest_path.unwrap_or_else(default_manifest);
    if !manifest.is_file() {
        return Err(CliError::new(
            ErrorClass::Io,
            format!(
                "the examples crate is not at {}: pass --manifest-path to its Cargo.toml",
                manifest.display()
            ),
        ));
    }
    eprintln!("grafos: building the examples for wasm32 (release) ...");
    let options = BuildOptions {
        manifest_path: Some(manifest),
        // cargo draws its own progress bar and diagnostics on our stderr.
        show_progress: true,
        ..BuildOptions::default()
    };
    let module = fidelity::build_and_load(&options).map_err(|e| match e {
        FidelityError::Build(_) => CliError::new(ErrorClass::Build, e.to_string()),
        FidelityError::Read { .. } => CliError::new(ErrorClass::Io, e.to_string()),
        _ => CliError::new(ErrorClass::Load, e.to_string()),
    })?;
    eprintln!(
        "grafos: running {} example(s) on {} lanes, host mock and runtime",
        examples.len(),
        args.workers
    );

    let mut rows = Vec::new();
    if !args.json {
        print_header()?;
    }
    for (seed, example) in examples.into_iter().enumerate() {
        if !args.json {
            eprint!("  {} ...\r", example.name);
        }
        let input = (example.input)(example.large, seed as u64);
        let workers = args.workers;
        let comparison = fidelity::compare(&module, example.name, &input, Some(workers), |input| {
            (example.run_host)(workers as usize, input)
        });
        if let Some(dir) = &args.svg {
            draw(&module, example.name, &input, workers, dir)?;
        }
        let reference = (example.reference)(&input);
        let matches_reference = comparison
            .host
            .as_ref()
            .is_ok_and(|host| host.output() == reference.as_slice());
        let row = Row {
            example,
            input_len: input.len(),
            comparison,
            matches_reference,
        };
        if !args.json {
            print_row(&row)?;
        }
        rows.push(row);
    }

    if args.json {
        print_json(&rows, args.workers)?;
    }
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| !r.ok())
        .map(|r| r.example.name)
        .collect();
    if failed.is_empty() {
        if !args.json {
            print_line(format_args!(
                "\nall {} example(s) gave identical bytes on both targets",
                rows.len()
            ))?;
        }
        Ok(())
    } else {
        let why: Vec<String> = rows
            .iter()
            .filter(|r| !r.ok())
            .map(|r| {
                if r.comparison.identical() {
                    format!(
                        "{}: output differs from the sequential reference",
                        r.example.name
                    )
                } else {
                    r.comparison.describe_difference()
                }
            })
            .collect();
        Err(CliError::new(ErrorClass::Differs, why.join("; ")))
    }
}

/// Traces `name`'s launch on `input` in the runtime and writes its trace
/// and timeline into `dir`.
fn draw(
    module: &grafos_runtime::TaskletModule,
    name: &str,
    input: &[u8],
    workers: u32,
    dir: &std::path::Path,
) -> Result<(), CliError> {
    let sink = grafos_runtime::trace::TraceSink::new();
    let options = grafos_runtime::RunOptions {
        workers: Some(workers),
        trace: Some(sink.clone()),
        ..grafos_runtime::RunOptions::default()
    };
    // A failure shows in the table; its trace is drawn all the same.
    let _ = module.run(name, input, options);
    let Some(trace) = sink.take().pop() else {
        return Ok(());
    };
    let json = dir.join(format!("{name}.json"));
    std::fs::write(&json, trace.to_chrome_json())
        .map_err(|e| CliError::io("cannot write", &json, &e))?;
    super::timeline::write_svg(&trace, &json.with_extension("svg"))
}

/// Columns of the table; each column's unit is in its header, so every
/// row uses the same one.
const HEADER: [&str; 8] = [
    "tasklet",
    "input (B)",
    "output (B)",
    "host (ms)",
    "wasm (ms)",
    "fuel used",
    "identical",
    "pattern",
];

fn print_header() -> Result<(), CliError> {
    print_line(format_args!(
        "{:<10} {:>11} {:>11} {:>10} {:>10} {:>14} {:>9}  {}",
        HEADER[0], HEADER[1], HEADER[2], HEADER[3], HEADER[4], HEADER[5], HEADER[6], HEADER[7]
    ))
}

fn print_row(row: &Row) -> Result<(), CliError> {
    let c = &row.comparison;
    let output = match &c.host {
        Ok(host) => thousands(host.output().len() as u64),
        Err(_) => "error".into(),
    };
    let fuel = c.wasm_fuel_used().map_or_else(|| "-".into(), thousands);
    let identical = match (row.ok(), c.identical()) {
        (true, _) => "yes",
        (false, true) => "no (ref)",
        (false, false) => "NO",
    };
    print_line(format_args!(
        "{:<10} {:>11} {:>11} {:>10} {:>10} {:>14} {:>9}  {}",
        row.example.name,
        thousands(row.input_len as u64),
        output,
        time(c.time(Side::Host)),
        time(c.time(Side::Wasm)),
        fuel,
        identical,
        row.example.pattern
    ))
}

fn print_json(rows: &[Row], workers: u32) -> Result<(), CliError> {
    let rows: Vec<_> = rows
        .iter()
        .map(|row| {
            let c = &row.comparison;
            json!({
                "tasklet": row.example.name,
                "pattern": row.example.pattern,
                "workers": workers,
                "input_bytes": row.input_len,
                "output_bytes": c.host.as_ref().ok().map(|h| h.output().len()),
                "host_seconds": c.time(Side::Host).as_secs_f64(),
                "wasm_seconds": c.time(Side::Wasm).as_secs_f64(),
                "fuel_used": c.wasm_fuel_used(),
                "identical": c.identical(),
                "matches_reference": row.matches_reference,
                "host_error": c.host.as_ref().err().map(ToString::to_string),
                "wasm_error": c.wasm.as_ref().err().map(ToString::to_string),
            })
        })
        .collect();
    print_line(serde_json::to_string_pretty(&rows).unwrap_or_default())
}

/// Milliseconds with two decimals, whatever the size: one style per column.
fn time(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_readable() {
        assert_eq!(thousands(1 << 20), "1,048,576");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
        assert_eq!(time(Duration::from_micros(1500)), "1.50");
        assert_eq!(time(Duration::from_millis(250)), "250.00");
    }

    #[test]
    fn unknown_examples_are_usage_errors_naming_the_real_ones() {
        let e = chosen(&["histogramm".into()]).err().unwrap();
        assert_eq!(e.class, ErrorClass::Usage);
        assert!(e.message.contains("histogram, dot"), "{}", e.message);
        assert_eq!(chosen(&[]).unwrap().len(), catalog::EXAMPLES.len());
    }
}
