//! A worker's `Err` fails the launch with that error, whichever form it has.
use grafos::prelude::*;

#[grafos::tasklet(workers = 3)]
mod strict {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(check)?;
        coord.parallel_for_workers(check_lane)?;
        coord.set_output(b"ok");
        Ok(())
    }

    #[worker]
    fn check(input: &[u8]) -> Result<(), TaskletError> {
        match input.first() {
            Some(b'!') => Err(TaskletError::failed("input starts with '!'")),
            _ => Ok(()),
        }
    }

    #[worker]
    fn check_lane(w: &mut Worker) -> Result<(), TaskletError> {
        if w.input() == b"?" && w.data_worker_index() == 1 {
            return Err(TaskletError::failed("lane 1 dislikes '?'"));
        }
        Ok(())
    }
}

fn main() {
    assert_eq!(strict::run_host(b"fine").unwrap().output(), b"ok");
    assert_eq!(strict::run_host(b"!"), Err(TaskletError::failed("input starts with '!'")));
    assert_eq!(strict::run_host(b"?"), Err(TaskletError::failed("lane 1 dislikes '?'")));
}
