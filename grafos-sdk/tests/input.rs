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
