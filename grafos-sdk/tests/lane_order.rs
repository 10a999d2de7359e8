//! The host mock's serialized mode (`SharedTaskletBuilder::lane_order`):
//! lanes take turns in the order the runtime would give them, so an
//! order-dependent tasklet gives the same bytes every run under one order
//! and different bytes under another.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::SeqCst};

use grafos::cpu::{CoordinatorCtx, LaneOrder, TaskletError};

mod common;
use common::tasklet;

/// Each lane claims the next slot with `fetch_add` and writes its lane
/// number there, in two rounds separated by a barrier: the output is the
/// order lanes got to the counter.
#[derive(Default)]
struct Claims {
    next: AtomicUsize,
    slots: [AtomicU32; 16],
}

fn claim_order(workers: usize, order: Option<LaneOrder>) -> Result<Vec<u8>, TaskletError> {
    let mut builder = tasklet::<Claims, ()>(workers);
    if let Some(order) = order {
        builder = builder.lane_order(order);
    }
    builder
        .launch(|coord: &mut CoordinatorCtx<Claims, ()>| {
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                let lane = w.data_worker_index() as u32 + 1;
                for _ in 0..2 {
                    let slot = w.shared().next.fetch_add(1, SeqCst);
                    w.shared().slots[slot].store(lane, SeqCst);
                    w.barrier()?;
                }
                Ok(())
            })?;
            let bytes = coord.shared().slots.iter().map(|s| s.load(SeqCst) as u8);
            let out: Vec<u8> = bytes.take(2 * (coord.data_worker_count())).collect();
            coord.set_output(&out);
            Ok(())
        })
        .map(|r| r.into_output())
}

#[test]
fn lanes_take_turns_in_the_order_given() {
    assert_eq!(
        claim_order(5, Some(LaneOrder::InOrder)).unwrap(),
        [1, 2, 3, 4, 1, 2, 3, 4]
    );
    assert_eq!(
        claim_order(5, Some(LaneOrder::Reversed)).unwrap(),
        [4, 3, 2, 1, 4, 3, 2, 1]
    );
}

#[test]
fn a_seeded_order_is_the_same_every_run_and_matches_the_shared_permutation() {
    let first = claim_order(6, Some(LaneOrder::Seeded(11))).unwrap();
    for _ in 0..20 {
        assert_eq!(claim_order(6, Some(LaneOrder::Seeded(11))).unwrap(), first);
    }
    let mut expected = Vec::new();
    let mut round = Vec::new();
    for r in 0..2 {
        LaneOrder::Seeded(11).fill(&mut round, 5, 0, r);
        expected.extend(round.iter().map(|&l| l as u8));
    }
    assert_eq!(first, expected);
}

#[test]
fn failures_in_serialized_mode_end_the_launch_without_hanging() {
    // A lane returns early while the others wait at the barrier.
    let e = tasklet::<(), ()>(4)
        .lane_order(LaneOrder::Reversed)
        .launch(|coord| {
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                if w.data_worker_index() != 1 {
                    w.barrier()?;
                }
                Ok(())
            })?;
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(e, TaskletError::BarrierMismatch { lane: 2, .. }),
        "{e}"
    );
    // A lane panics while it is its turn.
    let e = tasklet::<(), ()>(4)
        .lane_order(LaneOrder::Seeded(3))
        .launch(|coord| {
            coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                w.barrier()?;
                if w.data_worker_index() == 2 {
                    panic!("lane down");
                }
                w.barrier()?;
                Ok(())
            })?;
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(e, TaskletError::WorkerPanicked { lane: 3, .. }),
        "{e}"
    );
}

#[test]
fn many_regions_and_rounds_in_serialized_mode() {
    #[derive(Default)]
    struct Sum(AtomicU32);
    let result = tasklet::<Sum, ()>(9)
        .lane_order(LaneOrder::Seeded(5))
        .launch(|coord: &mut CoordinatorCtx<Sum, ()>| {
            for _ in 0..20 {
                coord.parallel_for_workers(|w| -> Result<(), TaskletError> {
                    for _ in 0..5 {
                        w.shared().0.fetch_add(1, SeqCst);
                        w.barrier()?;
                    }
                    Ok(())
                })?;
            }
            coord.set_output(&coord.shared().0.load(SeqCst).to_le_bytes());
            Ok(())
        })
        .unwrap();
    assert_eq!(result.output(), &(20 * 5 * 8u32).to_le_bytes());
    assert_eq!(result.barrier_rounds(), 100);
}
