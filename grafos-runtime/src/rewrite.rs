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
//! Functions without a `global.set` of the stack pointer are copied byte for
//! byte.

use std::convert::Infallible;

use grafos::abi::export;
use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{
    CodeSection, ConstExpr, ExportKind, ExportSection, GlobalSection, GlobalType, Instruction,
    ValType,
};
use wasmparser::{FunctionBody, Operator};

use crate::error::LoadError;
use crate::load::{ModuleFacts, STACK_LIMIT_EXPORT};

struct StackCheck {
    stack_pointer: u32,
    limit: u32,
    export_stack_pointer: bool,
}

impl StackCheck {
    fn sets_stack_pointer(&self, body: &FunctionBody<'_>) -> Result<bool, wasmparser::BinaryReaderError> {
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            if let Operator::GlobalSet { global_index } = reader.read()?
                && global_index == self.stack_pointer
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

type Error = reencode::Error<Infallible>;

impl Reencode for StackCheck {
    type Error = Infallible;

    fn parse_function_body(
        &mut self,
        code: &mut CodeSection,
        body: FunctionBody<'_>,
    ) -> Result<(), Error> {
        if !self.sets_stack_pointer(&body)? {
            code.raw(body.as_bytes());
            return Ok(());
        }
        let mut function = self.new_function_with_parsed_locals(&body)?;
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            let check = matches!(op, Operator::GlobalSet { global_index } if global_index == self.stack_pointer);
            function.instruction(&self.instruction(op)?);
            if check {
                function
                    .instruction(&Instruction::GlobalGet(self.stack_pointer))
                    .instruction(&Instruction::GlobalGet(self.limit))
                    .instruction(&Instruction::I32LtU)
                    .instruction(&Instruction::If(wasm_encoder::BlockType::Empty))
                    .instruction(&Instruction::Unreachable)
                    .instruction(&Instruction::End);
            }
        }
        code.function(&function);
        Ok(())
    }

    fn parse_global_section(
        &mut self,
        globals: &mut GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), Error> {
        reencode::utils::parse_global_section(self, globals, section)?;
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i32_const(0),
        );
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), Error> {
        reencode::utils::parse_export_section(self, exports, section)?;
        if self.export_stack_pointer {
            exports.export(export::STACK_POINTER, ExportKind::Global, self.stack_pointer);
        }
        exports.export(STACK_LIMIT_EXPORT, ExportKind::Global, self.limit);
        Ok(())
    }
}

/// Returns `wasm` with stack-limit checks and the runtime's exports added.
pub(crate) fn instrument(wasm: &[u8], facts: &ModuleFacts) -> Result<Vec<u8>, LoadError> {
    let mut rewriter = StackCheck {
        stack_pointer: facts.stack_pointer,
        limit: facts.globals,
        export_stack_pointer: !facts.exports_stack_pointer,
    };
    let mut module = wasm_encoder::Module::new();
    rewriter
        .parse_core_module(&mut module, wasmparser::Parser::new(0), wasm)
        .map_err(crate::load::malformed)?;
    Ok(module.finish())
}
