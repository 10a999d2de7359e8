//! Host ↔ wasm fidelity: one tasklet source, run on the host mock and, built
//! for wasm32, in the runtime, with the two outputs side by side.
//!
//! ```no_run
//! use grafos::fidelity::{self, BuildOptions, Side};
//! // The crate's tasklets, built for wasm32 into target/grafos-wasm and loaded.
//! let wasm = fidelity::build_and_load(&BuildOptions {
//!     manifest_path: Some("examples/Cargo.toml".into()),
//!     ..BuildOptions::default()
//! })?;
//! let input = b"abracadabra";
//! # mod histogram { pub fn run_host(_: &[u8]) -> Result<grafos::cpu::SharedTaskletResult, grafos::cpu::TaskletError> { unimplemented!() } }
//! // `histogram` is a `#[grafos::tasklet]` module of that crate.
//! let run = fidelity::compare(&wasm, "histogram", input, None, histogram::run_host);
//! assert!(run.identical(), "{}", run.describe_difference());
//! println!("host {:?}, wasm {:?}", run.time(Side::Host), run.time(Side::Wasm));
//! # Ok::<(), fidelity::FidelityError>(())
//! ```
//!
//! The build uses [`grafos_build`]: its own target directory, so a test that
//! builds while `cargo test` holds the workspace's lock never waits on it,
//! and a clear error when the wasm32 target is missing.

use std::time::{Duration, Instant};

use grafos_abi::{SharedTaskletResult, TaskletError};

use grafos_build::build;
pub use grafos_build::{BuildError, BuildOptions};
pub use grafos_runtime::TaskletModule;
use grafos_runtime::{LoadError, RunOptions, Runtime, RuntimeConfig};

/// Why a crate could not be prepared for a comparison.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FidelityError {
    /// Building the crate for wasm32 failed (including a missing target:
    /// the message says how to add it).
    #[error("building for wasm32: {0}")]
    Build(#[from] BuildError),
    /// The built module could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The module's path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The runtime refused the built module.
    #[error("loading the built module: {0}")]
    Load(#[from] LoadError),
}

/// Builds a crate for wasm32 as `options` say (release, by default into
/// `<target>/grafos-wasm`) and loads it in a runtime of its own.
pub fn build_and_load(options: &BuildOptions) -> Result<TaskletModule, FidelityError> {
    let built = build(options)?;
    let wasm = std::fs::read(&built.module).map_err(|source| FidelityError::Read {
        path: built.module.display().to_string(),
        source,
    })?;
    let runtime = Runtime::new(RuntimeConfig::default());
    Ok(runtime.load(&wasm)?)
}

/// Which target a figure is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The host mock.
    Host,
    /// The runtime.
    Wasm,
}

/// One input run on both targets.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The tasklet.
    pub tasklet: String,
    /// Bytes of input.
    pub input_len: usize,
    /// Lanes of both launches; `None`: each target's default (the record's).
    pub workers: Option<u32>,
    /// The host mock's result.
    pub host: Result<SharedTaskletResult, TaskletError>,
    /// The runtime's result.
    pub wasm: Result<SharedTaskletResult, TaskletError>,
    host_time: Duration,
    wasm_time: Duration,
}

impl Comparison {
    /// Whether both targets succeeded with the same output bytes, or failed
    /// with the same error (its kind and message: which lane failed first
    /// depends on how the host's threads ran, and the fuel counted differs
    /// by target, see [`TaskletError::kind_and_message`]).
    pub fn identical(&self) -> bool {
        match (&self.host, &self.wasm) {
            (Ok(host), Ok(wasm)) => host.output() == wasm.output(),
            (Err(host), Err(wasm)) => host.kind_and_message() == wasm.kind_and_message(),
            _ => false,
        }
    }

    /// The first byte at which the outputs differ (the shorter length if one
    /// is a prefix of the other); `None` if they are equal or a side failed.
    pub fn first_difference(&self) -> Option<usize> {
        let (Ok(host), Ok(wasm)) = (&self.host, &self.wasm) else {
            return None;
        };
        let (host, wasm) = (host.output(), wasm.output());
        if host == wasm {
            return None;
        }
        Some(
            host.iter()
                .zip(wasm)
                .position(|(a, b)| a != b)
                .unwrap_or(host.len().min(wasm.len())),
        )
    }

    /// A sentence on how the two runs differ, for an assertion message.
    pub fn describe_difference(&self) -> String {
        let what = format!(
            "{} ({} input bytes, {} lanes)",
            self.tasklet,
            self.input_len,
            self.workers.map_or("default".to_owned(), |w| w.to_string())
        );
        match (&self.host, &self.wasm) {
            (Ok(host), Ok(wasm)) => match self.first_difference() {
                None => format!("{what}: identical"),
                Some(at) => format!(
                    "{what}: outputs differ at byte {at} of {} (host) / {} (wasm): host {:?}, wasm {:?}",
                    host.output().len(),
                    wasm.output().len(),
                    host.output().get(at),
                    wasm.output().get(at)
                ),
            },
            (host, wasm) => format!("{what}: host {}, wasm {}", outcome(host), outcome(wasm)),
        }
    }

    /// Wall time of one side's launch.
    pub fn time(&self, side: Side) -> Duration {
        match side {
            Side::Host => self.host_time,
            Side::Wasm => self.wasm_time,
        }
    }

    /// Fuel the runtime's launch used (wasm instructions), if it succeeded.
    pub fn wasm_fuel_used(&self) -> Option<u64> {
        self.wasm.as_ref().ok().map(SharedTaskletResult::fuel_used)
    }
}

fn outcome(result: &Result<SharedTaskletResult, TaskletError>) -> String {
    match result {
        Ok(r) => format!("succeeded with {} bytes", r.output().len()),
        Err(e) => format!("failed: {e}"),
    }
}

/// Runs `tasklet` on `input` in the runtime (`module`) and on the host mock
/// (`host`, which must run the same tasklet on `workers` lanes when given),
/// both on `workers` lanes if given.
pub fn compare(
    module: &TaskletModule,
    tasklet: &str,
    input: &[u8],
    workers: Option<u32>,
    host: impl FnOnce(&[u8]) -> Result<SharedTaskletResult, TaskletError>,
) -> Comparison {
    let started = Instant::now();
    let host_result = host(input);
    let host_time = started.elapsed();
    let options = RunOptions {
        workers,
        ..RunOptions::default()
    };
    let started = Instant::now();
    let wasm_result = module.run(tasklet, input, options);
    let wasm_time = started.elapsed();
    Comparison {
        tasklet: tasklet.to_owned(),
        input_len: input.len(),
        workers,
        host: host_result,
        wasm: wasm_result,
        host_time,
        wasm_time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison(
        host: Result<&[u8], TaskletError>,
        wasm: Result<&[u8], TaskletError>,
    ) -> Comparison {
        let result = |r: Result<&[u8], TaskletError>| {
            r.map(|bytes| SharedTaskletResult::from_parts(bytes.to_vec(), 1, 1, 0))
        };
        Comparison {
            tasklet: "t".into(),
            input_len: 3,
            workers: Some(4),
            host: result(host),
            wasm: result(wasm),
            host_time: Duration::ZERO,
            wasm_time: Duration::ZERO,
        }
    }

    #[test]
    fn identical_outputs_and_identical_errors_are_identical() {
        assert!(comparison(Ok(b"abc"), Ok(b"abc")).identical());
        assert!(comparison(Err(TaskletError::Cancelled), Err(TaskletError::Cancelled)).identical());
        assert!(!comparison(Ok(b"abc"), Err(TaskletError::Cancelled)).identical());
    }

    #[test]
    fn the_first_difference_is_named() {
        let c = comparison(Ok(b"abcd"), Ok(b"abXd"));
        assert_eq!(c.first_difference(), Some(2));
        assert!(
            c.describe_difference().contains("differ at byte 2"),
            "{}",
            c.describe_difference()
        );
        assert_eq!(
            comparison(Ok(b"ab"), Ok(b"abc")).first_difference(),
            Some(2)
        );
        let failed = comparison(Ok(b"ab"), Err(TaskletError::fuel_exhausted()));
        assert_eq!(failed.first_difference(), None);
        assert!(
            failed
                .describe_difference()
                .contains("wasm failed: fuel exhausted")
        );
    }
}
