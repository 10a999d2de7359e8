#![allow(unused)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 4)]
mod tasklet {
    use super::*;

    use std::net::TcpStream;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let peer = TcpStream::connect("10.0.0.1:80").is_ok();
        Ok(())
    }
}

fn main() {}
