//! Names a tasklet reaches through `use super::*;` are checked for what
//! they resolve to: the parent's own `Instant`, a module imported by name
//! and std's `SystemTime` under `#[target_specific]` all pass, without a warning.
#![deny(deprecated, warnings)]

use grafos::prelude::*;

/// Not std's: a logical clock.
#[derive(Default)]
pub struct Instant(u8);

impl Instant {
    fn now() -> Self {
        Instant(7)
    }
}

pub mod thread {
    pub fn spawn(f: impl FnOnce() -> u8) -> u8 {
        f()
    }
}

use std::time::SystemTime;

#[grafos::tasklet(workers = 2)]
mod tasklet {
    use super::*;
    use super::thread;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let logical = Instant::now().0;
        let spawned = thread::spawn(|| 1);
        #[target_specific]
        let _wall = SystemTime::now();
        Ok(vec![logical, spawned])
    }
}

fn main() {
    assert_eq!(tasklet::run_host(b"").unwrap().output(), [7, 1]);
}
