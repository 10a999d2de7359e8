#![allow(unused)]

    use grafos::prelude::*;

pub struct Seen(u32);

    #[grafos::tasklet(workers = 4, scratch = Seen)]
    mod tasklet {
        use super::*;

        #[coordinator]
        fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
            Ok(())
        }
    }

    fn main() {}
