//! Waiting for another lane: spin briefly, then park.
//!
//! A lane that has a core to itself should not pay a futex round trip for a
//! wait of a few microseconds, so it spins first; a lane that shares its
//! core must not burn it, so it parks almost at once. Whoever makes the
//! condition true unparks the waiter afterwards, and `unpark` before `park`
//! leaves a token, so no wake-up is lost.

use super::sync::{spin_loop, thread};

/// How a waiter behaves before it parks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitPolicy {
    /// Every lane has a core: spin for a while before parking.
    Spin,
    /// Lanes share cores: park after a token spin.
    Park,
}

/// Checks of the condition while spinning under [`WaitPolicy::Spin`]: with
/// `spin_loop` hints, a few tens of microseconds on current x86-64 cores,
/// longer than a typical barrier's skew between lanes.
const SPIN_CHECKS: u32 = if cfg!(loom) { 1 } else { 1 << 12 };

/// Checks of the condition before parking under [`WaitPolicy::Park`].
const PARK_CHECKS: u32 = if cfg!(loom) { 1 } else { 1 << 4 };

/// Returns once `ready()` is true. The caller must make sure whoever makes
/// it true unparks this thread afterwards.
pub(crate) fn wait_until(policy: WaitPolicy, mut ready: impl FnMut() -> bool) {
    let checks = match policy {
        WaitPolicy::Spin => SPIN_CHECKS,
        WaitPolicy::Park => PARK_CHECKS,
    };
    for _ in 0..checks {
        if ready() {
            return;
        }
        spin_loop();
    }
    while !ready() {
        thread::park();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_parked_waiter_is_woken() {
        for policy in [WaitPolicy::Spin, WaitPolicy::Park] {
            let flag = Arc::new(AtomicBool::new(false));
            let (done, woken) = std::sync::mpsc::channel();
            let waiter = {
                let flag = Arc::clone(&flag);
                thread::spawn(move || {
                    wait_until(policy, || flag.load(Ordering::Acquire));
                    // It returned because the flag is set, not before.
                    let _ = done.send(flag.load(Ordering::Acquire));
                })
            };
            thread::sleep(std::time::Duration::from_millis(20));
            assert!(
                woken.try_recv().is_err(),
                "{policy:?}: returned before the flag was set"
            );
            flag.store(true, Ordering::Release);
            waiter.thread().unpark();
            // A waiter that is never woken fails the test instead of hanging it.
            let saw_flag = woken
                .recv_timeout(std::time::Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("{policy:?}: the waiter was not woken within 10 s"));
            assert!(saw_flag, "{policy:?}");
            waiter.join().unwrap();
        }
    }
}
