//! Model checks of the host mock with `loom`: every interleaving (up to a
//! preemption bound) of the lane hand-off, the barrier, cancellation and
//! failures, through the public builder API. Run them with
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" cargo test -p grafos-sdk --lib --release host::loom_tests
//! ```
//!
//! (`.ci/run` does.) Waits spin once instead of thousands of times under
//! `cfg(loom)`, so the state space stays small.

use loom::model::Builder;

use crate::cpu::{CancelToken, CpuBuilder, SharedTaskletBuilder, TaskletError};

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(f);
}

fn tasklet(workers: usize) -> SharedTaskletBuilder<'static, (), ()> {
    CpuBuilder::new()
        .cores(4)
        .acquire()
        .unwrap()
        .cpu()
        .shared_memory_tasklet()
        .workers(workers)
        .cores(4)
}

#[test]
fn barriers_release_every_lane_and_count_rounds() {
    model(|| {
        let result = tasklet(3)
            .launch(|coord| {
                coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                    w.barrier()?;
                    w.barrier()?;
                    Ok(())
                })
            })
            .unwrap();
        assert_eq!(result.barrier_rounds(), 2);
    });
}

#[test]
fn lanes_are_handed_a_second_region() {
    model(|| {
        let result = tasklet(3)
            .launch(|coord| {
                coord.parallel_for_workers(|_| ())?;
                coord.parallel_for_workers(|w| w.barrier())
            })
            .unwrap();
        assert_eq!(result.regions(), 2);
    });
}

#[test]
fn a_lane_returning_early_releases_the_waiter_with_a_mismatch() {
    model(|| {
        let e = tasklet(3)
            .launch(|coord| {
                coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                    if w.data_worker_index() == 1 {
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
    });
}

#[test]
fn a_failing_lane_releases_lanes_arriving_at_the_barrier() {
    model(|| {
        let e = tasklet(4)
            .launch(|coord| {
                coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                    if w.data_worker_index() == 2 {
                        return Err(TaskletError::failed("lane 3"));
                    }
                    w.barrier()?;
                    Ok(())
                })
            })
            .unwrap_err();
        assert_eq!(e, TaskletError::failed("lane 3"));
    });
}

#[test]
fn cancellation_racing_a_barrier_never_hangs() {
    model(|| {
        let token = CancelToken::new();
        let result = tasklet(3).cancel_token(token.clone()).launch(|coord| {
            // Spawned from inside the launch, so the launch's state exists
            // (in loom's eyes too) before the cancel can reach it. Not
            // joined: loom ends a join at any `unpark`, and the cancel
            // unparks every lane; loom checks that the thread ends.
            loom::thread::spawn(move || token.cancel());
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                w.barrier()?;
                Ok(())
            })
        });
        // The launch always returns: cancelled, or finished before the
        // cancel landed.
        match result {
            Ok(r) => assert_eq!(r.barrier_rounds(), 1),
            Err(e) => assert_eq!(e, TaskletError::Cancelled),
        }
    });
}

#[test]
fn a_lane_panicking_while_others_arrive_fails_the_launch_with_its_panic() {
    // This panic would be printed once per explored interleaving; other
    // panics (failed assertions) still go to the default hook.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload_as_str() != Some("lane 2 down") {
            default_hook(info);
        }
    }));
    model(|| {
        let e = tasklet(4)
            .launch(|coord| {
                coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                    if w.data_worker_index() == 1 {
                        panic!("lane 2 down");
                    }
                    w.barrier()?;
                    Ok(())
                })
            })
            .unwrap_err();
        assert_eq!(
            e,
            TaskletError::WorkerPanicked {
                lane: 2,
                message: "lane 2 down".into()
            }
        );
    });
}

/// `Partitioned`: a lane reading an array whole while another writes its
/// part of it is refused in every interleaving, and parts of different
/// lanes are written side by side.
#[test]
fn partitioned_reads_and_writes_never_overlap() {
    use crate::cpu::Partitioned;

    #[derive(Default)]
    struct Arrays {
        a: Partitioned<u8>,
    }

    model(|| {
        let launch = |read_lane: Option<usize>| {
            CpuBuilder::new()
                .cores(4)
                .acquire()
                .unwrap()
                .cpu()
                .shared_memory_tasklet::<Arrays, ()>()
                .workers(3)
                .cores(4)
                .launch(move |coord| {
                    coord.shared_mut().a.as_mut_vec().resize(4, 0);
                    coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                        let lane = w.lane();
                        if Some(lane.index) == read_lane {
                            let whole = w.shared().a.read(lane)?;
                            assert!(whole.iter().all(|&v| v == 0));
                        } else {
                            w.shared().a.part_mut(lane)?.fill(lane.index as u8 + 1);
                        }
                        Ok(())
                    })?;
                    let out = coord.shared_mut().a.as_mut_slice().to_vec();
                    coord.set_output(&out);
                    Ok(())
                })
        };
        let result = launch(Some(0));
        assert!(
            matches!(result, Err(TaskletError::PartitionMisuse { .. })),
            "{result:?}"
        );
        assert_eq!(launch(None).unwrap().output(), [1, 1, 2, 2]);
    });
}
