//! `grafos::math` gives the same bits on both targets, and std's correctly
//! rounded float methods pass without a warning.
#![deny(deprecated, warnings)]

use grafos::prelude::*;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;
    use grafos::math;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let x = f64::from(coord.input().len() as u32);
        let wave = math::sin(x) * math::exp(-x) + math::powff(2.0, 0.5) as f64;
        let exact = x.sqrt() + x.abs().floor() + x.mul_add(2.0, 1.0);
        #[target_specific]
        let _native = x.cos();
        Ok([wave.to_le_bytes(), exact.to_le_bytes()].concat())
    }
}

fn main() {
    let out = tasklet::run_host(b"ab").unwrap();
    let wave = grafos::math::sin(2.0) * grafos::math::exp(-2.0)
        + grafos::math::powff(2.0, 0.5) as f64;
    assert_eq!(out.output()[..8], wave.to_le_bytes());
}
