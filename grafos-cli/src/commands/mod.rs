//! The `grafos` command line: one module per subcommand, a shared error type
//! that carries the exit code of its class.
//!
//! A new subcommand is a variant of [`Command`] and a module with a `run`
//! function returning `Result<(), CliError>`.

mod build;
#[cfg(feature = "demo")]
mod demo;
mod inspect;
mod new;
mod run;
mod timeline;

use std::fmt;
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use grafos_runtime::{LoadError, TaskletError};

/// Build, inspect and run grafos tasklets compiled to wasm32.
#[derive(Debug, Parser)]
#[command(name = "grafos", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a tasklet crate that builds, tests and runs as is.
    New(new::NewArgs),
    /// Compile a crate's tasklets to wasm32 (release) into target/grafos-wasm.
    Build(build::BuildArgs),
    /// Show a module's tasklets, their lanes, sizes and fuel, and its imports.
    Inspect(inspect::InspectArgs),
    /// Run a tasklet of a module in the runtime and print its output.
    Run(run::RunArgs),
    /// Draw a trace (`grafos run --trace`) as an SVG: a row per lane.
    Timeline(timeline::TimelineArgs),
    /// Build the example tasklets, run each on the host mock and in the
    /// runtime, and show whether the outputs are identical.
    #[cfg(feature = "demo")]
    Demo(demo::DemoArgs),
}

/// What kind of failure ended the program; each has its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorClass {
    /// Bad arguments (clap reports its own with the same code).
    Usage = 2,
    /// A file or stream could not be read or written.
    Io = 3,
    /// The module is not a valid tasklet module, or broke the ABI.
    Load = 4,
    /// The tasklet failed.
    Tasklet = 5,
    /// Compiling the crate failed.
    Build = 6,
    /// The host mock and the runtime (or the reference) disagreed.
    #[cfg(feature = "demo")]
    Differs = 7,
    /// Standard output was closed by its reader (`grafos inspect .. | head`):
    /// not an error; the program stops quietly with exit code 0.
    ReaderGone = 0,
}

/// One line for stderr and an exit code.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) class: ErrorClass,
    pub(crate) message: String,
}

impl CliError {
    pub(crate) fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Self {
            class,
            message: message.into(),
        }
    }

    pub(crate) fn io(what: &str, path: &Path, e: &std::io::Error) -> Self {
        Self::new(ErrorClass::Io, format!("{what} {}: {e}", path.display()))
    }

    pub(crate) fn load(path: &Path, e: &LoadError) -> Self {
        Self::new(
            ErrorClass::Load,
            format!("cannot load {}: {e}", path.display()),
        )
    }

    pub(crate) fn tasklet(name: &str, e: &TaskletError) -> Self {
        let class = match e {
            TaskletError::Abi { .. } => ErrorClass::Load,
            _ => ErrorClass::Tasklet,
        };
        Self::new(class, format!("tasklet `{name}` failed: {e}"))
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keep it to one line whatever the message carries.
        let mut lines = self.message.lines();
        f.write_str(lines.next().unwrap_or(""))?;
        for line in lines {
            write!(f, " | {}", line.trim())?;
        }
        Ok(())
    }
}

/// Exit code of an internal error (a bug in grafos itself).
const INTERNAL_ERROR: u8 = 70;

pub(crate) fn main() -> ExitCode {
    // Panics caught on purpose (a host-mock lane's in `grafos demo`, wasmi's
    // compiler's in `load`) are reported by whoever catches them; the one
    // that reaches here is a bug in grafos, reported below as one line and
    // exit code 70. So the hook prints nothing, and never exits: exiting in
    // the hook would stop every `catch_unwind` from recovering.
    std::panic::set_hook(Box::new(|_| {}));
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("unknown panic");
            eprintln!("grafos: internal error: {message}");
            ExitCode::from(INTERNAL_ERROR)
        }
    }
}

fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version: clap's own output, exit 0.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let subcommands: Vec<String> = Cli::command()
                .get_subcommands()
                .map(|c| c.get_name().to_owned())
                .collect();
            eprintln!(
                "grafos: no subcommand given; use one of {} (see grafos --help)",
                subcommands.join(", ")
            );
            return ExitCode::from(ErrorClass::Usage as u8);
        }
        Err(e) => {
            // One line, like every other error: clap's message up to its
            // usage footer, without the "error: " prefix.
            let rendered = e.render().to_string();
            let message: Vec<&str> = rendered
                .lines()
                .take_while(|line| !line.trim().is_empty())
                .map(str::trim)
                .collect();
            let message = message.join(" ");
            eprintln!(
                "grafos: {} (see grafos --help)",
                message.trim_start_matches("error: ")
            );
            return ExitCode::from(ErrorClass::Usage as u8);
        }
    };
    let result = match cli.command {
        Command::New(args) => new::run(args),
        Command::Build(args) => build::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Run(args) => run::run(args),
        Command::Timeline(args) => timeline::run(args),
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::run(args),
    };
    match result {
        Ok(())
        | Err(CliError {
            class: ErrorClass::ReaderGone,
            ..
        }) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("grafos: {e}");
            ExitCode::from(e.class as u8)
        }
    }
}

/// A lane count the ABI allows: a usage error otherwise, like `--fuel 0`.
pub(crate) fn lanes(text: &str) -> Result<u32, String> {
    use grafos_abi::{MAX_LANES, MIN_LANES};
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (MIN_LANES..=MAX_LANES).contains(&(*n as usize)))
        .ok_or_else(|| {
            format!("`{text}` is not a lane count from {MIN_LANES} to {MAX_LANES} (the coordinator lane included)")
        })
}

/// Writes `bytes` to standard output; a reader that closed it ends the
/// program quietly ([`ErrorClass::ReaderGone`]).
pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => CliError::new(ErrorClass::ReaderGone, ""),
            _ => CliError::io("cannot write", Path::new("standard output"), &e),
        })
}

/// A line of text on standard output, as [`write_stdout`] writes.
pub(crate) fn print_line(text: impl fmt::Display) -> Result<(), CliError> {
    write_stdout(format!("{text}\n").as_bytes())
}

/// `n` with thousands separators: `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Reads and loads a module, with the CLI's errors.
pub(crate) fn load_module(
    runtime: &grafos_runtime::Runtime,
    path: &Path,
) -> Result<grafos_runtime::TaskletModule, CliError> {
    let wasm = std::fs::read(path).map_err(|e| CliError::io("cannot read", path, &e))?;
    runtime.load(&wasm).map_err(|e| CliError::load(path, &e))
}
