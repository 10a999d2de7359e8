//! (b, second flavour) wasm-smith's random modules, limited to the
//! `grafos_worker_v0` imports and given the exports the loader requires,
//! with a valid tasklet record appended. wasm-smith's code is mostly not
//! ABI-shaped, so this target reaches less of the scheduler than
//! `abi_calls`; it covers what `abi_calls`' generator never writes: tables,
//! indirect calls, many functions and globals, every numeric instruction.
#![no_main]

use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use arbitrary::{Arbitrary, Unstructured};
use grafos::TaskletInfo;
use grafos::abi::{self, ValType as AbiType};
use grafos_runtime::RunOptions;
use libfuzzer_sys::fuzz_target;
use wasm_encoder::{
    CodeSection, ConstExpr, Encode, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, ImportSection, Instruction, Module, TypeSection,
    ValType,
};

fn val_type(t: AbiType) -> ValType {
    match t {
        AbiType::I32 => ValType::I32,
        AbiType::I64 => ValType::I64,
    }
}

/// A module that imports exactly the ABI: wasm-smith's `available_imports`.
fn abi_imports() -> Vec<u8> {
    let mut types = TypeSection::new();
    let mut imports = ImportSection::new();
    for (index, import) in abi::IMPORTS.iter().enumerate() {
        types.ty().function(
            import.signature.params.iter().map(|t| val_type(*t)),
            import.signature.results.iter().map(|t| val_type(*t)),
        );
        imports.import(
            abi::IMPORT_MODULE,
            import.name,
            EntityType::Function(index as u32),
        );
    }
    let mut module = Module::new();
    module.section(&types).section(&imports);
    module.finish()
}

/// A module with the exports the loader requires: wasm-smith's `exports`
/// (it generates functions and globals of these names and types; it cannot
/// export a memory, so [`export_memory`] adds that export afterwards).
fn abi_exports() -> Vec<u8> {
    let mut types = TypeSection::new();
    types
        .ty()
        .function([ValType::I32, ValType::I32], [ValType::I32]);
    types.ty().function([], [ValType::I32]);
    let mut functions = FunctionSection::new();
    functions.function(0);
    functions.function(0);
    functions.function(1);
    let mut globals = GlobalSection::new();
    globals.global(
        GlobalType {
            val_type: ValType::I32,
            mutable: true,
            shared: false,
        },
        &ConstExpr::i32_const(65536),
    );
    let mut exports = ExportSection::new();
    exports.export(abi::export::ALLOC, ExportKind::Func, 0);
    exports.export(abi::export::RUN_LANE, ExportKind::Func, 1);
    exports.export(&abi::tasklet_export("t"), ExportKind::Func, 2);
    exports.export(abi::export::STACK_POINTER, ExportKind::Global, 0);
    let mut code = CodeSection::new();
    for _ in 0..3 {
        let mut f = Function::new([]);
        f.instruction(&Instruction::I32Const(0))
            .instruction(&Instruction::End);
        code.function(&f);
    }
    let mut module = Module::new();
    module
        .section(&types)
        .section(&functions)
        .section(&globals)
        .section(&exports)
        .section(&code);
    module.finish()
}

/// `wasm` with its memory 0 exported as `memory`: every section copied as it
/// is, the export section re-encoded with one more entry.
fn export_memory(wasm: &[u8]) -> Vec<u8> {
    use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
    let mut module = Module::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.expect("wasm-smith writes valid modules");
        if let wasmparser::Payload::ExportSection(reader) = payload {
            let mut exports = ExportSection::new();
            RoundtripReencoder
                .parse_export_section(&mut exports, reader)
                .expect("wasm-smith writes valid exports");
            exports.export(abi::export::MEMORY, ExportKind::Memory, 0);
            module.section(&exports);
        } else if let Some((id, range)) = payload.as_section() {
            module.section(&wasm_encoder::RawSection {
                id,
                data: &wasm[range],
            });
        }
    }
    module.finish()
}

fn config(u: &mut Unstructured<'_>) -> arbitrary::Result<wasm_smith::Config> {
    static IMPORTS: OnceLock<Vec<u8>> = OnceLock::new();
    static EXPORTS: OnceLock<Vec<u8>> = OnceLock::new();
    let mut config = wasm_smith::Config::arbitrary(u)?;
    config.available_imports = Some(IMPORTS.get_or_init(abi_imports).clone());
    config.exports = Some(EXPORTS.get_or_init(abi_exports).clone());
    // What the runtime's engine accepts (wasmi's `stable` features, wasm32).
    config.allow_start_export = false;
    config.memory64_enabled = false;
    config.threads_enabled = false;
    config.exceptions_enabled = false;
    config.gc_enabled = false;
    config.reference_types_enabled = false;
    config.custom_page_sizes_enabled = false;
    config.wide_arithmetic_enabled = false;
    config.min_memories = 1;
    config.max_memories = 1;
    config.max_memory32_bytes = 1 << 24;
    config.max_tables = config.max_tables.min(4);
    config.max_table_elements = config.max_table_elements.min(1 << 16);
    Ok(config)
}

fuzz_target!(|data: &[u8]| {
    grafos_fuzz::tolerate_wasmi_translator_panics();
    let mut u = Unstructured::new(data);
    let Ok(config) = config(&mut u) else { return };
    let Ok(module) = wasm_smith::Module::new(config, &mut u) else {
        return;
    };
    let workers = u.int_in_range(2..=8u32).unwrap_or(2);
    let mut wasm = export_memory(&module.to_bytes());
    let record = abi::encode_record_vec(&TaskletInfo {
        name: Cow::Borrowed("t"),
        workers,
        shared_bytes: 0,
        scratch_bytes: 0,
        fuel: 10_000,
        worker_names: Cow::Borrowed(&[]),
        shared_owns_data: false,
    });
    // A custom section: id 0, its size, then the name and the records.
    let mut section = Vec::new();
    abi::TASKLETS_SECTION.encode(&mut section);
    section.extend(record);
    wasm.push(0);
    section.len().encode(&mut wasm);
    wasm.extend(section);

    // `GRAFOS_FUZZ_DUMP=FILE`: keep the module a crash came from.
    if let Some(path) = std::env::var_os("GRAFOS_FUZZ_DUMP") {
        let _ = std::fs::write(path, &wasm);
    }
    // wasm-smith may still write what the loader refuses on purpose (a
    // memory beyond the engine's limits, an unusable stack-pointer global);
    // a `LoadError` is a result.
    let Ok(module) = grafos_fuzz::runtime().load(&wasm) else {
        return;
    };
    let _ = grafos_fuzz::run_checked(
        &module,
        "t",
        b"input",
        RunOptions {
            fuel: Some(100_000),
            deadline: Some(Instant::now() + Duration::from_millis(200)),
            max_memory_bytes: Some(32 << 20),
            stack_bytes_per_lane: Some(grafos_runtime::MIN_STACK_BYTES_PER_LANE),
            ..RunOptions::default()
        },
    );
});
