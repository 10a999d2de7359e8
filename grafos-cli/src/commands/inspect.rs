//! `grafos inspect MODULE.wasm`: what a module holds.

use std::path::PathBuf;

use clap::Args;
use grafos_runtime::{Runtime, RuntimeConfig, TaskletModule};

use super::{CliError, ErrorClass, load_module, print_line};

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The module, e.g. target/grafos-wasm/wasm32-unknown-unknown/release/NAME.wasm.
    module: PathBuf,
    /// Print a JSON document instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: InspectArgs) -> Result<(), CliError> {
    let runtime = Runtime::new(RuntimeConfig {
        threads: 1,
        ..RuntimeConfig::default()
    });
    let module = load_module(&runtime, &args.module)?;
    let text = if args.json {
        json(&args, &module)
    } else {
        text(&args, &module)
    };
    print_line(text)
}

fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} B"),
    }
}

fn text(args: &InspectArgs, module: &TaskletModule) -> String {
    let mut out = format!(
        "{} ({} bytes, ABI grafos_worker_v0 version {})\n",
        args.module.display(),
        module.size_bytes(),
        grafos_abi::ABI_VERSION
    );
    out += &format!("imports: {}\n", module.imports().join(", "));
    out += &format!("{} tasklet(s):\n", module.tasklets().len());
    for t in module.tasklets() {
        out += &format!(
            "  {}\n    lanes    {} (coordinator + {} data lane{})\n    shared   {}\n    scratch  {} per lane\n    fuel     {}\n",
            t.name,
            t.workers,
            t.data_workers(),
            if t.data_workers() == 1 { "" } else { "s" },
            shared(t),
            bytes(t.scratch_bytes),
            t.fuel
        );
        if !t.worker_names.is_empty() {
            let names: Vec<&str> = t.worker_names.iter().map(|n| &**n).collect();
            out += &format!("    workers  {}\n", names.join(", "));
        }
    }
    out += "sizes: the shared and scratch types' inline bytes; data they keep on the heap \
            (in a Vec or Box, allocated in the guest's memory) is not counted";
    out
}

/// The shared size, and whether the type also keeps data on the heap.
fn shared(t: &grafos_abi::TaskletInfo) -> String {
    match t.shared_owns_data {
        true => format!(
            "{} + data on the heap (the shared type owns a Vec, Box or the like)",
            bytes(t.shared_bytes)
        ),
        false => bytes(t.shared_bytes),
    }
}

fn json(args: &InspectArgs, module: &TaskletModule) -> String {
    let tasklets: Vec<serde_json::Value> = module
        .tasklets()
        .iter()
        .map(|t| {
            serde_json::json!({
                "name": t.name,
                "workers": t.workers,
                "data_workers": t.data_workers(),
                "shared_bytes": t.shared_bytes,
                "shared_owns_data": t.shared_owns_data,
                "scratch_bytes": t.scratch_bytes,
                "fuel": t.fuel,
                "worker_names": t.worker_names,
            })
        })
        .collect();
    serde_json::json!({
        "module": args.module.display().to_string(),
        "bytes": module.size_bytes(),
        "abi_version": grafos_abi::ABI_VERSION,
        "imports": module.imports(),
        "tasklets": tasklets,
    })
    .to_string()
}

/// Picks the tasklet to run: the named one, or the only one.
pub(crate) fn choose<'m>(
    module: &'m TaskletModule,
    name: Option<&str>,
) -> Result<&'m grafos_runtime::TaskletInfo, CliError> {
    let names = || {
        module
            .tasklets()
            .iter()
            .map(|t| &*t.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(name) => module.tasklet(name).ok_or_else(|| {
            CliError::new(
                ErrorClass::Usage,
                format!("the module has no tasklet `{name}` (it has: {})", names()),
            )
        }),
        None => match module.tasklets() {
            [only] => Ok(only),
            _ => Err(CliError::new(
                ErrorClass::Usage,
                format!(
                    "the module has {} tasklets; name one: {}",
                    module.tasklets().len(),
                    names()
                ),
            )),
        },
    }
}
