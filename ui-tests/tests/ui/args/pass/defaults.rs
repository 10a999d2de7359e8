//! Every argument but `workers` left out: the defaults.
use grafos::prelude::*;

#[grafos::tasklet(workers = 3)]
mod echo {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(|w| assert_eq!(w.data_worker_count(), 2))?;
        let input = coord.input().to_vec();
        coord.set_output(&input);
        Ok(())
    }
}

fn main() {
    assert_eq!(echo::INFO.name, "echo");
    assert_eq!(echo::INFO.workers, 3);
    assert_eq!(echo::INFO.shared_bytes, 0);
    assert_eq!(echo::INFO.scratch_bytes, 0);
    assert_eq!(echo::INFO.fuel, grafos::cpu::DEFAULT_FUEL);
    assert!(echo::INFO.worker_names.is_empty());
    assert_eq!(echo::run_host(b"hello").unwrap().output(), b"hello");
}
