// `cross_target` takes `true` or `false`.
#[grafos::tasklet(workers = 2, cross_target = "no")]
mod t {
    use grafos::prelude::*;

    #[coordinator]
    fn run(_coord: &mut Coordinator) -> Result<(), TaskletError> {
        Ok(())
    }
}

fn main() {}
