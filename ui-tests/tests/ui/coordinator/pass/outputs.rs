//! The three things a coordinator may return.
use grafos::prelude::*;

#[grafos::tasklet(workers = 2)]
mod sets_output {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        coord.set_output(b"set");
        Ok(())
    }
}

#[grafos::tasklet(workers = 2)]
mod returns_bytes {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Vec<u8> {
        coord.input().to_ascii_uppercase()
    }
}

#[grafos::tasklet(workers = 2)]
mod returns_result_bytes {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        if coord.input().is_empty() {
            return Err(TaskletError::failed("empty input"));
        }
        Ok(coord.input().iter().rev().copied().collect())
    }
}

fn main() {
    assert_eq!(sets_output::run_host(b"").unwrap().output(), b"set");
    assert_eq!(returns_bytes::run_host(b"abc").unwrap().output(), b"ABC");
    assert_eq!(returns_result_bytes::run_host(b"abc").unwrap().output(), b"cba");
    assert_eq!(
        returns_result_bytes::run_host(b""),
        Err(TaskletError::failed("empty input"))
    );
}
