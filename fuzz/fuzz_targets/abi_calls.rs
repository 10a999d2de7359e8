//! (b) Generated modules that import the whole `grafos_worker_v0` ABI
//! (exactly `abi::IMPORTS`, in an arbitrary order), export what the loader
//! requires, carry valid tasklet records, and whose coordinator entry, lane
//! trampoline and allocator call the imports with arbitrary arguments in
//! arbitrary order: out-of-bounds pointers, huge lengths, `parallel_for`
//! from a data lane or from inside a region, barriers outside regions,
//! `output_set` twice, wrong lane counts, undecodable `fail` payloads,
//! allocators returning garbage, stack-pointer writes anywhere, recursion,
//! `memory.grow`, and loops that only fuel or the deadline end.
//!
//! The generator is structured: `arbitrary` builds a flat list of `Op`s per
//! function (blocks opened and closed by markers, so every list encodes to
//! a valid body), and `wasm-encoder` writes the module. Nearly every input
//! loads, so the fuzzer spends its time in the scheduler and the host
//! functions rather than in the parser.
//!
//! Invariants: the launch returns a result (no panic, no abort), by its
//! deadline, within its memory cap (libFuzzer's `-rss_limit_mb`), and is
//! deterministic: without a deadline, two launches of the same module with
//! the same input and options return the same result and fuel.
#![no_main]

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use grafos::TaskletInfo;
use grafos::abi::{self, ValType as AbiType};
use grafos::cpu::{CancelToken, TaskletError};
use grafos_runtime::RunOptions;
use libfuzzer_sys::fuzz_target;
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, CustomSection, DataSection, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, GlobalSection, GlobalType, ImportSection,
    Instruction as I, MemArg, MemorySection, MemoryType, Module, TypeSection, ValType,
};

/// Where the generated module keeps a `fail` payload and a message.
const PAYLOAD_AT: i32 = 256;
const MESSAGE_AT: i32 = 1024;
/// The coordinator's stack is 0..STACK_TOP; the bump allocator starts there.
const STACK_TOP: i32 = 65536;
/// Deepest nesting of loops and ifs in one body.
const MAX_DEPTH: usize = 6;

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Special {
    Zero,
    MinusOne,
    Min,
    Max,
    PageSize,
    /// `memory.size` in bytes: the first address past the memory.
    MemEnd,
    MemEndMinus(u8),
    Payload,
    PayloadLen,
    Message,
    MessageLen,
    /// The result of calling `workers` (the right `parallel_for` count).
    Workers,
    InputLen,
    StackPointer,
    Heap,
}

/// An `i32` operand.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Val {
    Small(u8),
    Const(i32),
    Special(Special),
    /// The function's first parameter (job, size), else the last result.
    Param0,
    /// The function's second parameter (lane, align), else the last result.
    Param1,
    /// The result of the last call, load or grow.
    Last,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Export {
    Alloc,
    RunLane,
    Entry,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Op {
    /// Call import `index % IMPORTS.len()` with the first arguments it takes.
    Call(u8, [Val; 3]),
    SetStackPointer(Val),
    Store(Val, Val),
    Load(Val),
    Grow(Val),
    /// Call one of the module's own exports (re-entrance, recursion).
    CallExport(Export, [Val; 2]),
    /// A loop of `n` rounds; 0 loops until fuel or the deadline ends it.
    Loop(u8),
    If(Val, Val),
    /// Closes the innermost loop or if.
    End,
    Return(Val),
    Unreachable,
    /// A counted loop that only burns fuel.
    Busy(u16),
    /// A call as the SDK's guest backend makes it: more likely to get past
    /// the runtime's first checks than a `Call` with arbitrary arguments.
    Sdk(Sdk),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Sdk {
    /// `parallel_for(job, workers())`.
    ParallelFor(Val),
    /// `barrier()`.
    Barrier,
    /// `fail(payload)`, then return FAILED.
    FailAndReturn,
    /// `panic(message)`.
    Panic,
    /// `output_set(message)`.
    Output,
    /// `output_set` of the whole memory: in bounds, and as large as it gets.
    OutputAll,
    /// `input_read(dst, 0, input_len())`.
    ReadInput(Val),
    /// Return the last result unless it is OK, as `?` does.
    Try,
}

#[derive(Arbitrary, Debug)]
enum Alloc {
    /// A bump allocator over the memory past the coordinator's stack.
    Bump,
    /// The same after `ops` ran (imports called outside any lane).
    BumpAfter(Vec<Op>),
    /// Whatever `ops` and the final value make of it.
    Garbage(Vec<Op>, Val),
}

#[derive(Arbitrary, Debug)]
enum FailPayload {
    /// A well-formed encoding of a `TaskletError`.
    Encoded(u8, u32, String),
    Raw(Vec<u8>),
}

/// One generated module and its launch. `arbitrary` fills fields in order
/// and gives zeros once the input runs out, so the launch options come
/// first and a zero means the roomy choice.
#[derive(Arbitrary, Debug)]
struct Spec {
    // Launch options.
    workers: u8,
    /// 0: 50,000; else up to that many.
    fuel: u16,
    /// 240 and above: a cap below the initial memory or just above it.
    cap_pages: u8,
    stack_kib: u8,
    /// Below 200: none; below 220: already passed; else in (n - 220) ms.
    deadline: u8,
    /// 224 and above: cancelled before the launch starts.
    cancel: u8,
    /// 224 and above: input and output capped at (n - 224) × 64 bytes.
    io_cap: u8,
    log: bool,
    // The module.
    import_order: [u8; 13],
    export_stack_pointer: bool,
    initial_sp: Option<i32>,
    pages: u8,
    max_pages: Option<u8>,
    record_workers: u8,
    second_tasklet: Option<u8>,
    fuel_default: u32,
    worker_names: Vec<String>,
    payload: FailPayload,
    message: String,
    entry: Vec<Op>,
    entry_status: Val,
    lane: Vec<Op>,
    lane_status: Val,
    alloc: Alloc,
    input: Vec<u8>,
}

/// A body under construction: its locals and open blocks.
struct Body<'a> {
    f: Function,
    /// Function index of each ABI import, by its position in `IMPORTS`.
    imports: &'a [u32],
    params: u32,
    last: u32,
    /// Loop counters, one per nesting depth.
    counters: u32,
    open: Vec<Option<u32>>,
}

fn import_index(name: &str) -> usize {
    abi::IMPORTS.iter().position(|i| i.name == name).unwrap()
}

const FUNC_ALLOC: u32 = 13;
const FUNC_RUN_LANE: u32 = 14;
const FUNC_ENTRY: u32 = 15;

impl<'a> Body<'a> {
    fn new(params: u32, imports: &'a [u32]) -> Self {
        // Locals: the last result, then a loop counter per depth.
        let f = Function::new([(1 + MAX_DEPTH as u32, ValType::I32)]);
        Self {
            f,
            imports,
            params,
            last: params,
            counters: params + 1,
            open: Vec::new(),
        }
    }

    fn val(&mut self, v: Val, payload_len: i32, message_len: i32) {
        let f = &mut self.f;
        match v {
            Val::Small(n) => f.instruction(&I::I32Const(i32::from(n))),
            Val::Const(n) => f.instruction(&I::I32Const(n)),
            Val::Param0 if self.params > 0 => f.instruction(&I::LocalGet(0)),
            Val::Param1 if self.params > 1 => f.instruction(&I::LocalGet(1)),
            Val::Param0 | Val::Param1 | Val::Last => f.instruction(&I::LocalGet(self.last)),
            Val::Special(s) => match s {
                Special::Zero => f.instruction(&I::I32Const(0)),
                Special::MinusOne => f.instruction(&I::I32Const(-1)),
                Special::Min => f.instruction(&I::I32Const(i32::MIN)),
                Special::Max => f.instruction(&I::I32Const(i32::MAX)),
                Special::PageSize => f.instruction(&I::I32Const(65536)),
                Special::MemEnd => f
                    .instruction(&I::MemorySize(0))
                    .instruction(&I::I32Const(16))
                    .instruction(&I::I32Shl),
                Special::MemEndMinus(n) => f
                    .instruction(&I::MemorySize(0))
                    .instruction(&I::I32Const(16))
                    .instruction(&I::I32Shl)
                    .instruction(&I::I32Const(i32::from(n)))
                    .instruction(&I::I32Sub),
                Special::Payload => f.instruction(&I::I32Const(PAYLOAD_AT)),
                Special::PayloadLen => f.instruction(&I::I32Const(payload_len)),
                Special::Message => f.instruction(&I::I32Const(MESSAGE_AT)),
                Special::MessageLen => f.instruction(&I::I32Const(message_len)),
                Special::Workers => {
                    f.instruction(&I::Call(self.imports[import_index(abi::import::WORKERS)]))
                }
                Special::InputLen => {
                    f.instruction(&I::Call(self.imports[import_index(abi::import::INPUT_LEN)]))
                }
                Special::StackPointer => f.instruction(&I::GlobalGet(0)),
                Special::Heap => f.instruction(&I::GlobalGet(1)),
            },
        };
    }

    fn ops(&mut self, ops: &[Op], payload_len: i32, message_len: i32) {
        let v = |b: &mut Self, v: Val| b.val(v, payload_len, message_len);
        for op in ops {
            match *op {
                Op::Call(which, args) => {
                    let index = usize::from(which) % abi::IMPORTS.len();
                    let import = &abi::IMPORTS[index];
                    for arg in &args[..import.signature.params.len()] {
                        v(self, *arg);
                    }
                    self.f.instruction(&I::Call(self.imports[index]));
                    match import.signature.results {
                        [] => {}
                        [AbiType::I32] => {
                            self.f.instruction(&I::LocalSet(self.last));
                        }
                        [AbiType::I64] => {
                            self.f
                                .instruction(&I::I32WrapI64)
                                .instruction(&I::LocalSet(self.last));
                        }
                        other => unreachable!("no ABI import returns {other:?}"),
                    }
                }
                Op::SetStackPointer(x) => {
                    v(self, x);
                    self.f.instruction(&I::GlobalSet(0));
                }
                Op::Store(addr, x) => {
                    v(self, addr);
                    v(self, x);
                    self.f.instruction(&I::I32Store(mem_arg()));
                }
                Op::Load(addr) => {
                    v(self, addr);
                    self.f
                        .instruction(&I::I32Load(mem_arg()))
                        .instruction(&I::LocalSet(self.last));
                }
                Op::Grow(pages) => {
                    v(self, pages);
                    self.f
                        .instruction(&I::MemoryGrow(0))
                        .instruction(&I::LocalSet(self.last));
                }
                Op::CallExport(which, args) => {
                    let func = match which {
                        Export::Alloc => FUNC_ALLOC,
                        Export::RunLane => FUNC_RUN_LANE,
                        Export::Entry => FUNC_ENTRY,
                    };
                    if func != FUNC_ENTRY {
                        v(self, args[0]);
                        v(self, args[1]);
                    }
                    self.f
                        .instruction(&I::Call(func))
                        .instruction(&I::LocalSet(self.last));
                }
                Op::Loop(rounds) => {
                    if self.open.len() == MAX_DEPTH {
                        continue;
                    }
                    let counter = self.counters + self.open.len() as u32;
                    if rounds > 0 {
                        self.f
                            .instruction(&I::I32Const(i32::from(rounds)))
                            .instruction(&I::LocalSet(counter));
                    }
                    self.f.instruction(&I::Loop(BlockType::Empty));
                    self.open
                        .push(Some(if rounds > 0 { counter } else { u32::MAX }));
                }
                Op::If(a, b) => {
                    if self.open.len() == MAX_DEPTH {
                        continue;
                    }
                    v(self, a);
                    v(self, b);
                    self.f
                        .instruction(&I::I32Eq)
                        .instruction(&I::If(BlockType::Empty));
                    self.open.push(None);
                }
                Op::End => self.close(),
                Op::Return(x) => {
                    v(self, x);
                    self.f.instruction(&I::Return);
                }
                Op::Unreachable => {
                    self.f.instruction(&I::Unreachable);
                }
                Op::Sdk(call) => self.sdk(call, payload_len, message_len),
                Op::Busy(rounds) => {
                    if self.open.len() == MAX_DEPTH {
                        continue;
                    }
                    let counter = self.counters + self.open.len() as u32;
                    self.f
                        .instruction(&I::I32Const(i32::from(rounds)))
                        .instruction(&I::LocalSet(counter))
                        .instruction(&I::Loop(BlockType::Empty));
                    self.count_down_and_end(counter);
                }
            }
        }
    }

    fn sdk(&mut self, call: Sdk, payload_len: i32, message_len: i32) {
        let import = |name: &str| self.imports[import_index(name)];
        let (workers, input_len) = (import(abi::import::WORKERS), import(abi::import::INPUT_LEN));
        let (parallel_for, barrier) = (
            import(abi::import::PARALLEL_FOR),
            import(abi::import::BARRIER),
        );
        let (fail, panic) = (import(abi::import::FAIL), import(abi::import::PANIC));
        let (output_set, input_read) = (
            import(abi::import::OUTPUT_SET),
            import(abi::import::INPUT_READ),
        );
        match call {
            Sdk::ParallelFor(job) => {
                self.val(job, payload_len, message_len);
                self.f
                    .instruction(&I::Call(workers))
                    .instruction(&I::Call(parallel_for))
                    .instruction(&I::LocalSet(self.last));
            }
            Sdk::Barrier => {
                self.f
                    .instruction(&I::Call(barrier))
                    .instruction(&I::LocalSet(self.last));
            }
            Sdk::FailAndReturn => {
                self.f
                    .instruction(&I::I32Const(PAYLOAD_AT))
                    .instruction(&I::I32Const(payload_len))
                    .instruction(&I::Call(fail))
                    .instruction(&I::I32Const(abi::status::FAILED))
                    .instruction(&I::Return);
            }
            Sdk::Panic => {
                self.f
                    .instruction(&I::I32Const(MESSAGE_AT))
                    .instruction(&I::I32Const(message_len))
                    .instruction(&I::Call(panic));
            }
            Sdk::Output => {
                self.f
                    .instruction(&I::I32Const(MESSAGE_AT))
                    .instruction(&I::I32Const(message_len))
                    .instruction(&I::Call(output_set));
            }
            Sdk::OutputAll => {
                self.f
                    .instruction(&I::I32Const(0))
                    .instruction(&I::MemorySize(0))
                    .instruction(&I::I32Const(16))
                    .instruction(&I::I32Shl)
                    .instruction(&I::Call(output_set));
            }
            Sdk::ReadInput(dst) => {
                self.val(dst, payload_len, message_len);
                self.f
                    .instruction(&I::I32Const(0))
                    .instruction(&I::Call(input_len))
                    .instruction(&I::Call(input_read));
            }
            Sdk::Try => {
                self.f
                    .instruction(&I::LocalGet(self.last))
                    .instruction(&I::If(BlockType::Empty))
                    .instruction(&I::LocalGet(self.last))
                    .instruction(&I::Return)
                    .instruction(&I::End);
            }
        }
    }

    fn close(&mut self) {
        match self.open.pop() {
            None => {}
            Some(None) => {
                self.f.instruction(&I::End);
            }
            Some(Some(u32::MAX)) => {
                self.f.instruction(&I::Br(0)).instruction(&I::End);
            }
            Some(Some(counter)) => self.count_down_and_end(counter),
        }
    }

    /// Ends a counted loop: decrements `counter` and branches back to the
    /// loop's start while it is still positive.
    fn count_down_and_end(&mut self, counter: u32) {
        self.f
            .instruction(&I::LocalGet(counter))
            .instruction(&I::I32Const(1))
            .instruction(&I::I32Sub)
            .instruction(&I::LocalTee(counter))
            .instruction(&I::I32Const(0))
            .instruction(&I::I32GtS)
            .instruction(&I::BrIf(0))
            .instruction(&I::End);
    }

    fn finish(mut self, status: Val, payload_len: i32, message_len: i32) -> Function {
        while !self.open.is_empty() {
            self.close();
        }
        self.val(status, payload_len, message_len);
        self.f.instruction(&I::End);
        self.f
    }
}

fn mem_arg() -> MemArg {
    MemArg {
        offset: 0,
        align: 2,
        memory_index: 0,
    }
}

fn val_type(t: AbiType) -> ValType {
    match t {
        AbiType::I32 => ValType::I32,
        AbiType::I64 => ValType::I64,
    }
}

fn payload_bytes(payload: &FailPayload) -> Vec<u8> {
    let mut bytes = match payload {
        FailPayload::Encoded(kind, n, text) => {
            let text = text.clone();
            let n = *n as usize;
            let error = match kind % 8 {
                0 => TaskletError::Failed { message: text },
                1 => TaskletError::WorkerPanicked {
                    lane: n,
                    message: text,
                },
                2 => TaskletError::Abi { message: text },
                3 => TaskletError::FuelExhausted {
                    budget: n as u64,
                    used: n as u64,
                    lane: n,
                    since_sdk_call: Some(n as u64),
                },
                4 => TaskletError::Cancelled,
                5 => TaskletError::StackOverflow { lane: n },
                6 => TaskletError::BarrierMismatch {
                    lane: n,
                    reached: 0,
                    expected: 1,
                },
                _ => TaskletError::InvalidConfig { reason: text },
            };
            abi::encode_error(&error)
        }
        FailPayload::Raw(bytes) => bytes.clone(),
    };
    bytes.truncate((MESSAGE_AT - PAYLOAD_AT) as usize);
    bytes
}

/// The memory's initial size in pages: room for the coordinator's stack
/// and, past it, for the lane stacks of up to 8 lanes.
fn initial_pages(spec: &Spec) -> u64 {
    3 + u64::from(spec.pages % 14)
}

fn build(spec: &Spec) -> Vec<u8> {
    let n = abi::IMPORTS.len();
    // Import order: IMPORTS sorted by the fuzzer's keys (stable, so ties keep ABI order).
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| spec.import_order[i]);
    let mut func_of_import = vec![0u32; n];
    for (position, &index) in order.iter().enumerate() {
        func_of_import[index] = position as u32;
    }

    let mut types = TypeSection::new();
    for import in abi::IMPORTS {
        types.ty().function(
            import.signature.params.iter().map(|t| val_type(*t)),
            import.signature.results.iter().map(|t| val_type(*t)),
        );
    }
    let pair = n as u32; // (i32, i32) -> i32
    types
        .ty()
        .function([ValType::I32, ValType::I32], [ValType::I32]);
    let entry_type = pair + 1; // () -> i32
    types.ty().function([], [ValType::I32]);

    let mut imports = ImportSection::new();
    for &index in &order {
        imports.import(
            abi::IMPORT_MODULE,
            abi::IMPORTS[index].name,
            EntityType::Function(index as u32),
        );
    }

    let mut functions = FunctionSection::new();
    functions.function(pair); // FUNC_ALLOC
    functions.function(pair); // FUNC_RUN_LANE
    functions.function(entry_type); // FUNC_ENTRY

    let pages = initial_pages(spec);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: pages,
        maximum: spec.max_pages.map(|m| pages.max(u64::from(m))),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });

    let mut globals = GlobalSection::new();
    let mutable_i32 = GlobalType {
        val_type: ValType::I32,
        mutable: true,
        shared: false,
    };
    globals.global(
        mutable_i32,
        &ConstExpr::i32_const(spec.initial_sp.unwrap_or(STACK_TOP)),
    );
    globals.global(mutable_i32, &ConstExpr::i32_const(STACK_TOP));

    let entry_name = abi::tasklet_export("t");
    let second_name = abi::tasklet_export("u");
    let mut exports = ExportSection::new();
    exports.export(abi::export::MEMORY, ExportKind::Memory, 0);
    exports.export(abi::export::ALLOC, ExportKind::Func, FUNC_ALLOC);
    exports.export(abi::export::RUN_LANE, ExportKind::Func, FUNC_RUN_LANE);
    exports.export(&entry_name, ExportKind::Func, FUNC_ENTRY);
    if spec.second_tasklet.is_some() {
        exports.export(&second_name, ExportKind::Func, FUNC_ENTRY);
    }
    if spec.export_stack_pointer {
        exports.export(abi::export::STACK_POINTER, ExportKind::Global, 0);
    }

    let payload = payload_bytes(&spec.payload);
    let mut message = spec.message.as_bytes().to_vec();
    message.truncate(512);
    let (payload_len, message_len) = (payload.len() as i32, message.len() as i32);

    let mut code = CodeSection::new();
    let mut alloc = Body::new(2, &func_of_import);
    let (alloc_ops, alloc_result): (&[Op], Option<Val>) = match &spec.alloc {
        Alloc::Bump => (&[], None),
        Alloc::BumpAfter(ops) => (ops, None),
        Alloc::Garbage(ops, result) => (ops, Some(*result)),
    };
    alloc.ops(alloc_ops, payload_len, message_len);
    let alloc = match alloc_result {
        Some(result) => alloc.finish(result, payload_len, message_len),
        None => {
            while !alloc.open.is_empty() {
                alloc.close();
            }
            let mut f = alloc.f;
            // p = heap; heap += size; p
            f.instruction(&I::GlobalGet(1))
                .instruction(&I::LocalSet(2))
                .instruction(&I::GlobalGet(1))
                .instruction(&I::LocalGet(0))
                .instruction(&I::I32Add)
                .instruction(&I::GlobalSet(1))
                .instruction(&I::LocalGet(2))
                .instruction(&I::End);
            f
        }
    };
    code.function(&alloc);
    let mut lane = Body::new(2, &func_of_import);
    lane.ops(&spec.lane, payload_len, message_len);
    code.function(&lane.finish(spec.lane_status, payload_len, message_len));
    let mut entry = Body::new(0, &func_of_import);
    entry.ops(&spec.entry, payload_len, message_len);
    code.function(&entry.finish(spec.entry_status, payload_len, message_len));

    let mut data = DataSection::new();
    data.active(0, &ConstExpr::i32_const(PAYLOAD_AT), payload);
    data.active(0, &ConstExpr::i32_const(MESSAGE_AT), message);

    let mut records = abi::encode_record_vec(&TaskletInfo {
        name: Cow::Borrowed("t"),
        workers: 2 + u32::from(spec.record_workers % 7),
        shared_bytes: 0,
        scratch_bytes: 0,
        fuel: u64::from(spec.fuel_default.max(1)),
        worker_names: Cow::Owned(
            spec.worker_names
                .iter()
                .take(4)
                .map(|s| Cow::Owned(s.clone()))
                .collect(),
        ),
        shared_owns_data: spec.fuel_default % 2 == 1,
    });
    if let Some(workers) = spec.second_tasklet {
        records.extend(abi::encode_record_vec(&TaskletInfo {
            name: Cow::Borrowed("u"),
            workers: 2 + u32::from(workers % 7),
            shared_bytes: 1 << 20,
            scratch_bytes: 64,
            fuel: 1_000,
            worker_names: Cow::Borrowed(&[]),
            shared_owns_data: true,
        }));
    }

    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&memories)
        .section(&globals)
        .section(&exports)
        .section(&code)
        .section(&data)
        .section(&CustomSection {
            name: Cow::Borrowed(abi::TASKLETS_SECTION),
            data: Cow::Owned(records),
        });
    module.finish()
}

fn options(spec: &Spec) -> RunOptions {
    let cancel = (spec.cancel >= 224).then(|| {
        let token = CancelToken::new();
        token.cancel();
        token
    });
    RunOptions {
        fuel: Some(match spec.fuel {
            0 => 50_000,
            n => u64::from(n) % 50_000,
        }),
        workers: Some(2 + u32::from(spec.workers % 7)),
        // Every lane order the cross-target test uses.
        lane_order: match spec.workers / 7 % 3 {
            0 => grafos_runtime::LaneOrder::InOrder,
            1 => grafos_runtime::LaneOrder::Reversed,
            _ => grafos_runtime::LaneOrder::Seeded(u64::from(spec.fuel)),
        },
        deadline: match spec.deadline {
            0..200 => None,
            200..220 => Some(Instant::now()),
            ms => Some(Instant::now() + Duration::from_millis(u64::from(ms - 220))),
        },
        cancel,
        // Half the launches record a trace: whatever the guest does, the
        // recorder must not panic or change the outcome.
        trace: (spec.fuel % 2 == 1).then(grafos_runtime::trace::TraceSink::new),
        progress: None,
        // Mostly room beyond the initial memory; now and then less.
        max_memory_bytes: Some(
            if spec.cap_pages >= 240 {
                usize::from(spec.cap_pages - 240) + 1
            } else {
                initial_pages(spec) as usize + usize::from(spec.cap_pages % 48)
            } << 16,
        ),
        stack_bytes_per_lane: Some(
            grafos_runtime::MIN_STACK_BYTES_PER_LANE + (usize::from(spec.stack_kib % 4) << 14),
        ),
        max_input_bytes: (spec.io_cap >= 224).then(|| usize::from(spec.io_cap - 224) * 64),
        max_output_bytes: (spec.io_cap >= 224).then(|| usize::from(spec.io_cap - 224) * 64),
        debug_log: spec.log.then(|| {
            let log: grafos_runtime::DebugLog = Arc::new(|_lane, line| {
                std::hint::black_box(line);
            });
            log
        }),
    }
}

fuzz_target!(|spec: Spec| {
    grafos_fuzz::tolerate_wasmi_translator_panics();
    let wasm = build(&spec);
    let module = match grafos_fuzz::runtime().load(&wasm) {
        Ok(module) => module,
        // Every generated module follows the ABI: refusing one is a bug of
        // the loader or of this generator.
        Err(e) => panic!("a generated module was refused: {e}"),
    };
    let input = &spec.input[..spec.input.len().min(4096)];
    for name in ["t", "u"].into_iter().take(module.tasklets().len()) {
        let first = grafos_fuzz::run_checked(&module, name, input, options(&spec));
        if spec.deadline < 200 {
            let again = grafos_fuzz::run_checked(&module, name, input, options(&spec));
            assert_eq!(first, again, "two launches of the same module differ");
        }
    }
});
