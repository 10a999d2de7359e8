//! [`Runtime`]: the engine, the linker and the launch pool.

use std::collections::VecDeque;
use std::fmt;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

use grafos::cpu::{SharedTaskletResult, TaskletError};
use wasmi::{CompilationMode, Config, Engine, Linker};

use crate::error::LoadError;
use crate::module::{ModuleInner, TaskletModule};
use crate::options::{RunOptions, RuntimeConfig};
use crate::state::LaunchState;
use crate::{host_fns, load, rewrite};

/// Loads tasklet modules and runs their launches.
///
/// One `Runtime` holds one wasmi engine (fuel metering on, eager
/// compilation), one linker with the ABI's host functions, and a pool of OS
/// threads on which [`spawn`](Self::spawn) runs launches in parallel, each
/// on one thread. [`TaskletModule::run`] runs a launch on the caller's
/// thread instead. Dropping a `Runtime` lets the launches it has queued
/// finish, then joins its threads.
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
    engine: Engine,
    linker: Arc<Linker<LaunchState>>,
    config: RuntimeConfig,
    pool: LaunchPool,
}

impl Runtime {
    /// A runtime with `config`. Threads of the pool start on demand.
    pub fn new(config: RuntimeConfig) -> Self {
        let mut wasmi_config = Config::default();
        wasmi_config
            .consume_fuel(true)
            .compilation_mode(CompilationMode::Eager);
        let engine = Engine::new(&wasmi_config);
        let mut linker = Linker::new(&engine);
        // Twelve distinct names into an empty linker: defining cannot fail.
        if let Err(e) = host_fns::define(&mut linker) {
            unreachable!("defining the ABI's host functions failed: {e}");
        }
        let pool = LaunchPool::new(config.threads.max(1));
        Self {
            engine,
            linker: Arc::new(linker),
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
        let module = wasmi::Module::new(&self.engine, &instrumented).map_err(load::malformed)?;
        Ok(TaskletModule {
            inner: Arc::new(ModuleInner {
                engine: self.engine.clone(),
                module,
                linker: Arc::clone(&self.linker),
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
