//! Instrumenting a module at load: stack-limit checks and the stack-pointer
//! export.
//!
//! Data lanes run on stacks the runtime carves out of the guest's heap, so a
//! lane whose stack overflows would silently write over heap data, and the
//! launch could return corrupted output as if nothing happened. Checking the
//! stack pointer at lane switches comes too late for that. So, like
//! Binaryen's `StackCheck` pass (which Emscripten uses), every
//! `global.set $__stack_pointer` is followed by a check against a limit
//! global the runtime sets for the running lane:
//!
//! ```text
//! global.set $sp
//! global.get $sp
//! global.get $grafos_v0_stack_limit
//! i32.lt_u
//! if
//!   unreachable
//! end
//! ```
//!
//! The check runs right after a function's prologue moved the stack pointer
//! down and before the function stores anything in its new frame, so an
//! overflow traps before it writes. The runtime recognises the trap by the
//! stack pointer it left below the limit and reports `StackOverflow`. Leaf
//! functions may use up to 128 bytes below the stack pointer without moving
//! it (LLVM's wasm red zone); the limit sits a guard above each stack's
//! bottom to cover that.
//!
//! The limit global is appended after the module's globals and exported as
//! [`STACK_LIMIT_EXPORT`]; its initial value 0 disables the check until the
//! runtime sets it. A module that does not export its stack pointer gets
//! `__stack_pointer` exported for it (wasm-ld always makes global 0 the
//! stack pointer; `load` checked that it is a mutable `i32`).
//!
//! The rewrite splices bytes rather than re-encoding the module: sections
//! other than globals, exports and code are copied as they are, function
//! bodies without a `global.set` of the stack pointer too, and the others
//! get the check's bytes inserted after each such instruction. Loading a
//! module costs little more than wasmi's own compilation of it.

use grafos_abi::export;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, Encode, ExportKind, ExportSection, GlobalSection,
    GlobalType, Instruction, RawSection, ValType,
};
use wasmparser::{FunctionBody, Operator, Parser, Payload};

use crate::error::LoadError;
use crate::load::{ModuleFacts, STACK_LIMIT_EXPORT, malformed};

/// `global.set`'s opcode, for a quick scan of a body's bytes before it is
/// decoded (wasm-encoder writes instructions, it names no opcodes; a test
/// holds this one against its encoding).
const GLOBAL_SET: u8 = 0x24;

/// The inserted check, see the module docs.
fn check_bytes(stack_pointer: u32, limit: u32) -> Vec<u8> {
    let mut check = Vec::new();
    for instruction in [
        Instruction::GlobalGet(stack_pointer),
        Instruction::GlobalGet(limit),
        Instruction::I32LtU,
        Instruction::If(BlockType::Empty),
        Instruction::Unreachable,
        Instruction::End,
    ] {
        instruction.encode(&mut check);
    }
    check
}

/// `body` with `check` after every `global.set $stack_pointer`, or `None`
/// when it has none.
fn instrument_body(
    body: &FunctionBody<'_>,
    stack_pointer: u32,
    check: &[u8],
) -> Result<Option<Vec<u8>>, wasmparser::BinaryReaderError> {
    let bytes = body.as_bytes();
    // Its opcode must occur somewhere (not its index: wasm-ld writes
    // relocated indices as padded 5-byte LEBs); bodies without skip the
    // decoding below.
    if !bytes.contains(&GLOBAL_SET) {
        return Ok(None);
    }
    let base = body.range().start;
    let mut cuts = Vec::new();
    let mut reader = body.get_operators_reader()?;
    while !reader.eof() {
        if let Operator::GlobalSet { global_index } = reader.read()?
            && global_index == stack_pointer
        {
            cuts.push(reader.original_position() - base);
        }
    }
    if cuts.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(bytes.len() + cuts.len() * check.len());
    let mut at = 0;
    for cut in cuts {
        out.extend_from_slice(&bytes[at..cut]);
        out.extend_from_slice(check);
        at = cut;
    }
    out.extend_from_slice(&bytes[at..]);
    Ok(Some(out))
}

/// Returns `wasm` with stack-limit checks and the runtime's exports added.
pub(crate) fn instrument(wasm: &[u8], facts: &ModuleFacts) -> Result<Vec<u8>, LoadError> {
    let stack_pointer = facts.stack_pointer;
    let limit = facts.globals;
    let check = check_bytes(stack_pointer, limit);

    let mut module = wasm_encoder::Module::new();
    let mut code: Option<(CodeSection, u32)> = None;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(malformed)? {
            Payload::GlobalSection(reader) => {
                let mut globals = GlobalSection::new();
                RoundtripReencoder
                    .parse_global_section(&mut globals, reader)
                    .map_err(malformed)?;
                globals.global(
                    GlobalType {
                        val_type: ValType::I32,
                        mutable: true,
                        shared: false,
                    },
                    &ConstExpr::i32_const(0),
                );
                module.section(&globals);
            }
            Payload::ExportSection(reader) => {
                let mut exports = ExportSection::new();
                RoundtripReencoder
                    .parse_export_section(&mut exports, reader)
                    .map_err(malformed)?;
                if !facts.exports_stack_pointer {
                    exports.export(export::STACK_POINTER, ExportKind::Global, stack_pointer);
                }
                exports.export(STACK_LIMIT_EXPORT, ExportKind::Global, limit);
                module.section(&exports);
            }
            Payload::CodeSectionStart { count, .. } => {
                code = Some((CodeSection::new(), count));
                if count == 0 {
                    module.section(&CodeSection::new());
                }
            }
            Payload::CodeSectionEntry(body) => {
                let Some((section, left)) = code.as_mut() else {
                    return Err(malformed("a function body outside the code section"));
                };
                match instrument_body(&body, stack_pointer, &check).map_err(malformed)? {
                    Some(instrumented) => section.raw(&instrumented),
                    None => section.raw(body.as_bytes()),
                };
                *left -= 1;
                if *left == 0
                    && let Some((section, _)) = code.take()
                {
                    module.section(&section);
                }
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    module.section(&RawSection {
                        id,
                        data: &wasm[range],
                    });
                }
            }
        }
    }
    Ok(module.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scanned_opcode_is_global_sets() {
        let mut out = Vec::new();
        Instruction::GlobalSet(624_485).encode(&mut out);
        assert_eq!(out[0], GLOBAL_SET);
    }

    #[test]
    fn the_check_reads_both_globals_and_traps_below_the_limit() {
        assert_eq!(
            check_bytes(0, 300),
            [0x23, 0x00, 0x23, 0xac, 0x02, 0x49, 0x04, 0x40, 0x00, 0x0b]
        );
    }

    /// A module whose `f` writes the stack pointer twice, once with the
    /// padded index encoding wasm-ld writes, and another global once.
    fn module_with_stack_pointer_writes() -> Vec<u8> {
        use wasm_encoder::{
            CodeSection, ExportSection, Function, FunctionSection, GlobalSection, Module,
            TypeSection,
        };
        let mut module = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([ValType::I32], []);
        module.section(&types);
        let mut functions = FunctionSection::new();
        functions.function(0);
        functions.function(0);
        module.section(&functions);
        let mut globals = GlobalSection::new();
        for init in [1024, 0] {
            let ty = GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            };
            globals.global(ty, &ConstExpr::i32_const(init));
        }
        module.section(&globals);
        let mut exports = ExportSection::new();
        exports.export("f", ExportKind::Func, 0);
        module.section(&exports);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        f.raw([0x20, 0x00, 0x24, 0x80, 0x80, 0x80, 0x80, 0x00]); // global.set 0 (padded)
        f.raw([0x20, 0x00, 0x24, 0x01]); // global.set 1
        f.raw([0x41, 0xc0, 0x00, 0x24, 0x00, 0x0b]); // global.set 0; end
        code.function(&f);
        let mut g = Function::new([]);
        g.raw([0x0b]);
        code.function(&g);
        module.section(&code);
        module.finish()
    }

    #[test]
    fn the_check_follows_every_stack_pointer_write() {
        let facts = ModuleFacts {
            tasklets: Vec::new(),
            imports: Vec::new(),
            stack_pointer: 0,
            exports_stack_pointer: false,
            globals: 2,
        };
        let out = instrument(&module_with_stack_pointer_writes(), &facts).unwrap();
        let text = operators(&out);
        assert_eq!(
            text.matches("GlobalGet { global_index: 2 }").count(),
            2,
            "{text}"
        );
        assert_eq!(text.matches("Unreachable").count(), 2, "{text}");
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, &out).unwrap();
        assert!(module.get_export(export::STACK_POINTER).is_some());
        assert!(module.get_export(STACK_LIMIT_EXPORT).is_some());

        // The check traps on a write below the limit, and only then.
        let mut store = wasmi::Store::new(&engine, ());
        let instance = wasmi::Linker::new(&engine)
            .instantiate_and_start(&mut store, &module)
            .unwrap();
        let f = instance.get_typed_func::<i32, ()>(&store, "f").unwrap();
        let limit = instance.get_global(&store, STACK_LIMIT_EXPORT).unwrap();
        limit.set(&mut store, wasmi::Val::I32(32)).unwrap();
        assert!(f.call(&mut store, 512).is_ok());
        let trap = f.call(&mut store, 16).unwrap_err();
        assert_eq!(
            trap.as_trap_code(),
            Some(wasmi::TrapCode::UnreachableCodeReached)
        );
    }

    /// The operators of every function, printed with `Debug`.
    fn operators(wasm: &[u8]) -> String {
        let mut text = String::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::CodeSectionEntry(body) = payload.unwrap() {
                let mut reader = body.get_operators_reader().unwrap();
                while !reader.eof() {
                    text += &format!("{:?}\n", reader.read().unwrap());
                }
            }
        }
        text
    }
}
