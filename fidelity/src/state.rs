//! State that outlives a launch. The runtime instantiates the module afresh
//! for every launch, so a `static` starts from its initial value each
//! time; on the host mock a `static` lives as long as the process — across
//! launches, across tests. The first host launch agrees with the runtime;
//! the next does not. The lint rejects `static mut` and `thread_local!`,
//! not a `static` atomic, `OnceLock` or `LazyLock`.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{LazyLock, Mutex, OnceLock};

use grafos::prelude::*;

/// Numbers its launches with a `static AtomicU32` and writes the number.
/// The runtime always writes 1; the host 1, 2, 3, ... Caught: targets
/// compute differently (on the second host launch).
#[grafos::tasklet(workers = 2)]
pub mod static_counter {
    use super::*;

    static LAUNCHES: AtomicU32 = AtomicU32::new(0);

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let n = LAUNCHES.fetch_add(1, Relaxed) + 1;
        Ok(n.to_le_bytes().to_vec())
    }
}

/// Takes its "configuration" — the first input's length — once, in a
/// `OnceLock`, and writes it. The runtime configures itself from every
/// launch's input; the host mock keeps the first launch's. Caught: targets
/// compute differently (on the second input).
#[grafos::tasklet(workers = 3)]
pub mod once_lock_config {
    use super::*;

    static CONFIG: OnceLock<u32> = OnceLock::new();

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let config = *CONFIG.get_or_init(|| coord.input().len() as u32);
        Ok(config.to_le_bytes().to_vec())
    }
}

/// Keeps a history of the inputs' first bytes in a `LazyLock<Mutex<Vec>>`
/// (a "recent inputs" log) and writes it. It grows on the host mock; the
/// runtime's has one entry. Caught: targets compute differently.
#[grafos::tasklet(workers = 2)]
pub mod lazy_lock_history {
    use super::*;

    static HISTORY: LazyLock<Mutex<Vec<u8>>> = LazyLock::new(|| Mutex::new(Vec::new()));

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut history = HISTORY.lock().unwrap_or_else(|e| e.into_inner());
        history.push(coord.input().first().copied().unwrap_or(0));
        Ok(history.clone())
    }
}

/// A memo table in a `static LazyLock<Mutex<BTreeMap>>`: it outlives the
/// launch on the host, but a memo returns what it would compute anyway, so
/// the output is the same. Still gets through — correctly: state that
/// outlives a launch is harmless when it cannot change the result.
#[grafos::tasklet(workers = 2)]
pub mod memo_table {
    use super::*;

    static MEMO: LazyLock<Mutex<std::collections::BTreeMap<u8, u64>>> =
        LazyLock::new(|| Mutex::new(std::collections::BTreeMap::new()));

    fn slow_square(b: u8) -> u64 {
        u64::from(b) * u64::from(b)
    }

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut memo = MEMO.lock().unwrap_or_else(|e| e.into_inner());
        let mut total = 0u64;
        for &b in coord.input() {
            total = total.wrapping_add(*memo.entry(b).or_insert_with(|| slow_square(b)));
        }
        Ok(total.to_le_bytes().to_vec())
    }
}
