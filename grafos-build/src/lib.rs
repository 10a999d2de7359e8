//! Compiling a crate's tasklets to a wasm module the runtime loads.
//!
//! [`build`] runs
//!
//! ```text
//! CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true \
//! cargo rustc --release --lib --crate-type cdylib \
//!     --target wasm32-unknown-unknown --target-dir <workspace target>/grafos-wasm \
//!     -- -C link-arg=--export=__stack_pointer
//! ```
//!
//! - **Overflow checks are on** ([`BuildProfile::Deploy`]): `cargo test`
//!   builds with them (the dev profile), so an integer overflow that panics
//!   in a test must panic in production too, not wrap silently into other
//!   bytes. They cost a compare and a branch per checked operation. Debug
//!   assertions stay off, as in any release build; `#[grafos::tasklet]`
//!   flags `debug_assert!` and `cfg!(debug_assertions)` for that reason.
//! - [`BuildProfile::SameAsTests`] is the build of a tasklet's generated
//!   cross-target test: the test's own profile (dev, or release under
//!   `cargo test --release`, so the same overflow checks and debug
//!   assertions as the test binary), optimised, in the test's own target
//!   directory, where the macro crate and every other host artifact are
//!   built already: a few seconds the first time, well under one after.
//!
//! - `cargo rustc` passes the link argument to the final crate only, so the
//!   dependencies' artifacts stay shared with any other wasm32 build, and the
//!   user writes nothing: no `build.rs` of a dependency could add a link
//!   argument to the user's cdylib, and `--crate-type cdylib` means the
//!   crate need not declare one. (The runtime also exports global 0 itself
//!   when a module lacks `__stack_pointer`, so a module built another way
//!   still loads.)
//! - Its own target directory, `target/grafos-wasm`, means it never waits
//!   for the lock of a `cargo build` or `cargo test` running in the same
//!   workspace, nor invalidates that build's artifacts.
//!
//! # Scanning the module
//!
//! [`scan::scan`] reads a built module and reports each call a tasklet
//! reaches, outside its own module, to a std function that cannot work on
//! wasm32-unknown-unknown (the clock, threads, files, the network, the
//! environment, processes, `Condvar`/`Barrier` waits, stdin), naming the
//! function that makes it. `grafos build` prints these as warnings, and the
//! cross-target test fails with them before it runs anything. It follows
//! direct calls only and sees what the optimiser left: see [`scan`] for
//! its limits.
//!
//! ```no_run
//! use grafos_build::{BuildOptions, build};
//! let built = build(&BuildOptions {
//!     manifest_path: Some("examples/Cargo.toml".into()),
//!     ..BuildOptions::default()
//! })?;
//! println!("{}", built.module.display());
//! # Ok::<(), grafos_build::BuildError>(())
//! ```

pub mod scan;

use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// The target tasklets are compiled for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The directory under the workspace's target directory that wasm builds use.
pub const TARGET_SUBDIR: &str = "grafos-wasm";

/// What to build, and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The crate's `Cargo.toml`. Default: the one cargo finds from the
    /// current directory.
    pub manifest_path: Option<PathBuf>,
    /// The package to build, when the manifest is a workspace's.
    pub package: Option<String>,
    /// Where to build. Default: `<workspace target dir>/grafos-wasm`.
    pub target_dir: Option<PathBuf>,
    /// Show cargo's progress and diagnostics on this process's stderr (as
    /// `grafos build` does); else they are captured, and the end of them is
    /// part of a [`BuildError::Cargo`].
    pub show_progress: bool,
    /// Which cargo profile, and with which checks.
    pub profile: BuildProfile,
}

/// The cargo profile a build uses; see the crate docs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BuildProfile {
    /// `grafos build`: release, with overflow checks on.
    #[default]
    Deploy,
    /// The build a test compares with: the profile the test binary was
    /// built with (`release` under `cargo test --release`, else `dev`),
    /// its overflow checks and debug assertions unchanged, at opt-level 3.
    /// Without a `target_dir`, it builds in the test's target directory.
    SameAsTests {
        /// Whether the test binary is a release build.
        release: bool,
    },
}

impl BuildProfile {
    /// Cargo's profile name.
    fn cargo_profile(self) -> &'static str {
        match self {
            BuildProfile::Deploy | BuildProfile::SameAsTests { release: true } => "release",
            BuildProfile::SameAsTests { release: false } => "dev",
        }
    }

    /// The profile settings this build overrides, as cargo's environment
    /// variables.
    fn overrides(self) -> &'static [(&'static str, &'static str)] {
        match self {
            BuildProfile::Deploy => &[("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "true")],
            BuildProfile::SameAsTests { release: true } => &[],
            BuildProfile::SameAsTests { release: false } => &[("CARGO_PROFILE_DEV_OPT_LEVEL", "3")],
        }
    }
}

/// A finished build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOutput {
    /// The wasm module.
    pub module: PathBuf,
    /// The target directory the build used.
    pub target_dir: PathBuf,
}

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The toolchain cannot compile for wasm32.
    #[error(
        "the {WASM_TARGET} target is not installed for this toolchain: run `rustup target add {WASM_TARGET}`"
    )]
    MissingTarget,
    /// The manifest to build does not exist.
    #[error("no manifest at {}", path.display())]
    ManifestNotFound {
        /// The path given.
        path: PathBuf,
    },
    /// A program could not be started.
    #[error("could not run `{program}`: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: io::Error,
    },
    /// `cargo metadata` gave no target directory.
    #[error("`cargo metadata` failed: {0}")]
    Metadata(String),
    /// The compilation failed.
    #[error("cargo failed ({status}){}", if stderr.is_empty() { String::new() } else { format!(":\n{stderr}") })]
    Cargo {
        /// Cargo's exit status.
        status: ExitStatus,
        /// The end of cargo's diagnostics, when they were captured.
        stderr: String,
    },
    /// Cargo succeeded but reported no `.wasm` artifact.
    #[error("the build produced no .wasm module (is the package a library?)")]
    NoModule,
}

/// The programs a build runs: `$CARGO` and `$RUSTC` when set (as inside
/// cargo), else `cargo` and `rustc` from `PATH`.
#[derive(Debug, Clone)]
struct Toolchain {
    cargo: String,
    rustc: String,
}

impl Toolchain {
    fn from_env() -> Self {
        let program =
            |env: &str, default: &str| std::env::var(env).unwrap_or_else(|_| default.to_owned());
        Self {
            cargo: program("CARGO", "cargo"),
            rustc: program("RUSTC", "rustc"),
        }
    }
}

fn spawn_error(program: &str) -> impl FnOnce(io::Error) -> BuildError + '_ {
    move |source| BuildError::Spawn {
        program: program.to_owned(),
        source,
    }
}

/// The directory cargo runs in: the manifest's, so its `rust-toolchain.toml`
/// picks the toolchain.
fn work_dir(options: &BuildOptions) -> Option<&Path> {
    options
        .manifest_path
        .as_deref()
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
}

/// Whether the toolchain that builds in `dir` has the wasm32 standard library.
pub fn wasm_target_installed(dir: Option<&Path>) -> Result<bool, BuildError> {
    Toolchain::from_env().wasm_target_installed(dir)
}

impl Toolchain {
    fn wasm_target_installed(&self, dir: Option<&Path>) -> Result<bool, BuildError> {
        let rustc = &self.rustc;
        let mut command = Command::new(rustc);
        command.args(["--print", "sysroot"]);
        if let Some(dir) = dir {
            command.current_dir(dir);
        }
        let out = command.output().map_err(spawn_error(rustc))?;
        let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let lib = Path::new(&sysroot)
            .join("lib/rustlib")
            .join(WASM_TARGET)
            .join("lib");
        Ok(out.status.success() && lib.is_dir())
    }

    fn default_target_dir(&self, options: &BuildOptions) -> Result<PathBuf, BuildError> {
        Ok(self.workspace_target_dir(options)?.join(TARGET_SUBDIR))
    }

    fn workspace_target_dir(&self, options: &BuildOptions) -> Result<PathBuf, BuildError> {
        let cargo = &self.cargo;
        let mut command = Command::new(cargo);
        command.args(["metadata", "--format-version", "1", "--no-deps"]);
        if let Some(path) = &options.manifest_path {
            command.arg("--manifest-path").arg(path);
        }
        let out = command
            .stderr(Stdio::piped())
            .output()
            .map_err(spawn_error(cargo))?;
        if !out.status.success() {
            return Err(BuildError::Metadata(
                String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            ));
        }
        let metadata: serde_json::Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| BuildError::Metadata(format!("unreadable output: {e}")))?;
        let dir = metadata["target_directory"]
            .as_str()
            .ok_or_else(|| BuildError::Metadata("no `target_directory` in its output".into()))?;
        Ok(PathBuf::from(dir))
    }

    fn build(&self, options: &BuildOptions) -> Result<BuildOutput, BuildError> {
        if let Some(path) = &options.manifest_path
            && !path.is_file()
        {
            return Err(BuildError::ManifestNotFound { path: path.clone() });
        }
        if !self.wasm_target_installed(work_dir(options))? {
            return Err(BuildError::MissingTarget);
        }
        let target_dir = match (&options.target_dir, options.profile) {
            (Some(dir), _) => dir.clone(),
            (None, BuildProfile::SameAsTests { .. }) => match test_target_dir() {
                Some(dir) => dir,
                None => self.workspace_target_dir(options)?,
            },
            (None, BuildProfile::Deploy) => self.default_target_dir(options)?,
        };
        let cargo = &self.cargo;
        let mut command = Command::new(cargo);
        command.args([
            "rustc",
            "--profile",
            options.profile.cargo_profile(),
            "--lib",
            "--crate-type",
            "cdylib",
            "--target",
            WASM_TARGET,
            "--message-format",
            "json-render-diagnostics",
        ]);
        command.arg("--target-dir").arg(&target_dir);
        if let Some(path) = &options.manifest_path {
            command.arg("--manifest-path").arg(path);
        }
        if let Some(package) = &options.package {
            command.args(["--package", package]);
        }
        command.args(["--", "-C", "link-arg=--export=__stack_pointer"]);
        command.envs(options.profile.overrides().iter().copied());
        command.stdout(Stdio::piped());
        command.stderr(if options.show_progress {
            Stdio::inherit()
        } else {
            Stdio::piped()
        });
        let mut child = command.spawn().map_err(spawn_error(cargo))?;

        // Drain stderr on a thread so a chatty build cannot block on a full pipe.
        let stderr = child.stderr.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = pipe.read_to_string(&mut text);
                text
            })
        });
        let mut module = None;
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(path) = wasm_artifact(&line) {
                    module = Some(path);
                }
            }
        }
        let status = child.wait().map_err(spawn_error(cargo))?;
        let stderr = stderr
            .and_then(|t| t.join().ok())
            .map(|text| tail(&text, 40))
            .unwrap_or_default();
        if !status.success() {
            return Err(BuildError::Cargo { status, stderr });
        }
        let module = module.ok_or(BuildError::NoModule)?;
        Ok(BuildOutput { module, target_dir })
    }
}

/// `<workspace target dir>/grafos-wasm` for the manifest in `options`.
pub fn default_target_dir(options: &BuildOptions) -> Result<PathBuf, BuildError> {
    Toolchain::from_env().default_target_dir(options)
}

/// Compiles the crate in `options` for wasm32; see the module docs.
pub fn build(options: &BuildOptions) -> Result<BuildOutput, BuildError> {
    Toolchain::from_env().build(options)
}

/// The target directory of the running test binary: the closest ancestor
/// of the executable that holds cargo's `CACHEDIR.TAG`
/// (`<target>/debug/deps/name-hash`, or `<target>/<triple>/debug/deps/..`).
fn test_target_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    exe.ancestors()
        .skip(1)
        .take(4)
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
}

/// The `.wasm` file of a `compiler-artifact` message of cargo, if any.
fn wasm_artifact(line: &str) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-artifact" {
        return None;
    }
    message["filenames"]
        .as_array()?
        .iter()
        .filter_map(|f| f.as_str())
        .find(|f| f.ends_with(".wasm"))
        .map(PathBuf::from)
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_wasm_file_of_an_artifact_message() {
        let line = r#"{"reason":"compiler-artifact","target":{"kind":["cdylib"]},"filenames":["/t/release/x.d","/t/release/x.wasm"]}"#;
        assert_eq!(
            wasm_artifact(line),
            Some(PathBuf::from("/t/release/x.wasm"))
        );
        assert_eq!(
            wasm_artifact(r#"{"reason":"build-finished","success":true}"#),
            None
        );
        assert_eq!(wasm_artifact("not json"), None);
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }

    /// Held by every test here that writes a script or starts a program.
    ///
    /// A script is open for writing while another test forks; until that
    /// child execs, executing the script fails with ETXTBSY ("text file
    /// busy"). One test at a time removes the window.
    fn processes() -> std::sync::MutexGuard<'static, ()> {
        static PROCESSES: std::sync::Mutex<()> = std::sync::Mutex::new(());
        PROCESSES
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A directory of fake `cargo`/`rustc` scripts for one test.
    fn fake_toolchain(test: &str, cargo: &str, rustc: &str) -> Toolchain {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("grafos-build-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = |name: &str, body: &str| {
            let path = dir.join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            path.to_string_lossy().into_owned()
        };
        Toolchain {
            cargo: script("cargo", cargo),
            rustc: script("rustc", rustc),
        }
    }

    fn options() -> BuildOptions {
        BuildOptions {
            target_dir: Some(std::env::temp_dir()),
            ..BuildOptions::default()
        }
    }

    #[test]
    fn a_toolchain_without_the_wasm_target_is_reported() {
        let _serial = processes();
        let tools = fake_toolchain("missing", "exit 0", "echo /nonexistent-sysroot");
        assert!(matches!(
            tools.build(&options()),
            Err(BuildError::MissingTarget)
        ));
    }

    #[test]
    fn a_program_that_cannot_start_is_reported() {
        let _serial = processes();
        let tools = Toolchain {
            cargo: "cargo".into(),
            rustc: "/nonexistent/rustc".into(),
        };
        let err = tools.build(&options()).unwrap_err();
        assert!(
            matches!(&err, BuildError::Spawn { program, .. } if program == "/nonexistent/rustc")
        );
    }

    #[test]
    fn a_failing_cargo_is_reported_with_its_diagnostics() {
        let _serial = processes();
        let sysroot = Toolchain::from_env();
        let real = Command::new(&sysroot.rustc)
            .args(["--print", "sysroot"])
            .output()
            .unwrap();
        let sysroot = String::from_utf8_lossy(&real.stdout).trim().to_owned();
        let tools = fake_toolchain(
            "cargo-fails",
            "echo 'error[E0425]: cannot find value `x`' >&2; exit 101",
            &format!("echo {sysroot}"),
        );
        match tools.build(&options()) {
            Err(BuildError::Cargo { stderr, .. }) => assert!(stderr.contains("E0425"), "{stderr}"),
            other => panic!("expected a cargo failure, got {other:?}"),
        }
        let tools = fake_toolchain("no-artifact", "exit 0", &format!("echo {sysroot}"));
        assert!(matches!(tools.build(&options()), Err(BuildError::NoModule)));
        let tools = fake_toolchain(
            "metadata",
            "echo 'no Cargo.toml' >&2; exit 101",
            &format!("echo {sysroot}"),
        );
        let err = tools
            .default_target_dir(&BuildOptions::default())
            .unwrap_err();
        assert!(
            matches!(&err, BuildError::Metadata(m) if m.contains("no Cargo.toml")),
            "{err}"
        );
    }

    #[test]
    fn a_missing_manifest_is_named_not_blamed_on_rustc() {
        let err = build(&BuildOptions {
            manifest_path: Some("/missing/dir/Cargo.toml".into()),
            ..BuildOptions::default()
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "no manifest at /missing/dir/Cargo.toml");
    }

    #[test]
    fn profiles_name_cargo_profiles_and_their_overrides() {
        assert_eq!(BuildProfile::Deploy.cargo_profile(), "release");
        assert_eq!(
            BuildProfile::Deploy.overrides(),
            &[("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "true")]
        );
        let dev = BuildProfile::SameAsTests { release: false };
        assert_eq!(dev.cargo_profile(), "dev");
        assert_eq!(dev.overrides(), &[("CARGO_PROFILE_DEV_OPT_LEVEL", "3")]);
        let release = BuildProfile::SameAsTests { release: true };
        assert_eq!(release.cargo_profile(), "release");
        assert!(release.overrides().is_empty());
    }

    #[test]
    fn a_test_binary_finds_its_target_directory() {
        let dir = test_target_dir().expect("tests run from a cargo target directory");
        assert!(dir.join("CACHEDIR.TAG").is_file(), "{}", dir.display());
    }

    #[test]
    fn missing_target_error_says_how_to_fix_it() {
        assert!(
            BuildError::MissingTarget
                .to_string()
                .contains("rustup target add wasm32-unknown-unknown")
        );
    }
}
