#![allow(unused)]

    use grafos::prelude::*;

pub struct Counter {
    count: u32,
}

    #[grafos::tasklet(workers = 4, shared = Counter)]
    mod tasklet {
        use super::*;

        #[coordinator]
        fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
            Ok(())
        }
    }

    fn main() {}
