//! A lane's part cannot be kept past its region: the borrow ends with it.
use grafos::cpu::{CoordinatorCtx, CpuBuilder, PartMut, Partitioned};

#[derive(Default)]
struct Shared {
    out: Partitioned<u8>,
}

#[derive(Default)]
struct Scratch {
    kept: Option<PartMut<'static, u8>>,
}

fn main() {
    let lease = CpuBuilder::new().cores(3).acquire().unwrap();
    let _ = lease
        .cpu()
        .shared_memory_tasklet::<Shared, Scratch>()
        .workers(3)
        .launch(|coord: &mut CoordinatorCtx<Shared, Scratch>| {
            coord.parallel_for_workers(|w| {
                let part = w.shared().out.part_mut(w.lane()).unwrap();
                w.scratch_mut().kept = Some(part);
            })
        });
}
