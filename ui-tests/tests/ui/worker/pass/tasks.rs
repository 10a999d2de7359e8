//! Task workers in both forms, writing their parts of a `Partitioned` array.
use grafos::prelude::*;

#[derive(Default)]
pub struct Shared {
    squares: Partitioned<u64>,
    doubled: Partitioned<u64>,
}

#[grafos::tasklet(workers = 3, shared = Shared)]
pub mod tasks {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        let n = coord.input().len();
        coord.shared_mut().squares.as_mut_vec().resize(n, 0);
        coord.shared_mut().doubled.as_mut_vec().resize(n, 0);
        coord.parallel_for_tasks(5, square)?;
        coord.parallel_for_tasks(4, double)?;
        let doubled = coord.shared().doubled.read(&*coord)?;
        Ok(doubled.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    #[worker]
    fn square(shared: &Shared, input: &[u8], task: Task) -> Result<(), TaskletError> {
        let mut part = shared.squares.part_mut(task)?;
        for (i, v) in part.range().zip(part.iter_mut()) {
            *v = u64::from(input[i]) * u64::from(input[i]);
        }
        Ok(())
    }

    #[worker]
    fn double(w: &mut Worker, task: Task) -> Result<(), TaskletError> {
        let squares = w.shared().squares.read(w.lane())?;
        let mut part = w.shared().doubled.part_mut(task)?;
        for (i, v) in part.range().zip(part.iter_mut()) {
            *v = 2 * squares[i];
        }
        Ok(())
    }
}

fn main() {
    let out = tasks::run_host(&[1, 2, 3, 4, 5, 6, 7]).unwrap();
    let values: Vec<u64> = out
        .output()
        .chunks(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(values, [2, 8, 18, 32, 50, 72, 98]);
    assert_eq!(out.regions(), 2);
}
