//! [`LaneScheduler`]: runs one launch, every lane in one wasmi instance on
//! the calling thread (docs/ARCHITECTURE.md, "The life of a launch").
//!
//! Lane 0 is a resumable call of the tasklet's entry export. When it calls
//! `parallel_for`, its host function suspends it and the scheduler runs a
//! **region**: `grafos_v0_run_lane(job, lane)` for every data lane, each a
//! resumable call on a stack of its own. Lanes run in lane order, each until
//! it returns or suspends at a barrier; when every lane still running waits
//! at the barrier, all are resumed in lane order (with `CANCELLED` once the
//! launch failed). When all have returned, lane 0 resumes with the region's
//! status.
//!
//! Lanes switch **only** inside these SDK calls, never when a fuel slice
//! ends: wasm32 atomics are plain loads and stores, and a switch between
//! the load and the store of a `fetch_add` would lose an update. Fuel slices
//! only bound how long a lane runs before the deadline and the cancel token
//! are checked again; the lane then simply continues.
//!
//! Each switch saves the outgoing lane's `__stack_pointer`, checks it
//! against that lane's stack, and installs the incoming lane's stack pointer
//! and stack limit (the limit the instrumented module checks on every
//! stack-pointer write, see [`crate::rewrite`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use grafos_abi::TaskletInfo;
use grafos_abi::{self as abi, status};
use grafos_abi::{LaneOrder, Limit, SharedTaskletResult, TaskletError};
use wasmi::{
    Func, Global, Instance, ResumableCall, ResumableCallHostTrap, ResumableCallOutOfFuel, Store,
    TrapCode, Val,
};

use crate::fuel::Grant;
use crate::launch_trace::LaunchTrace;
use crate::limits::DeniedGrowth;
use crate::load::STACK_LIMIT_EXPORT;
use crate::module::ModuleInner;
use crate::options::{Launch, MAX_CALL_DEPTH, RunOptions};
use crate::state::{LaunchLimits, LaunchState, Request, Running};

/// Bytes between a stack's bottom and its limit: LLVM's wasm red zone (128
/// bytes that leaf functions use below the stack pointer without moving it),
/// with room to spare.
const STACK_GUARD: u32 = 1024;

/// Alignment of every lane stack (the wasm32 C ABI's stack alignment).
const STACK_ALIGN: u32 = 16;

/// One lane's stack: the stack pointer must stay in `limit..=top`.
#[derive(Debug, Clone, Copy)]
struct LaneStack {
    limit: u32,
    top: u32,
    /// The stack pointer while the lane is not running.
    saved: u32,
}

/// How to (re)start a lane.
enum Start {
    Call(Func, [Val; 2], usize),
    Host(ResumableCallHostTrap, i32),
    Fuel(ResumableCallOutOfFuel),
}

/// How a lane stopped running.
enum Outcome {
    /// Suspended by a host function, waiting for the scheduler.
    Suspended(ResumableCallHostTrap, Request),
    /// The lane's export returned this status.
    Returned(i32),
    /// The lane was stopped for good; the launch's cause is recorded.
    Stopped,
}

/// A data lane of the running region.
enum DataLane {
    Idle,
    Waiting(ResumableCallHostTrap),
    Ready(ResumableCallHostTrap, i32),
    Done,
}

/// Runs one launch; see the module docs.
pub(crate) struct LaneScheduler {
    store: Store<LaunchState>,
    run_lane: Func,
    stack_pointer: Global,
    stack_limit: Global,
    stacks: Vec<LaneStack>,
    /// The order data lanes take their turns in each round.
    lane_order: LaneOrder,
    /// The launch's trace, when asked for: off, this is one branch per
    /// lane switch.
    trace: Option<Box<LaunchTrace>>,
    /// Where to publish the fuel used, when asked.
    progress: Option<Arc<AtomicU64>>,
}

fn abi_error(message: impl Into<String>) -> TaskletError {
    TaskletError::Abi {
        message: message.into(),
    }
}

fn memory_limit(denied: DeniedGrowth) -> TaskletError {
    TaskletError::LimitExceeded {
        limit: Limit::Memory,
        max: denied.max,
        requested: denied.requested,
    }
}

impl LaneScheduler {
    /// Runs tasklet `info` of `module` with `input`.
    pub(crate) fn run(
        module: &ModuleInner,
        info: &TaskletInfo,
        input: Vec<u8>,
        options: &RunOptions,
    ) -> Result<SharedTaskletResult, TaskletError> {
        let launch = Launch::resolve(&module.config, info, options, input.len())?;
        let Launch {
            workers,
            fuel,
            stack_bytes,
            max_memory,
            max_output,
            deadline,
        } = launch;
        let state = LaunchState::new(
            workers,
            input,
            fuel,
            options.cancel.clone(),
            deadline,
            LaunchLimits {
                max_memory_bytes: max_memory,
                max_output_bytes: max_output,
            },
            options.debug_log.clone(),
        );
        let mut store = Store::new(&module.engine, state);
        store.limiter(|state| &mut state.limiter);

        let instance = match module
            .linker
            .instantiate_and_start(&mut store, &module.module)
        {
            Ok(instance) => instance,
            Err(e) => {
                return Err(match store.data_mut().limiter.take_denied() {
                    Some(denied) => memory_limit(denied),
                    None => abi_error(format!("the module cannot be instantiated: {e}")),
                });
            }
        };
        let export = |name: &str| {
            instance
                .get_func(&store, name)
                .ok_or_else(|| abi_error(format!("missing export `{name}`")))
        };
        let entry = export(&abi::tasklet_export(&info.name))?;
        let run_lane = export(abi::export::RUN_LANE)?;
        let alloc = export(abi::export::ALLOC)?;
        let global = |name: &str| {
            instance
                .get_global(&store, name)
                .ok_or_else(|| abi_error(format!("missing global export `{name}`")))
        };
        let stack_pointer = global(abi::export::STACK_POINTER)?;
        let stack_limit = global(STACK_LIMIT_EXPORT)?;
        let memory = instance
            .get_memory(&store, abi::export::MEMORY)
            .ok_or_else(|| abi_error("missing memory export"))?;
        store.data_mut().memory = Some(memory);

        let lane0 = Self::coordinator_stack(&store, &instance, stack_pointer);
        let mut scheduler = LaneScheduler {
            store,
            run_lane,
            stack_pointer,
            stack_limit,
            stacks: vec![lane0],
            lane_order: options.lane_order,
            trace: options
                .trace
                .clone()
                .map(|sink| Box::new(LaunchTrace::new(sink, &info.name, workers))),
            progress: options.progress.clone(),
        };
        let result = scheduler
            .allocate_lane_stacks(alloc, workers, stack_bytes, max_memory)
            .and_then(|()| scheduler.run_coordinator(entry));
        if let Some(trace) = scheduler.trace.take() {
            trace.finish(&result, scheduler.store.data().fuel.used());
        }
        result
    }

    /// Lane 0 runs on the module's own stack: from the initial stack pointer
    /// down to the end of the data below it (`__data_end`) or to address 0
    /// when the stack comes first, as Rust's wasm targets lay it out.
    fn coordinator_stack(store: &Store<LaunchState>, instance: &Instance, sp: Global) -> LaneStack {
        let top = sp.get(store).i32().unwrap_or(0) as u32;
        let bottom = instance
            .get_global(store, "__data_end")
            .and_then(|g| g.get(store).i32())
            .map(|v| v as u32)
            .filter(|&end| end <= top)
            .unwrap_or(0);
        LaneStack {
            limit: bottom.saturating_add(STACK_GUARD).min(top),
            top,
            saved: top,
        }
    }

    /// Allocates every data lane's stack with one call of the guest's
    /// allocator, before the coordinator starts.
    fn allocate_lane_stacks(
        &mut self,
        alloc: Func,
        workers: usize,
        stack_bytes: usize,
        max_memory: usize,
    ) -> Result<(), TaskletError> {
        let per_lane = (stack_bytes as u64) & !u64::from(STACK_ALIGN - 1);
        let data_lanes = workers as u64 - 1;
        let total = per_lane * data_lanes;
        if total > max_memory as u64 || total > u64::from(u32::MAX >> 1) {
            return Err(TaskletError::LimitExceeded {
                limit: Limit::StackBytes,
                max: (max_memory as u64).min(u64::from(u32::MAX >> 1)),
                requested: total,
            });
        }
        // A resumable call on lane 0's stack, so that fuel slices bound it
        // and the deadline and cancel token are checked while it runs.
        let args = [Val::I32(total as i32), Val::I32(STACK_ALIGN as i32)];
        let outcome = self.drive_as(0, Running::Setup, Start::Call(alloc, args, 2));
        let state = self.store.data_mut();
        let base = match outcome {
            Outcome::Returned(base) => base,
            Outcome::Stopped | Outcome::Suspended(..) => {
                let cause = state.cause();
                // Every way a lane stops records its cause first. Debug
                // builds (the fuzz targets') hold the runtime to that; a
                // release build falls back to a plain ABI error.
                debug_assert!(cause.is_some(), "the allocator stopped without a cause");
                return Err(
                    cause.unwrap_or_else(|| abi_error("lane stacks could not be allocated"))
                );
            }
        };
        let base = base as u32;
        if base == 0 {
            return Err(match state.limiter.take_denied() {
                Some(denied) => memory_limit(denied),
                None => abi_error(format!(
                    "`{}` returned 0 for {total} bytes of lane stacks",
                    abi::export::ALLOC
                )),
            });
        }
        let memory_len = state.memory.map_or(0, |m| m.data_size(&self.store)) as u64;
        // Tops must fit an i32 stack pointer: stay below 4 GiB.
        let end = memory_len.min(u64::from(u32::MAX) - u64::from(STACK_ALIGN));
        if !base.is_multiple_of(STACK_ALIGN) || u64::from(base) + total > end {
            return Err(abi_error(format!(
                "`{}` returned {base}, not a {STACK_ALIGN}-aligned block of {total} bytes in the {memory_len}-byte memory",
                abi::export::ALLOC
            )));
        }
        for lane in 0..data_lanes {
            let bottom = u64::from(base) + lane * per_lane;
            let top = (bottom + per_lane) as u32;
            self.stacks.push(LaneStack {
                limit: bottom as u32 + STACK_GUARD,
                top,
                saved: top,
            });
        }
        Ok(())
    }

    /// Books the fuel the last slice of `lane` used.
    fn settle(&mut self, lane: usize) {
        let left = self.store.get_fuel().unwrap_or(0);
        let fuel = &mut self.store.data_mut().fuel;
        fuel.settle(lane, left);
        if let Some(progress) = &self.progress {
            progress.store(fuel.used(), Ordering::Relaxed);
        }
    }

    /// Puts the next slice of fuel in the store for `lane`, at least
    /// `required`: from the pool while the launch is healthy, else from the
    /// lane's grace budget. A pool that cannot pay fails the launch. `false`
    /// when the lane has no grace left.
    fn grant(&mut self, lane: usize, required: u64) -> bool {
        let state = self.store.data_mut();
        let mut grant = state.fuel.grant(lane, required, !state.is_failed());
        if grant == Grant::PoolDry {
            // The pool ran dry between checkpoints (the slice is settled).
            let exhausted = state.fuel.exhausted(lane, 0);
            state.fail_with(exhausted);
            grant = state.fuel.grant(lane, required, false);
        }
        match grant {
            Grant::Slice(fuel) => {
                // Fuel metering is always on in the runtime's engine.
                let _ = self.store.set_fuel(fuel);
                true
            }
            Grant::PoolDry | Grant::Spent => false,
        }
    }

    fn stack_pointer(&self) -> u32 {
        self.stack_pointer.get(&self.store).i32().unwrap_or(0) as u32
    }

    /// Makes `lane` the running lane: its stack pointer and stack limit. A
    /// switch is a cancellation point.
    fn enter(&mut self, lane: usize, running: Running) {
        let stack = self.stacks[lane];
        let state = self.store.data_mut();
        state.running = running;
        state.poll_stop();
        // Both globals are mutable i32s (checked at load), so `set` succeeds.
        let _ = self
            .stack_pointer
            .set(&mut self.store, Val::I32(stack.saved as i32));
        let _ = self
            .stack_limit
            .set(&mut self.store, Val::I32(stack.limit as i32));
    }

    /// Checks and saves `lane`'s stack pointer as it stops running; records
    /// `StackOverflow` if it left its stack.
    fn leave(&mut self, lane: usize) -> bool {
        let sp = self.stack_pointer();
        let stack = &mut self.stacks[lane];
        stack.saved = sp;
        if sp < stack.limit || sp > stack.top {
            self.store
                .data_mut()
                .fail_with(TaskletError::StackOverflow { lane });
            return false;
        }
        true
    }

    /// Runs `lane` until it suspends, returns or is stopped.
    fn drive(&mut self, lane: usize, start: Start) -> Outcome {
        self.drive_as(lane, Running::Lane(lane), start)
    }

    /// [`drive`](Self::drive) on `lane`'s stack, with the host functions
    /// seeing `running` (the setup call runs on lane 0's stack as no lane);
    /// a trace's clock of `lane` advances by the fuel it used.
    fn drive_as(&mut self, lane: usize, running: Running, start: Start) -> Outcome {
        if self.trace.is_none() {
            return self.drive_untraced(lane, running, start);
        }
        let before = self.store.data().fuel.used();
        let outcome = self.drive_untraced(lane, running, start);
        let used = self.store.data().fuel.used() - before;
        if let Some(trace) = &mut self.trace {
            trace.ran(lane, used);
        }
        outcome
    }

    fn drive_untraced(&mut self, lane: usize, running: Running, mut start: Start) -> Outcome {
        self.enter(lane, running);
        let mut out = [Val::I32(0)];
        let mut required = 0;
        loop {
            if !self.grant(lane, required) {
                // Its grace budget is spent: the lane ignored the failure.
                let state = self.store.data_mut();
                let exhausted = state.fuel.exhausted(lane, 0);
                state.fail_with(exhausted);
                return Outcome::Stopped;
            }
            let result = match start {
                Start::Call(func, args, arity) => {
                    func.call_resumable(&mut self.store, &args[..arity], &mut out)
                }
                Start::Host(call, value) => {
                    call.resume(&mut self.store, &[Val::I32(value)], &mut out)
                }
                Start::Fuel(call) => call.resume(&mut self.store, &mut out),
            };
            self.settle(lane);
            match result {
                Ok(ResumableCall::Finished) => {
                    if !self.leave(lane) {
                        return Outcome::Stopped;
                    }
                    return Outcome::Returned(out[0].i32().unwrap_or(i32::MIN));
                }
                Ok(ResumableCall::HostTrap(call)) => {
                    let Some(request) = self.store.data_mut().request.take() else {
                        // A host function stopped the lane (panic, ABI violation).
                        return Outcome::Stopped;
                    };
                    if !self.leave(lane) {
                        return Outcome::Stopped;
                    }
                    return Outcome::Suspended(call, request);
                }
                Ok(ResumableCall::OutOfFuel(call)) => {
                    // A slice ended: check the deadline and the cancel
                    // token, then let the same lane continue.
                    self.store.data_mut().poll_stop();
                    required = call.required_fuel();
                    start = Start::Fuel(call);
                }
                Err(e) => {
                    let error = self.classify_trap(lane, &e);
                    self.store.data_mut().fail_with(error);
                    return Outcome::Stopped;
                }
            }
        }
    }

    /// What a trap of `lane` means.
    fn classify_trap(&mut self, lane: usize, e: &wasmi::Error) -> TaskletError {
        let sp = self.stack_pointer();
        if let Some(denied) = self.store.data_mut().limiter.take_denied() {
            return memory_limit(denied);
        }
        // The instrumented check traps with the stack pointer below the
        // limit: the lane's stack in linear memory overflowed.
        if sp < self.stacks[lane].limit {
            return TaskletError::StackOverflow { lane };
        }
        // wasmi's own limits: nested calls, and the wasm values they hold.
        if e.as_trap_code() == Some(TrapCode::StackOverflow) {
            return TaskletError::CallDepthExceeded {
                lane,
                max_depth: MAX_CALL_DEPTH,
            };
        }
        if e.as_trap_code() == Some(TrapCode::OutOfFuel) {
            return self.store.data().fuel.exhausted(lane, 0);
        }
        TaskletError::Trap {
            lane,
            message: e.to_string(),
        }
    }

    fn run_coordinator(&mut self, entry: Func) -> Result<SharedTaskletResult, TaskletError> {
        let mut outcome = self.drive(0, Start::Call(entry, [Val::I32(0), Val::I32(0)], 0));
        let status = loop {
            match outcome {
                Outcome::Returned(status) => break Some(status),
                Outcome::Stopped => break None,
                Outcome::Suspended(call, Request::ParallelFor { job }) => {
                    self.run_region(job);
                    let state = self.store.data_mut();
                    let status = if state.is_failed() {
                        // Resolve a barrier mismatch now, from this region's counts.
                        let _ = state.cause();
                        status::FAILED
                    } else {
                        status::OK
                    };
                    outcome = self.drive(0, Start::Host(call, status));
                }
                Outcome::Suspended(_, Request::Barrier) => {
                    // The coordinator's barrier never suspends.
                    self.store
                        .data_mut()
                        .fail_with(abi_error("lane 0 suspended at a data-lane barrier"));
                    break None;
                }
            }
        };
        let state = self.store.data_mut();
        if let Some(cause) = state.cause() {
            return Err(cause);
        }
        match status {
            Some(status::OK) => Ok(SharedTaskletResult::from_parts(
                std::mem::take(&mut state.output),
                state.fuel.used(),
                state.regions.started(),
                state.regions.rounds(),
            )),
            Some(status::FAILED) => Err(state.fail_reports[0].take().unwrap_or_else(|| {
                abi_error(
                    "the tasklet entry returned FAILED without reporting an error through `fail`",
                )
            })),
            Some(other) => Err(abi_error(format!(
                "the tasklet entry returned status {other}, which ABI grafos_worker_v0 does not define"
            ))),
            None => {
                // As in `allocate_lane_stacks`: a stopped lane has a cause.
                debug_assert!(false, "the coordinator stopped without a cause");
                Err(abi_error("the coordinator stopped without a cause"))
            }
        }
    }

    /// A data lane returned `status`.
    fn returned(&mut self, lane: usize, status: i32) {
        let state = self.store.data_mut();
        match status {
            status::OK => {}
            status::FAILED => {
                let error = state.fail_reports[lane].take().unwrap_or_else(|| {
                    abi_error(format!(
                        "lane {lane} returned FAILED without reporting an error through `fail`"
                    ))
                });
                state.fail_with(error);
            }
            other => state.fail_with(abi_error(format!(
                "lane {lane} returned status {other}, which ABI grafos_worker_v0 does not define"
            ))),
        }
    }

    /// Runs one region: every data lane, to completion.
    fn run_region(&mut self, job: i32) {
        let workers = self.stacks.len();
        let region = self.store.data_mut().regions.start();
        if let Some(trace) = &mut self.trace {
            trace.region_begin(region);
        }
        let mut lanes: Vec<DataLane> = (1..workers).map(|_| DataLane::Idle).collect();
        let mut order = Vec::with_capacity(workers - 1);
        for round in 0u64.. {
            self.lane_order.fill(&mut order, workers - 1, region, round);
            for &lane in &order {
                let start = match std::mem::replace(&mut lanes[lane - 1], DataLane::Done) {
                    DataLane::Idle => {
                        Start::Call(self.run_lane, [Val::I32(job), Val::I32(lane as i32)], 2)
                    }
                    DataLane::Ready(call, value) => Start::Host(call, value),
                    parked @ (DataLane::Waiting(_) | DataLane::Done) => {
                        lanes[lane - 1] = parked;
                        continue;
                    }
                };
                let outcome = self.drive(lane, start);
                if let Some(trace) = &mut self.trace {
                    match outcome {
                        Outcome::Suspended(_, Request::Barrier) => trace.barrier_begin(lane),
                        _ => trace.lane_end(lane),
                    }
                }
                lanes[lane - 1] = match outcome {
                    Outcome::Suspended(call, Request::Barrier) => DataLane::Waiting(call),
                    Outcome::Suspended(_, Request::ParallelFor { .. }) => {
                        // `parallel_for` refuses data lanes before suspending.
                        self.store
                            .data_mut()
                            .fail_with(abi_error(format!("lane {lane} suspended in parallel_for")));
                        self.depart();
                        DataLane::Done
                    }
                    Outcome::Returned(status) => {
                        self.returned(lane, status);
                        self.depart();
                        DataLane::Done
                    }
                    Outcome::Stopped => {
                        self.depart();
                        DataLane::Done
                    }
                };
            }
            if lanes.iter().all(|l| matches!(l, DataLane::Done)) {
                break;
            }
            // Every lane still running waits at the barrier: a round ends.
            let state = self.store.data_mut();
            state.poll_stop();
            let completed = !state.is_failed();
            state.regions.end_round(completed);
            let value = if completed {
                status::OK
            } else {
                status::CANCELLED
            };
            if let Some(trace) = &mut self.trace {
                let waiting = lanes
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| matches!(l, DataLane::Waiting(_)))
                    .map(|(i, _)| i + 1);
                trace.round_end(waiting);
            }
            for lane in &mut lanes {
                if let DataLane::Waiting(_) = lane
                    && let DataLane::Waiting(call) = std::mem::replace(lane, DataLane::Done)
                {
                    *lane = DataLane::Ready(call, value);
                }
            }
        }
        self.store.data_mut().running = Running::Lane(0);
        if let Some(trace) = &mut self.trace {
            trace.region_end(self.store.data().fuel.used());
        }
    }

    /// A data lane left the region; lanes waiting at a barrier now wait for
    /// a lane that will never come.
    fn depart(&mut self) {
        let state = self.store.data_mut();
        if state.regions.depart() {
            state.fail(crate::state::Cause::BarrierMismatch);
        }
    }
}
