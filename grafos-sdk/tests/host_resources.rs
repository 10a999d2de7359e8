//! Process-wide resources of the host mock: lane threads are joined and
//! memory is returned, launch after launch. A separate test binary, so no
//! other test's threads or allocations blur the counts.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use grafos::cpu::TaskletError;

mod common;
mod process;
use common::tasklet;
use process::{rss_kib, threads_named};

#[derive(Default)]
struct Counters {
    hits: AtomicU32,
}

#[derive(Default)]
struct Local {
    seen: Vec<usize>,
}

/// The tests of this file measure the process, so they run one at a time.
static PROCESS_WIDE: Mutex<()> = Mutex::new(());

#[test]
fn a_thousand_launches_leave_no_thread_or_memory_behind() {
    let _alone = PROCESS_WIDE.lock().unwrap_or_else(|e| e.into_inner());
    let launch = |i: u32| {
        tasklet::<Counters, Local>(4)
            .input(&i.to_le_bytes())
            .launch(|coord| {
                for _ in 0..2 {
                    coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                        let index = w.data_worker_index();
                        w.scratch_mut().seen.push(index);
                        w.barrier()?;
                        w.shared().hits.fetch_add(1, Ordering::SeqCst);
                        Ok(())
                    })?;
                }
                coord.set_output(&coord.shared().hits.load(Ordering::SeqCst).to_le_bytes());
                Ok(())
            })
            .unwrap()
    };
    for i in 0..50 {
        launch(i); // warm up the allocator
    }
    let rss = rss_kib();
    for i in 0..1_000 {
        assert_eq!(launch(i).output(), &6u32.to_le_bytes());
    }
    // Every lane thread of every launch was joined. (The process's whole
    // thread count would also see the test harness start another test's
    // thread meanwhile.)
    assert_eq!(threads_named("grafos-lane-"), 0, "lane threads left behind");
    let rss_after = rss_kib();
    assert!(
        rss_after < rss + 8 * 1024,
        "RSS grew from {rss} KiB to {rss_after} KiB"
    );
}

#[test]
fn a_panicking_launch_leaves_no_lane_thread_behind() {
    let _alone = PROCESS_WIDE.lock().unwrap_or_else(|e| e.into_inner());
    for _ in 0..20 {
        let e = tasklet::<(), ()>(6)
            .launch(|coord| {
                coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                    if w.data_worker_index() == 4 {
                        panic!("lane down");
                    }
                    w.barrier()?;
                    Ok(())
                })?;
                Ok(())
            })
            .unwrap_err();
        assert!(matches!(e, TaskletError::WorkerPanicked { lane: 5, .. }));
    }
    assert_eq!(threads_named("grafos-lane-"), 0, "lane threads left behind");
}
