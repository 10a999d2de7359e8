//! What `read` lends is read-only, and the coordinator's whole array
//! needs `shared_mut()`.
use grafos::cpu::{CoordinatorCtx, CpuBuilder, Partitioned};

#[derive(Default)]
struct Shared {
    out: Partitioned<u8>,
}

fn main() {
    let lease = CpuBuilder::new().cores(3).acquire().unwrap();
    let _ = lease
        .cpu()
        .shared_memory_tasklet::<Shared, ()>()
        .workers(3)
        .launch(|coord: &mut CoordinatorCtx<Shared, ()>| {
            coord.parallel_for_workers(|w| {
                let mut whole = w.shared().out.read(w.lane()).unwrap();
                whole[0] = 1;
            })?;
            coord.shared().out.as_mut_slice()[0] = 2;
            Ok(())
        });
}
