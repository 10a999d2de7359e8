//! [`Runtime`]: the engine, the linker and the launch pool.

use std::collections::VecDeque;
use std::fmt;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

use grafos_abi::{SharedTaskletResult, TaskletError};
use wasmi::{CompilationMode, Config, Engine, Linker};

use crate::error::LoadError;
use crate::module::{ModuleInner, TaskletModule, catch_panic};
use crate::options::{MAX_CALL_DEPTH, MAX_VALUE_STACK_BYTES, RunOptions, RuntimeConfig};
use crate::{host_fns, load, rewrite};

/// Loads tasklet modules and runs their launches.
///
/// One `Runtime` holds the wasmi configuration (fuel metering on, eager
/// compilation) and a pool of OS threads on which [`spawn`](Self::spawn)
/// runs launches in parallel, each on one thread; [`TaskletModule::run`]
/// runs a launch on the caller's thread instead. Each loaded module gets
/// its own wasmi engine and linker, freed with the module's last clone.
/// Dropping a `Runtime` lets the launches it has queued finish, then joins
/// its threads.
///
/// ```no_run
/// use grafos_runtime::{RunOptions, Runtime, RuntimeConfig};
/// let runtime = Runtime::new(RuntimeConfig::default());
/// let module = runtime.load(&std::fs::read("tasklets.wasm")?)?;
/// let handles: Vec<_> = (0..8u8)
///     .map(|i| runtime.spawn(&module, "histogram", vec![i; 1000], RunOptions::default()))
///     .collect();
/// for handle in handles {
///     println!("{:?}", handle.join()?.output());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Runtime {
    engine_config: Config,
    config: RuntimeConfig,
    pool: LaunchPool,
}

impl Runtime {
    /// A runtime with `config`. Threads of the pool start on demand.
    pub fn new(config: RuntimeConfig) -> Self {
        let mut engine_config = Config::default();
        engine_config
            .consume_fuel(true)
            .compilation_mode(CompilationMode::Eager)
            .set_max_recursion_depth(MAX_CALL_DEPTH as usize)
            .set_max_stack_height(MAX_VALUE_STACK_BYTES);
        let pool = LaunchPool::new(config.threads.max(1));
        Self {
            engine_config,
            config,
            pool,
        }
    }

    /// The runtime's configuration.
    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// Checks `wasm` against ABI `grafos_worker_v0`, instruments it (stack
    /// checks, see the crate docs) and compiles it.
    ///
    /// Fails with a [`LoadError`] that says what is wrong: bytes that are not
    /// a valid module, an import outside the ABI or with the wrong signature,
    /// a missing or ill-typed export, a missing or undecodable
    /// `grafos_worker_v0.tasklets` section, another ABI version, a record
    /// that cannot run, or no usable stack pointer.
    pub fn load(&self, wasm: &[u8]) -> Result<TaskletModule, LoadError> {
        let facts = load::inspect(wasm)?;
        let instrumented = rewrite::instrument(wasm, &facts)?;
        // An engine of its own for every module: a wasmi engine keeps every
        // function it ever compiled until the engine itself is dropped (its
        // code map is append-only, and it panics past 100 million
        // functions), so one engine shared by all loads would make a
        // long-lived runtime that loads modules grow without bound. This
        // engine, and the module's code with it, goes with the module's
        // last clone. An engine and a linker of 13 functions cost
        // microseconds; compiling the module costs far more.
        let engine = Engine::new(&self.engine_config);
        let mut linker = Linker::new(&engine);
        // Thirteen distinct names into an empty linker: defining cannot fail.
        if let Err(e) = host_fns::define(&mut linker) {
            unreachable!("defining the ABI's host functions failed: {e}");
        }
        // wasmi 2.0.0 can panic while compiling a valid module: its
        // translator reaches an `unreachable!()` for a narrow store whose
        // address and value are one local holding `memory.size`, at an
        // offset above 16 bits (found by the `abi_smith` fuzz target). A
        // load must return a `LoadError`, not unwind into the operator's
        // code. Catching it is sound here: the engine is this module's
        // alone and is dropped with the error, so nothing half-compiled
        // outlives the panic.
        let module = match catch_panic(|| wasmi::Module::new(&engine, &instrumented)) {
            Ok(module) => module.map_err(load::malformed)?,
            Err(reason) => {
                return Err(load::malformed(format!(
                    "wasmi failed to compile the module (a bug in wasmi: {reason})"
                )));
            }
        };
        Ok(TaskletModule {
            inner: Arc::new(ModuleInner {
                engine,
                module,
                linker: Arc::new(linker),
                config: self.config.clone(),
                tasklets: facts.tasklets,
                imports: facts.imports,
                size_bytes: wasm.len(),
            }),
        })
    }

    /// Starts a launch of tasklet `name` on the runtime's thread pool and
    /// returns at once; [`LaunchHandle::join`] waits for its result. Launches
    /// beyond [`RuntimeConfig::threads`] wait in a queue, first in, first
    /// out.
    pub fn spawn(
        &self,
        module: &TaskletModule,
        name: &str,
        input: Vec<u8>,
        options: RunOptions,
    ) -> LaunchHandle {
        let (send, receive) = mpsc::sync_channel(1);
        let module = module.clone();
        let name = name.to_owned();
        let job: Job = Box::new(move || {
            // The handle may have been dropped: nobody wants the result.
            let _ = send.send(module.run_owned(&name, input, options));
        });
        if let Err(error) = self.pool.submit(job) {
            let (send, receive) = mpsc::sync_channel(1);
            let _ = send.send(Err(error));
            return LaunchHandle { receive };
        }
        LaunchHandle { receive }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A launch started by [`Runtime::spawn`].
#[derive(Debug)]
#[must_use = "a launch's result is only available through `join`"]
pub struct LaunchHandle {
    receive: mpsc::Receiver<Result<SharedTaskletResult, TaskletError>>,
}

impl LaunchHandle {
    /// Waits for the launch and returns its result.
    pub fn join(self) -> Result<SharedTaskletResult, TaskletError> {
        self.receive.recv().unwrap_or_else(|_| {
            Err(TaskletError::Trap {
                lane: 0,
                message:
                    "internal error in grafos-runtime: the launch thread ended without a result"
                        .into(),
            })
        })
    }
}

type Job = Box<dyn FnOnce() + Send + 'static>;

/// Queue of launches and the threads that run them.
struct PoolQueue {
    jobs: Mutex<PoolJobs>,
    ready: Condvar,
}

struct PoolJobs {
    queue: VecDeque<Job>,
    idle: usize,
    shutdown: bool,
}

/// A fixed-size pool of OS threads, started on demand.
struct LaunchPool {
    shared: Arc<PoolQueue>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    max_threads: usize,
}

impl LaunchPool {
    fn new(max_threads: usize) -> Self {
        Self {
            shared: Arc::new(PoolQueue {
                jobs: Mutex::new(PoolJobs {
                    queue: VecDeque::new(),
                    idle: 0,
                    shutdown: false,
                }),
                ready: Condvar::new(),
            }),
            threads: Mutex::new(Vec::new()),
            max_threads,
        }
    }

    fn submit(&self, job: Job) -> Result<(), TaskletError> {
        let mut threads = self.threads.lock().unwrap_or_else(PoisonError::into_inner);
        let mut jobs = self
            .shared
            .jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        jobs.queue.push_back(job);
        let need_thread = jobs.idle < jobs.queue.len() && threads.len() < self.max_threads;
        drop(jobs);
        self.shared.ready.notify_one();
        if need_thread {
            let shared = Arc::clone(&self.shared);
            let spawned = thread::Builder::new()
                .name(format!("grafos-launch-{}", threads.len()))
                .spawn(move || pool_thread(&shared));
            match spawned {
                Ok(handle) => threads.push(handle),
                Err(e) if threads.is_empty() => {
                    let mut jobs = self
                        .shared
                        .jobs
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    jobs.queue.pop_back();
                    return Err(TaskletError::InvalidConfig {
                        reason: format!("could not start a launch thread: {e}"),
                    });
                }
                // The threads already running will take the job.
                Err(_) => {}
            }
        }
        Ok(())
    }
}

fn pool_thread(shared: &PoolQueue) {
    loop {
        let job = {
            let mut jobs = shared.jobs.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if let Some(job) = jobs.queue.pop_front() {
                    break job;
                }
                if jobs.shutdown {
                    return;
                }
                jobs.idle += 1;
                jobs = shared
                    .ready
                    .wait(jobs)
                    .unwrap_or_else(PoisonError::into_inner);
                jobs.idle -= 1;
            }
        };
        job();
    }
}

impl Drop for LaunchPool {
    /// Lets the threads finish the queued launches, then joins them.
    fn drop(&mut self) {
        self.shared
            .jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .shutdown = true;
        self.shared.ready.notify_all();
        let threads =
            std::mem::take(&mut *self.threads.lock().unwrap_or_else(PoisonError::into_inner));
        for thread in threads {
            // Launches catch their own panics; a thread cannot end in one.
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use grafos_abi::{self as abi, TaskletInfo};
    use wasm_encoder::Encode;

    use super::*;

    static INFO: TaskletInfo = TaskletInfo::new("t", 2, 0, 0, 1_000, &[]);
    static RECORD: [u8; abi::record_len(&INFO)] = abi::encode_record(&INFO);

    /// The smallest module the loader accepts: tasklet `t`, whose
    /// coordinator returns OK at once.
    fn minimal_module() -> Vec<u8> {
        let mut wasm = wat::parse_str(
            r#"(module
              (memory (export "memory") 8)
              (global $sp (mut i32) (i32.const 65536))
              (global $heap (mut i32) (i32.const 65536))
              (func (export "grafos_v0_alloc") (param i32 i32) (result i32)
                global.get $heap
                global.get $heap
                local.get 0
                i32.add
                global.set $heap)
              (func (export "grafos_v0_run_lane") (param i32 i32) (result i32) i32.const 0)
              (func (export "grafos_v0_tasklet_t") (result i32) i32.const 0))"#,
        )
        .expect("valid WAT");
        let mut section = Vec::new();
        abi::TASKLETS_SECTION.encode(&mut section);
        section.extend_from_slice(&RECORD);
        wasm.push(0);
        section.len().encode(&mut wasm);
        wasm.extend(section);
        wasm
    }

    /// Found by fuzzing (`fuzz/`, target `abi_calls`): memory grew with
    /// every load, for good, because the runtime's one wasmi engine kept
    /// the compiled code of every module it had ever loaded.
    #[test]
    fn a_dropped_module_frees_its_compiled_code() {
        let runtime = Runtime::new(RuntimeConfig {
            threads: 1,
            ..RuntimeConfig::default()
        });
        let module = runtime.load(&minimal_module()).unwrap();
        let engine = module.inner.engine.weak();
        // On this thread: a pool thread drops its clone only after it has
        // sent the result, so after `join` it may still hold the module.
        let result = module.run("t", b"", RunOptions::default()).unwrap();
        assert_eq!(result.output(), b"");
        let clone = module.clone();
        drop(module);
        assert!(engine.upgrade().is_some(), "a clone keeps the module");
        drop(clone);
        assert!(
            engine.upgrade().is_none(),
            "the runtime still holds a dropped module's compiled code"
        );
    }
}
