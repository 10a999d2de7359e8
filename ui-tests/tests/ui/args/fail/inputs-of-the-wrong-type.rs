// `inputs` names a `fn() -> Vec<Vec<u8>>` (from inside the module, like
// the types); the type error is at the path.
fn samples() -> Vec<u8> {
    vec![1, 2, 3]
}

#[grafos::tasklet(workers = 2, inputs = super::samples)]
mod t {
    use grafos::prelude::*;

    #[coordinator]
    fn run(_coord: &mut Coordinator) -> Result<(), TaskletError> {
        Ok(())
    }
}

fn main() {}
