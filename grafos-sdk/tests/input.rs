//! The launch input on the host mock: borrowed from the caller when aligned
//! to `INPUT_ALIGN`, one aligned copy otherwise; typed views of it.

use grafos::cpu::{CpuBuilder, INPUT_ALIGN, SharedTaskletBuilder};

fn tasklet() -> SharedTaskletBuilder<'static, (), ()> {
    CpuBuilder::new()
        .cores(3)
        .acquire()
        .unwrap()
        .cpu()
        .shared_memory_tasklet()
        .workers(3)
}

/// The address of the input as the coordinator and every lane see it.
fn seen_at(input: &[u8]) -> Vec<usize> {
    let mut seen = Vec::new();
    tasklet()
        .input(input)
        .launch(|coord| {
            seen.push(coord.input().as_ptr() as usize);
            seen.extend(coord.map_workers(|w| Ok(w.input().as_ptr() as usize))?);
            Ok(())
        })
        .unwrap();
    seen
}

#[test]
fn an_aligned_input_is_borrowed_not_copied() {
    // 64 MiB from the allocator: aligned far beyond 16 bytes.
    let data = vec![7u8; 64 << 20];
    assert!((data.as_ptr() as usize).is_multiple_of(INPUT_ALIGN));
    assert_eq!(seen_at(&data), [data.as_ptr() as usize; 3]);
}

#[test]
fn an_unaligned_input_is_copied_once_aligned() {
    let data = vec![7u8; 1000];
    let unaligned = &data[1..];
    let seen = seen_at(unaligned);
    assert_ne!(seen[0], unaligned.as_ptr() as usize);
    assert!(seen[0].is_multiple_of(INPUT_ALIGN));
    assert_eq!(seen, [seen[0]; 3], "one copy, shared by every lane");
}

#[test]
fn typed_views_of_an_unaligned_input_hold_its_values() {
    let values: Vec<u8> = [1.5f64, -2.25, 1e300]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let mut shifted = vec![0u8];
    shifted.extend(&values);
    shifted.push(9); // a trailing partial element
    let result = tasklet()
        .input(&shifted[1..])
        .launch(|coord| {
            assert_eq!(coord.input_as::<f64>(), &[1.5, -2.25, 1e300]);
            let lens = coord.map_workers(|w| Ok(w.input_as::<u64>().len()))?;
            assert_eq!(lens, [3, 3]);
            let sum: f64 = coord.input_as::<f64>().iter().sum();
            coord.set_output_as(&[sum]);
            Ok(())
        })
        .unwrap();
    assert_eq!(result.output(), (1.5f64 - 2.25 + 1e300).to_le_bytes());
}

/// A context swapped into another launch (two nested launches, `mem::swap`
/// of their `&mut` contexts) would let one launch read the other's
/// borrowed input after it ended: the launch ends the process instead. Run
/// in a child process, which must die of `SIGABRT`.
#[test]
#[cfg(unix)]
fn a_context_swapped_out_of_its_launch_aborts_the_process() {
    use std::os::unix::process::ExitStatusExt;
    if std::env::var_os("GRAFOS_SWAP_CHILD").is_some() {
        let outer = vec![1u8; 64];
        tasklet()
            .input(&outer)
            .launch(|a| {
                let inner = vec![2u8; 64];
                let _ = tasklet().input(&inner).launch(|b| {
                    std::mem::swap(a, b);
                    Ok(())
                });
                unreachable!("the inner launch must abort");
            })
            .unwrap();
        return;
    }
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_context_swapped_out_of_its_launch_aborts_the_process",
        ])
        .env("GRAFOS_SWAP_CHILD", "1")
        .output()
        .unwrap()
        .status;
    assert_eq!(status.signal(), Some(6), "{status:?}");
}

#[test]
fn a_broadcast_from_a_lane_out_of_range_fails_the_launch() {
    let error = tasklet()
        .launch(|coord| {
            coord.map_workers(|w| w.broadcast(2, 5u32))?;
            Ok(())
        })
        .unwrap_err();
    assert_eq!(
        error,
        grafos::cpu::TaskletError::failed(
            "broadcast from data lane 2, but the launch has 2 data lane(s) (0..2)"
        )
    );
}

#[test]
fn a_lane_that_returns_while_others_wait_in_a_collective_is_a_barrier_mismatch() {
    let error = tasklet()
        .launch(|coord| {
            coord.map_workers(|w| match w.data_worker_index() {
                0 => Ok(0u64),
                _ => Ok(w.all_reduce(1u64, u64::wrapping_add)?),
            })?;
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(
            error,
            grafos::cpu::TaskletError::BarrierMismatch {
                lane: 1,
                reached: 0,
                expected: 1
            }
        ),
        "{error:?}"
    );
}
