//! `grafos build`: compile a crate's tasklets for wasm32 and check the module.

use std::path::{Path, PathBuf};

use clap::Args;
use grafos_build::{BuildError, BuildOptions, WASM_TARGET, build, scan};
use grafos_runtime::{Runtime, RuntimeConfig};

use super::{CliError, ErrorClass, load_module, print_line};

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// The crate's Cargo.toml. Default: the one cargo finds from here.
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// The package to build, in a workspace.
    #[arg(long, short, value_name = "PACKAGE")]
    package: Option<String>,
}

pub(crate) fn run(args: BuildArgs) -> Result<(), CliError> {
    let what = args
        .package
        .clone()
        .or_else(|| args.manifest_path.as_ref().map(|p| p.display().to_string()))
        .unwrap_or_else(|| "the current crate".into());
    eprintln!("grafos: building {what} for {WASM_TARGET} (release, overflow checks on)");
    let options = BuildOptions {
        manifest_path: args.manifest_path,
        package: args.package,
        target_dir: None,
        // cargo draws its own progress bar and diagnostics on our stderr.
        show_progress: true,
        ..BuildOptions::default()
    };
    let built = build(&options).map_err(|e| match e {
        BuildError::Spawn { .. }
        | BuildError::Metadata(_)
        | BuildError::ManifestNotFound { .. } => CliError::new(ErrorClass::Io, e.to_string()),
        e => CliError::new(ErrorClass::Build, e.to_string()),
    })?;
    let runtime = Runtime::new(RuntimeConfig {
        threads: 1,
        ..RuntimeConfig::default()
    });
    let module = load_module(&runtime, &built.module)?;
    let names: Vec<&str> = module.tasklets().iter().map(|t| &*t.name).collect();
    eprintln!(
        "grafos: built {} ({} bytes) with {} tasklet(s): {}",
        built.module.display(),
        module.size_bytes(),
        names.len(),
        names.join(", ")
    );
    warn_about_unsupported_calls(&built.module);
    // The path alone on stdout, for scripts: `grafos run "$(grafos build)"`.
    print_line(built.module.display())?;
    Ok(())
}

/// Prints a warning for each call the module's tasklets reach that cannot
/// work on wasm32-unknown-unknown ([`grafos_build::scan`]): code outside a
/// tasklet's module, which the macro's lint does not see. Warnings only:
/// the module is built, and the exit code stays 0.
fn warn_about_unsupported_calls(module: &Path) {
    let scanned = std::fs::read(module)
        .map_err(|e| e.to_string())
        .and_then(|wasm| scan::scan(&wasm).map_err(|e| e.to_string()));
    match scanned {
        Ok(findings) => {
            for finding in findings {
                eprintln!("grafos: warning: {finding}");
            }
        }
        Err(e) => eprintln!(
            "grafos: warning: could not scan the module for calls {WASM_TARGET} cannot serve: {e}"
        ),
    }
}
