//! What `#[grafos::tasklet]` generates for wasm32: builds this crate's
//! library (`src/lib.rs`) for `wasm32-unknown-unknown` and checks that each
//! tasklet's entry is exported with the ABI's signature and that the
//! `grafos_worker_v0.tasklets` custom section decodes to the tasklets'
//! `INFO`, as evaluated for wasm32.
//!
//! The build is `grafos build`'s (`grafos_build::build`), in its own target
//! directory; the module is read with wasmparser.

use std::path::Path;

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

/// Builds `src/lib.rs` for wasm32, as `grafos build` does, and returns the
/// module's bytes.
fn build_wasm() -> Vec<u8> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let built = grafos_build::build(&grafos_build::BuildOptions {
        manifest_path: Some(manifest),
        ..grafos_build::BuildOptions::default()
    })
    .unwrap_or_else(|e| panic!("building the wasm32 library failed: {e}"));
    std::fs::read(&built.module).unwrap_or_else(|e| panic!("{}: {e}", built.module.display()))
}

/// The parts of a wasm module this test reads, through wasmparser.
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
    fn parse(bytes: &[u8]) -> Result<Module, wasmparser::BinaryReaderError> {
        use wasmparser::{ExternalKind, Payload, TypeRef};
        let val = |t: &wasmparser::ValType| match t {
            wasmparser::ValType::I32 => ValType::I32,
            _ => ValType::I64,
        };
        let mut module = Module {
            types: Vec::new(),
            functions: Vec::new(),
            exports: Vec::new(),
            custom: Vec::new(),
        };
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            match payload? {
                Payload::TypeSection(types) => {
                    for ty in types.into_iter_err_on_gc_types() {
                        let ty = ty?;
                        module.types.push((
                            ty.params().iter().map(val).collect(),
                            ty.results().iter().map(val).collect(),
                        ));
                    }
                }
                Payload::ImportSection(imports) => {
                    for import in imports {
                        if let TypeRef::Func(ty) = import?.ty {
                            module.functions.push(ty);
                        }
                    }
                }
                Payload::FunctionSection(functions) => {
                    for ty in functions {
                        module.functions.push(ty?);
                    }
                }
                Payload::ExportSection(exports) => {
                    for export in exports {
                        let export = export?;
                        if export.kind == ExternalKind::Func {
                            module.exports.push((export.name.to_owned(), export.index));
                        }
                    }
                }
                Payload::CustomSection(section) => {
                    module
                        .custom
                        .push((section.name().to_owned(), section.data().to_vec()));
                }
                _ => {}
            }
        }
        Ok(module)
    }

    /// The signature of exported function `name`.
    fn exported_function(&self, name: &str) -> Option<(Vec<ValType>, Vec<ValType>)> {
        let (_, index) = self.exports.iter().find(|(n, _)| n == name)?;
        let ty = *self.functions.get(*index as usize)?;
        self.types.get(ty as usize).cloned()
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
