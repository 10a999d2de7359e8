//! Checking a module against ABI `grafos_worker_v0` before compiling it.
//!
//! One pass of wasmparser over the module collects what the ABI constrains:
//! imports, exports and their signatures, the globals (for the stack
//! pointer), a start function, and the tasklet records. Everything else
//! (function bodies, validity) is left to the rewrite and to wasmi's
//! validator.

use std::collections::HashSet;

use grafos_abi::MAX_LANES;
use grafos_abi::TaskletInfo;
use grafos_abi::{self as abi, Signature, ValType, export};
use wasmparser::{ExternalKind, Parser, Payload, TypeRef};

use crate::error::{LoadError, signature_string};

/// The export the runtime adds to every module it loads: the lowest address
/// the running lane's stack pointer may reach (see [`crate::rewrite`]).
pub(crate) const STACK_LIMIT_EXPORT: &str = "grafos_v0_stack_limit";

/// What loading found out about a module.
#[derive(Debug, Clone)]
pub(crate) struct ModuleFacts {
    pub(crate) tasklets: Vec<TaskletInfo>,
    /// ABI imports the module uses, in its order.
    pub(crate) imports: Vec<String>,
    /// Index of the shadow-stack pointer global.
    pub(crate) stack_pointer: u32,
    /// Whether the module exports the stack pointer itself.
    pub(crate) exports_stack_pointer: bool,
    /// Globals the module defines (none are imported).
    pub(crate) globals: u32,
}

/// A parser's or validator's complaint, on one line.
pub(crate) fn malformed(e: impl std::fmt::Display) -> LoadError {
    LoadError::Malformed {
        message: e
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn val_type(t: wasmparser::ValType) -> Option<ValType> {
    match t {
        wasmparser::ValType::I32 => Some(ValType::I32),
        wasmparser::ValType::I64 => Some(ValType::I64),
        _ => None,
    }
}

/// A wasmparser function type in the ABI's terms, printed for errors.
fn describe(ty: &wasmparser::FuncType) -> String {
    let list = |types: &[wasmparser::ValType]| {
        let names: Vec<String> = types.iter().map(|t| t.to_string()).collect();
        format!("({})", names.join(", "))
    };
    format!("func {} -> {}", list(ty.params()), list(ty.results()))
}

fn matches(ty: &wasmparser::FuncType, sig: &Signature) -> bool {
    let same = |have: &[wasmparser::ValType], want: &[ValType]| {
        have.len() == want.len() && have.iter().zip(want).all(|(h, w)| val_type(*h) == Some(*w))
    };
    same(ty.params(), sig.params) && same(ty.results(), sig.results)
}

/// Parses `wasm` and checks everything the ABI requires of it.
pub(crate) fn inspect(wasm: &[u8]) -> Result<ModuleFacts, LoadError> {
    let mut types: Vec<wasmparser::FuncType> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    let mut imports = Vec::new();
    let mut globals: Vec<wasmparser::GlobalType> = Vec::new();
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();
    let mut records = Vec::new();
    let mut saw_tasklets_section = false;

    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(malformed)? {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    types.push(ty.map_err(malformed)?);
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader {
                    let import = import.map_err(malformed)?;
                    let unknown = || LoadError::UnknownImport {
                        module: import.module.to_owned(),
                        name: import.name.to_owned(),
                    };
                    if import.module != abi::IMPORT_MODULE {
                        return Err(unknown());
                    }
                    let expected = abi::find_import(import.name).ok_or_else(unknown)?;
                    let TypeRef::Func(index) = import.ty else {
                        return Err(LoadError::ImportSignature {
                            name: import.name.to_owned(),
                            expected: signature_string(&expected.signature),
                            found: format!("{:?}", import.ty),
                        });
                    };
                    let ty = types.get(index as usize).ok_or_else(|| {
                        malformed(format!(
                            "import `{}` uses undefined type {index}",
                            import.name
                        ))
                    })?;
                    if !matches(ty, &expected.signature) {
                        return Err(LoadError::ImportSignature {
                            name: import.name.to_owned(),
                            expected: signature_string(&expected.signature),
                            found: describe(ty),
                        });
                    }
                    func_types.push(index);
                    imports.push(import.name.to_owned());
                }
            }
            Payload::FunctionSection(reader) => {
                for index in reader {
                    func_types.push(index.map_err(malformed)?);
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    globals.push(global.map_err(malformed)?.ty);
                }
            }
            Payload::ExportSection(reader) => {
                for e in reader {
                    let e = e.map_err(malformed)?;
                    exports.push((e.name.to_owned(), e.kind, e.index));
                }
            }
            Payload::StartSection { .. } => return Err(LoadError::StartFunction),
            Payload::CustomSection(reader) if reader.name() == abi::TASKLETS_SECTION => {
                saw_tasklets_section = true;
                records.extend(abi::decode_records(reader.data())?);
            }
            _ => {}
        }
    }

    let find = |name: &str| exports.iter().find(|(n, _, _)| n == name);
    let func_export = |name: &str, sig: &Signature| -> Result<(), LoadError> {
        let (_, kind, index) = find(name).ok_or_else(|| LoadError::MissingExport {
            name: name.to_owned(),
        })?;
        let ty = (*kind == ExternalKind::Func)
            .then(|| func_types.get(*index as usize))
            .flatten()
            .and_then(|t| types.get(*t as usize));
        match ty {
            Some(ty) if matches(ty, sig) => Ok(()),
            _ => Err(LoadError::ExportSignature {
                name: name.to_owned(),
                expected: signature_string(sig),
                found: ty.map_or_else(|| format!("{kind:?}").to_lowercase(), describe),
            }),
        }
    };

    func_export(export::RUN_LANE, &export::RUN_LANE_SIGNATURE)?;
    func_export(export::ALLOC, &export::ALLOC_SIGNATURE)?;
    match find(export::MEMORY) {
        Some((_, ExternalKind::Memory, 0)) => {}
        Some((_, kind, _)) => {
            return Err(LoadError::ExportSignature {
                name: export::MEMORY.to_owned(),
                expected: "memory 0".to_owned(),
                found: format!("{kind:?}").to_lowercase(),
            });
        }
        None => {
            return Err(LoadError::MissingExport {
                name: export::MEMORY.to_owned(),
            });
        }
    }
    if find(STACK_LIMIT_EXPORT).is_some() {
        return Err(LoadError::ExportSignature {
            name: STACK_LIMIT_EXPORT.to_owned(),
            expected: "absent (the runtime adds this export)".to_owned(),
            found: "present".to_owned(),
        });
    }

    // wasm-ld always makes global 0 the stack pointer; a module that exports
    // `__stack_pointer` names it itself.
    let exports_stack_pointer = find(export::STACK_POINTER).is_some();
    let stack_pointer = match find(export::STACK_POINTER) {
        Some((_, ExternalKind::Global, index)) => *index,
        Some((_, kind, _)) => {
            return Err(LoadError::StackPointer {
                reason: format!("`__stack_pointer` is exported as a {kind:?}, not a global"),
            });
        }
        None => 0,
    };
    match globals.get(stack_pointer as usize) {
        Some(g) if g.content_type == wasmparser::ValType::I32 && g.mutable && !g.shared => {}
        Some(g) => {
            return Err(LoadError::StackPointer {
                reason: format!(
                    "global {stack_pointer} is {}{}, not a mutable i32",
                    if g.mutable { "mutable " } else { "immutable " },
                    g.content_type
                ),
            });
        }
        None => {
            return Err(LoadError::StackPointer {
                reason: format!("the module defines no global {stack_pointer}"),
            });
        }
    }

    if !saw_tasklets_section || records.is_empty() {
        return Err(LoadError::MissingTasklets);
    }
    let mut names = HashSet::new();
    for info in &records {
        let invalid = |reason: String| LoadError::InvalidRecord {
            tasklet: info.name.to_string(),
            reason,
        };
        if info.name.is_empty() {
            return Err(invalid("the tasklet name is empty".into()));
        }
        if !names.insert(info.name.clone()) {
            return Err(invalid("two records have this name".into()));
        }
        if !(2..=MAX_LANES as u32).contains(&info.workers) {
            return Err(invalid(format!(
                "workers is {} but must be 2 to {MAX_LANES}",
                info.workers
            )));
        }
        if info.fuel == 0 {
            return Err(invalid("the default fuel is 0".into()));
        }
        func_export(&abi::tasklet_export(&info.name), &export::TASKLET_SIGNATURE)?;
    }

    Ok(ModuleFacts {
        tasklets: records,
        imports,
        stack_pointer,
        exports_stack_pointer,
        globals: globals.len() as u32,
    })
}
