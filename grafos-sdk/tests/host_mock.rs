//! The host mock end to end: regions, barriers, fuel, cancellation, and
//! every `TaskletError` the host mock can produce, each provoked for real.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use grafos::cpu::{
    CancelToken, CoordinatorCtx, CpuBuilder, SharedTaskletBuilder, SharedTaskletResult,
    TaskletError,
};

mod common;
use common::tasklet;

#[derive(Default)]
struct Counters {
    hits: AtomicU32,
    sum: AtomicU64,
}

#[derive(Default)]
struct Local {
    seen: Vec<usize>,
    partial: u64,
}

#[test]
fn every_data_lane_runs_once_per_region_and_lanes_are_reused() {
    let result = tasklet::<Counters, Local>(5)
        .launch(|coord: &mut CoordinatorCtx<Counters, Local>| {
            let threads = Mutex::new(Vec::new());
            for region in 0..3 {
                coord.parallel_for_workers(|w| {
                    w.shared().hits.fetch_add(1, Ordering::SeqCst);
                    let index = w.data_worker_index();
                    w.scratch_mut().seen.push(index * 10 + region);
                    threads
                        .lock()
                        .unwrap()
                        .push((w.worker_index(), w.host_thread_id()));
                })?;
            }
            let mut threads = threads.into_inner().unwrap();
            threads.sort_by_key(|(lane, _)| *lane);
            threads.dedup();
            // Four data lanes, each on one thread for all three regions.
            assert_eq!(threads.len(), 4, "{threads:?}");
            for i in 0..coord.data_worker_count() {
                assert_eq!(coord.data_scratch(i).seen, [i * 10, i * 10 + 1, i * 10 + 2]);
            }
            let hits = coord.shared().hits.load(Ordering::SeqCst);
            coord.set_output(&hits.to_le_bytes());
            Ok(())
        })
        .unwrap();
    assert_eq!(result.output(), &12u32.to_le_bytes());
    assert_eq!(result.regions(), 3);
}

#[test]
fn partitions_cover_the_input_and_lane_order_reductions_are_exact() {
    let input: Vec<u8> = (0..10_007u32).map(|i| (i * 31 % 251) as u8).collect();
    let expected: u64 = input.iter().map(|&b| u64::from(b)).sum();
    for workers in [2, 3, 4, 8, 17] {
        let result = tasklet::<Counters, Local>(workers)
            .input(&input)
            .launch(|coord| {
                coord.parallel_for_workers(|w| {
                    let range = w.partition(w.input().len());
                    let sum = w.input()[range].iter().map(|&b| u64::from(b)).sum();
                    w.scratch_mut().partial = sum;
                })?;
                let total: u64 = (0..coord.data_worker_count())
                    .map(|i| coord.data_scratch(i).partial)
                    .sum();
                coord.set_output(&total.to_le_bytes());
                Ok(())
            })
            .unwrap();
        assert_eq!(
            result.output(),
            &expected.to_le_bytes(),
            "workers = {workers}"
        );
    }
}

#[test]
fn barriers_order_phases_across_lanes() {
    // Phase 1 writes one slot per lane; after the barrier every lane reads
    // every slot. Without a working barrier some lane reads a zero.
    #[derive(Default)]
    struct Slots {
        slot: [AtomicU32; 16],
        wrong: AtomicU32,
    }
    let result = tasklet::<Slots, ()>(9)
        .launch(|coord| {
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                for round in 1..=50u32 {
                    let me = w.data_worker_index();
                    w.shared().slot[me].store(round, Ordering::SeqCst);
                    w.barrier()?;
                    for other in 0..w.data_worker_count() {
                        if w.shared().slot[other].load(Ordering::SeqCst) != round {
                            w.shared().wrong.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    w.barrier()?;
                }
                Ok(())
            })?;
            coord.set_output(&coord.shared().wrong.load(Ordering::SeqCst).to_le_bytes());
            Ok(())
        })
        .unwrap();
    assert_eq!(result.output(), &0u32.to_le_bytes());
    assert_eq!(result.barrier_rounds(), 100);
}

#[test]
fn worker_parts_borrow_shared_scratch_and_input_together() {
    let result = tasklet::<Counters, Local>(3)
        .input(b"abcdef")
        .launch(|coord| {
            coord.parallel_for_workers(|w| {
                let parts = w.parts();
                let range = parts.lane.partition(parts.input.len());
                parts.scratch.partial = parts.input[range].len() as u64;
                parts.shared.hits.fetch_add(1, Ordering::SeqCst);
            })?;
            let out = [
                coord.data_scratch(0).partial as u8,
                coord.data_scratch(1).partial as u8,
            ];
            coord.set_output(&out);
            Ok(())
        })
        .unwrap();
    assert_eq!(result.output(), &[3, 3]);
}

// ---------------------------------------------------------------------------
// Errors, each provoked
// ---------------------------------------------------------------------------

fn run_noop(
    builder: SharedTaskletBuilder<'_, u64, u32>,
) -> Result<SharedTaskletResult, TaskletError> {
    builder.launch(|coord| coord.parallel_for_workers(|_| ()))
}

#[test]
fn invalid_config_before_the_launch_starts() {
    let started = AtomicU32::new(0);
    let run = |builder: SharedTaskletBuilder<'_, u64, u32>| {
        builder
            .launch(|_| {
                started.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
            .unwrap_err()
    };
    let e = run(tasklet(1));
    assert!(e.to_string().contains("workers must be 2 to 256"), "{e}");
    let e = run(tasklet(257));
    assert!(matches!(e, TaskletError::InvalidConfig { .. }), "{e}");
    let e = run(tasklet(4).fuel(0));
    assert!(e.to_string().contains("fuel must be at least 1"), "{e}");
    let e = run(tasklet(4).cores(9));
    assert!(e.to_string().contains("lease has 8"), "{e}");
    assert_eq!(started.load(Ordering::SeqCst), 0, "no coordinator ran");
}

#[test]
fn shared_and_scratch_too_small() {
    assert_eq!(
        run_noop(tasklet(2).shared_bytes(4)).unwrap_err(),
        TaskletError::SharedTooSmall { need: 8, have: 4 }
    );
    assert_eq!(
        run_noop(tasklet(2).scratch_bytes_per_worker(1)).unwrap_err(),
        TaskletError::ScratchTooSmall { need: 4, have: 1 }
    );
}

#[test]
fn fuel_exhausted_at_the_checkpoint_past_the_pool() {
    let used = AtomicU32::new(0);
    let e = tasklet::<(), ()>(3)
        .fuel(10)
        .launch(|coord| {
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                loop {
                    w.fuel_checkpoint()?;
                    used.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .unwrap_err();
    assert!(
        matches!(
            e,
            TaskletError::FuelExhausted {
                budget: 10,
                used: 10,
                since_sdk_call: None,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("budget of 10 ran out"), "{e}");
    assert_eq!(
        used.load(Ordering::SeqCst),
        10,
        "exactly the pool's checkpoints succeed"
    );

    let ok = tasklet::<(), ()>(2)
        .fuel(3)
        .launch(|coord| {
            for _ in 0..3 {
                coord.fuel_checkpoint()?;
            }
            assert_eq!(coord.fuel_remaining(), 0);
            Ok(())
        })
        .unwrap();
    assert_eq!(ok.fuel_used(), 3);
}

#[test]
fn fuel_exhaustion_releases_lanes_waiting_at_a_barrier() {
    let e = tasklet::<(), ()>(4)
        .fuel(5)
        .launch(|coord| {
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                if w.data_worker_index() == 0 {
                    loop {
                        w.fuel_checkpoint()?;
                    }
                }
                w.barrier()?;
                Ok(())
            })
        })
        .unwrap_err();
    // Data worker 0 is raw lane 1: its checkpoint found the pool dry.
    assert!(
        matches!(
            e,
            TaskletError::FuelExhausted {
                budget: 5,
                lane: 1,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn cancellation_releases_a_barrier_within_100_ms() {
    let token = CancelToken::new();
    let canceller = {
        let token = token.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            let at = Instant::now();
            token.cancel();
            at
        })
    };
    let e = tasklet::<(), ()>(4)
        .cancel_token(token)
        .launch(|coord| {
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                // Lane 0 never arrives; the others wait until cancelled.
                if w.data_worker_index() != 0 {
                    w.barrier()?;
                } else {
                    while !w.is_cancelled() {
                        thread::yield_now();
                    }
                }
                Ok(())
            })
        })
        .unwrap_err();
    let returned = Instant::now();
    let cancelled_at = canceller.join().unwrap();
    assert_eq!(e, TaskletError::Cancelled);
    let latency = returned.duration_since(cancelled_at);
    assert!(
        latency < Duration::from_millis(100),
        "returned {latency:?} after the cancel"
    );
}

#[test]
fn a_token_cancelled_before_launch_cancels_it() {
    let token = CancelToken::new();
    token.cancel();
    let e = tasklet::<(), ()>(2)
        .cancel_token(token)
        .launch(|coord| {
            coord.set_output(b"never returned");
            Ok(())
        })
        .unwrap_err();
    assert_eq!(e, TaskletError::Cancelled);
}

#[test]
fn cancellation_is_seen_at_fuel_checkpoints() {
    let token = CancelToken::new();
    let e = tasklet::<(), ()>(3)
        .cancel_token(token.clone())
        .launch(|coord| {
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                if w.data_worker_index() == 1 {
                    token.cancel();
                }
                loop {
                    w.fuel_checkpoint()?;
                }
            })
        })
        .unwrap_err();
    assert_eq!(
        e,
        TaskletError::Cancelled,
        "the cause, not the checkpoint's FuelExhausted"
    );
}

#[test]
fn worker_panic_in_region_2_of_3_names_lane_and_message() {
    let regions_run = AtomicU32::new(0);
    let e = tasklet::<(), ()>(4)
        .launch(|coord| {
            for region in 1..=3 {
                regions_run.store(region, Ordering::SeqCst);
                coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                    if region == 2 && w.data_worker_index() == 1 {
                        panic!("bad pixel at {}", 42);
                    }
                    // The other lanes wait for the panicking one and are released.
                    w.barrier()?;
                    Ok(())
                })?;
            }
            Ok(())
        })
        .unwrap_err();
    assert_eq!(
        e,
        TaskletError::WorkerPanicked {
            lane: 2,
            message: "bad pixel at 42".into()
        }
    );
    assert_eq!(
        regions_run.load(Ordering::SeqCst),
        2,
        "the coordinator stopped at region 2"
    );
}

#[test]
fn the_first_failure_wins_over_what_the_coordinator_makes_of_it() {
    let e = tasklet::<(), ()>(3)
        .launch(|coord| {
            let region = coord.parallel_for_workers(|w| {
                if w.data_worker_index() == 0 {
                    panic!("first");
                }
            });
            assert!(region.is_err());
            // The coordinator swallows the error and even succeeds.
            coord.set_output(b"ignored");
            Ok(())
        })
        .unwrap_err();
    assert_eq!(
        e,
        TaskletError::WorkerPanicked {
            lane: 1,
            message: "first".into()
        }
    );
}

#[test]
fn a_failed_launch_runs_no_further_region() {
    let later = AtomicU32::new(0);
    let e = tasklet::<(), ()>(3)
        .launch(|coord| {
            let first = coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                if w.data_worker_index() == 0 {
                    return Err(TaskletError::failed("lane 0 gave up"));
                }
                Ok(())
            });
            assert_eq!(first, Err(TaskletError::failed("lane 0 gave up")));
            let again = coord.parallel_for_workers(|_| {
                later.fetch_add(1, Ordering::SeqCst);
            });
            assert_eq!(again, Err(TaskletError::failed("lane 0 gave up")));
            assert!(coord.is_cancelled());
            assert!(coord.barrier().is_err());
            assert!(coord.fuel_checkpoint().is_err());
            Ok(())
        })
        .unwrap_err();
    assert_eq!(later.load(Ordering::SeqCst), 0);
    assert_eq!(e, TaskletError::failed("lane 0 gave up"));
}

#[test]
fn a_worker_error_fails_the_launch_with_that_error() {
    let e = tasklet::<(), ()>(2)
        .launch(|coord| {
            coord.parallel_for_workers(|_| Err(TaskletError::failed("malformed input")))
        })
        .unwrap_err();
    assert_eq!(e, TaskletError::failed("malformed input"));
}

#[test]
fn a_lane_returning_while_others_wait_is_a_barrier_mismatch() {
    let e = tasklet::<(), ()>(5)
        .launch(|coord| {
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                w.barrier()?;
                // Lane 3 (data worker 2) leaves after one barrier; the rest want two.
                if w.data_worker_index() != 2 {
                    w.barrier()?;
                }
                Ok(())
            })
        })
        .unwrap_err();
    assert_eq!(
        e,
        TaskletError::BarrierMismatch {
            lane: 3,
            reached: 1,
            expected: 2
        }
    );
}

#[test]
fn a_lane_arriving_after_another_returned_is_a_barrier_mismatch() {
    // Lane 1 returns at once; lane 2 gets to its barrier only afterwards.
    let e = tasklet::<(), ()>(3)
        .launch(|coord| {
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                if w.data_worker_index() == 1 {
                    thread::sleep(Duration::from_millis(20));
                    w.barrier()?;
                }
                Ok(())
            })
        })
        .unwrap_err();
    assert_eq!(
        e,
        TaskletError::BarrierMismatch {
            lane: 1,
            reached: 0,
            expected: 1
        }
    );
}

#[test]
fn coordinator_panic() {
    let e = tasklet::<(), ()>(3)
        .launch(|coord| {
            coord.parallel_for_workers(|_| ())?;
            let v: Vec<u8> = Vec::new();
            coord.set_output(&[v[3]]);
            Ok(())
        })
        .unwrap_err();
    match e {
        TaskletError::CoordinatorPanicked { message } => {
            assert!(message.contains("index out of bounds"), "{message}")
        }
        other => panic!("expected CoordinatorPanicked, got {other:?}"),
    }
}

#[test]
fn the_coordinators_own_error_is_returned() {
    let e = tasklet::<(), ()>(2)
        .launch(|_| Err(TaskletError::failed("no input")))
        .unwrap_err();
    assert_eq!(e, TaskletError::failed("no input"));
}

#[test]
fn many_lanes_on_few_cores_complete_without_spinning_forever() {
    let result = CpuBuilder::new()
        .cores(2)
        .acquire()
        .unwrap()
        .cpu()
        .shared_memory_tasklet::<Counters, ()>()
        .workers(33)
        .launch(|coord| {
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                for _ in 0..20 {
                    w.barrier()?;
                }
                w.shared().hits.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })?;
            coord.set_output(&coord.shared().hits.load(Ordering::SeqCst).to_le_bytes());
            Ok(())
        })
        .unwrap();
    assert_eq!(result.output(), &32u32.to_le_bytes());
    assert_eq!(result.barrier_rounds(), 20);
}

#[test]
fn outputs_are_identical_run_after_run() {
    let input: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let run = || {
        tasklet::<Counters, Local>(5)
            .input(&input)
            .launch(|coord| {
                coord.parallel_for_workers(|w| {
                    let range = w.partition(w.input().len());
                    let sum: u64 = w.input()[range].iter().map(|&b| u64::from(b)).sum();
                    w.shared().sum.fetch_add(sum, Ordering::Relaxed);
                })?;
                coord.set_output(&coord.shared().sum.load(Ordering::Relaxed).to_le_bytes());
                Ok(())
            })
            .unwrap()
            .into_output()
    };
    let first = run();
    for _ in 0..20 {
        assert_eq!(run(), first);
    }
}

#[test]
fn shared_state_is_visible_to_the_coordinator_after_each_region() {
    let result = tasklet::<Counters, ()>(4)
        .launch(|coord| {
            let mut seen = Vec::new();
            for _ in 0..5 {
                coord.parallel_for_workers(|w| {
                    w.shared().hits.fetch_add(1, Ordering::Relaxed);
                })?;
                seen.push(coord.shared().hits.load(Ordering::Relaxed) as u8);
                *coord.shared_mut().hits.get_mut() += 100;
            }
            coord.set_output(&seen);
            Ok(())
        })
        .unwrap();
    assert_eq!(result.output(), &[3, 106, 209, 56, 159]);
}

#[test]
fn scratch_persists_across_regions_and_is_per_lane() {
    let result = tasklet::<(), Arc<Mutex<u32>>>(3)
        .launch(|coord| {
            for _ in 0..4 {
                coord.parallel_for_workers(|w| {
                    *w.scratch_mut().lock().unwrap() += w.data_worker_index() as u32 + 1;
                })?;
            }
            let a = *coord.data_scratch(0).lock().unwrap();
            let b = *coord.data_scratch(1).lock().unwrap();
            coord.set_output(&[a as u8, b as u8]);
            Ok(())
        })
        .unwrap();
    assert_eq!(result.output(), &[4, 8]);
}
