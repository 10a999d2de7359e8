//! What `#[grafos::tasklet]` generates for wasm32: builds this crate's
//! library (`src/lib.rs`) for `wasm32-unknown-unknown` and checks that each
//! tasklet's entry is exported with the ABI's signature and that the
//! `grafos_worker_v0.tasklets` custom section decodes to the tasklets'
//! `INFO`, as evaluated for wasm32.
//!
//! The build goes to its own target directory, so it never waits for the
//! `cargo test` that runs it. A first run compiles the SDK for wasm32 (under
//! ten seconds on two cores); later runs take about a second.

use std::path::{Path, PathBuf};
use std::process::Command;

use grafos::abi::{self, ValType};

#[test]
fn tasklets_are_exported_and_recorded_for_wasm32() {
    let module = Module::parse(&build_wasm()).unwrap_or_else(|e| panic!("{e}"));

    for name in ["sum", "reverse_v2"] {
        let export = abi::tasklet_export(name);
        let signature = module
            .exported_function(&export)
            .unwrap_or_else(|| panic!("no function export `{export}`"));
        assert_eq!(signature, (vec![], vec![ValType::I32]), "{export}");
    }
    for export in [abi::export::RUN_LANE, abi::export::ALLOC] {
        assert!(module.exported_function(export).is_some(), "{export}");
    }

    let records = abi::decode_records(&module.custom_section(abi::TASKLETS_SECTION))
        .unwrap_or_else(|e| panic!("the tasklets section does not decode: {e}"));
    let record = |name: &str| {
        records
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no record for `{name}` in {records:#?}"))
    };
    assert_eq!(records.len(), 2, "{records:#?}");

    // The same fields as the host's INFO, but sizes as wasm32 has them: the
    // scratch type of `sum` holds a `usize`, 8 bytes here and 4 there.
    let host = &grafos_ui_tests::sum::INFO;
    let wasm = record("sum");
    assert_eq!(host.scratch_bytes, 8);
    assert_eq!(wasm.scratch_bytes, 4);
    assert_eq!(
        (&wasm.name, wasm.workers, wasm.shared_bytes, wasm.fuel),
        (&host.name, host.workers, host.shared_bytes, host.fuel)
    );
    assert_eq!(wasm.worker_names, host.worker_names);

    // Every size given explicitly: identical on both targets.
    assert_eq!(record("reverse_v2"), &grafos_ui_tests::reverse::INFO);
}

/// Builds `src/lib.rs` as a wasm32 cdylib and returns the module's bytes.
fn build_wasm() -> Vec<u8> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target_dir = workspace.join("target/grafos-ui-wasm");
    let build = Command::new(env!("CARGO"))
        .current_dir(&workspace)
        .args(["build", "--release", "--lib", "-p", "grafos-ui-tests"])
        .args(["--target", "wasm32-unknown-unknown", "--target-dir"])
        .arg(&target_dir)
        .output()
        .expect("cargo runs");
    assert!(
        build.status.success(),
        "building the wasm32 library failed:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let wasm: PathBuf = target_dir.join("wasm32-unknown-unknown/release/grafos_ui_tests.wasm");
    std::fs::read(&wasm).unwrap_or_else(|e| panic!("{}: {e}", wasm.display()))
}

/// The parts of a wasm module this test reads: just enough of the binary
/// format (<https://webassembly.github.io/spec/core/binary/modules.html>).
struct Module {
    /// Parameter and result types of each function type.
    types: Vec<(Vec<ValType>, Vec<ValType>)>,
    /// The type index of every function: imported ones first.
    functions: Vec<u32>,
    /// Exported functions: name and function index.
    exports: Vec<(String, u32)>,
    /// Custom sections: name and contents.
    custom: Vec<(String, Vec<u8>)>,
}

impl Module {
    fn parse(bytes: &[u8]) -> Result<Module, String> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(8)? != b"\0asm\x01\0\0\0" {
            return Err("not a wasm module (version 1)".into());
        }
        let mut module = Module {
            types: Vec::new(),
            functions: Vec::new(),
            exports: Vec::new(),
            custom: Vec::new(),
        };
        while !r.is_empty() {
            let id = r.byte()?;
            let len = r.leb()? as usize;
            let mut s = Reader {
                bytes: r.take(len)?,
                at: 0,
            };
            match id {
                0 => {
                    let name = s.name()?;
                    module.custom.push((name, s.bytes[s.at..].to_vec()));
                }
                1 => module.types = s.vec(Reader::func_type)?,
                2 => {
                    for _ in 0..s.leb()? {
                        s.name()?;
                        s.name()?;
                        match s.byte()? {
                            0x00 => module.functions.push(s.leb()?),
                            0x01 => {
                                s.byte()?;
                                s.limits()?;
                            }
                            0x02 => s.limits()?,
                            0x03 => {
                                s.byte()?;
                                s.byte()?;
                            }
                            kind => return Err(format!("import kind {kind:#x}")),
                        }
                    }
                }
                3 => module.functions.extend(s.vec(Reader::leb)?),
                7 => {
                    for _ in 0..s.leb()? {
                        let name = s.name()?;
                        let kind = s.byte()?;
                        let index = s.leb()?;
                        if kind == 0x00 {
                            module.exports.push((name, index));
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(module)
    }

    /// The signature of the function exported as `name`.
    fn exported_function(&self, name: &str) -> Option<(Vec<ValType>, Vec<ValType>)> {
        let (_, index) = self.exports.iter().find(|(n, _)| n == name)?;
        let ty = self.functions.get(*index as usize)?;
        self.types.get(*ty as usize).cloned()
    }

    /// The contents of every custom section called `name`, concatenated.
    fn custom_section(&self, name: &str) -> Vec<u8> {
        self.custom
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, bytes)| bytes.iter().copied())
            .collect()
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn is_empty(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("truncated at byte {}", self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn leb(&mut self) -> Result<u32, String> {
        let mut value = 0u32;
        for shift in (0..35).step_by(7) {
            let byte = self.byte()?;
            value |= u32::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("LEB128 longer than 5 bytes".into())
    }

    fn name(&mut self) -> Result<String, String> {
        let len = self.leb()? as usize;
        String::from_utf8(self.take(len)?.to_vec()).map_err(|e| e.to_string())
    }

    fn vec<T>(&mut self, item: fn(&mut Self) -> Result<T, String>) -> Result<Vec<T>, String> {
        (0..self.leb()?).map(|_| item(self)).collect()
    }

    fn limits(&mut self) -> Result<(), String> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 == 1 {
            self.leb()?;
        }
        Ok(())
    }

    fn func_type(&mut self) -> Result<(Vec<ValType>, Vec<ValType>), String> {
        if self.byte()? != 0x60 {
            return Err("expected a function type".into());
        }
        let params = self.vec(Reader::val_type)?;
        let results = self.vec(Reader::val_type)?;
        Ok((params, results))
    }

    fn val_type(&mut self) -> Result<ValType, String> {
        match self.byte()? {
            0x7f => Ok(ValType::I32),
            0x7e => Ok(ValType::I64),
            other => Err(format!(
                "value type {other:#x} is not in ABI grafos_worker_v0"
            )),
        }
    }
}
