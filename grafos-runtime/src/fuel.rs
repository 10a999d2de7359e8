//! [`FuelAccount`]: a launch's fuel, the one place that books it.
//!
//! The launch's budget is a pool. A lane runs on a *slice* of it put in the
//! wasmi store (at most [`FUEL_SLICE`], so the deadline and the cancel token
//! are checked between slices without ever switching lanes there); when the
//! slice ends or the lane stops, the scheduler [`settle`](FuelAccount::settle)s
//! what it used. Once the pool is dry or the launch has failed, each lane
//! winds down on a small grace budget of its own ([`GRACE_FUEL`]). Imports
//! that copy bytes charge beyond the running slice
//! ([`charge_beyond_slice`](FuelAccount::charge_beyond_slice)). Every SDK
//! call notes how much its lane has used, so that a `FuelExhausted` can say
//! how much went since.

use grafos_abi::TaskletError;

/// Fuel each lane may still burn once the launch has failed or its pool is
/// dry: enough to reach the next checkpoint or barrier and return (a few
/// hundred microseconds of interpretation), small enough that a lane that
/// ignores failure is stopped promptly.
pub(crate) const GRACE_FUEL: u64 = 1 << 16;

/// Largest slice of fuel a lane runs before the scheduler checks the
/// deadline and the cancel token again (about a millisecond).
pub(crate) const FUEL_SLICE: u64 = 1 << 18;

/// What [`FuelAccount::grant`] gives a lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grant {
    /// Put this much in the store and run.
    Slice(u64),
    /// The pool cannot pay for what the lane needs: the launch must fail
    /// (with [`FuelAccount::exhausted`]), then the lane asks for grace.
    PoolDry,
    /// The lane's grace budget is spent too: stop it.
    Spent,
}

/// Fuel of the launch: the pool, the running slice, each lane's grace.
#[derive(Debug)]
pub(crate) struct FuelAccount {
    /// The launch's budget.
    budget: u64,
    /// Pool fuel left before the running slice.
    pool_left: u64,
    /// Fuel put in the store for the running slice.
    slice: u64,
    /// Whether the running slice comes from the pool (else from grace).
    slice_from_pool: bool,
    /// Grace fuel each lane has left.
    grace_left: Vec<u64>,
    /// Fuel consumed so far, grace included, up to the running slice.
    used: u64,
    /// Fuel consumed when each lane last entered an SDK call.
    at_sdk_call: Vec<u64>,
}

impl FuelAccount {
    /// A budget of `budget` for a launch of `lanes` lanes.
    pub(crate) fn new(budget: u64, lanes: usize) -> Self {
        Self {
            budget,
            pool_left: budget,
            slice: 0,
            slice_from_pool: true,
            grace_left: vec![GRACE_FUEL; lanes],
            used: 0,
            at_sdk_call: vec![0; lanes],
        }
    }

    /// Fuel consumed by settled slices: what a finished launch used.
    pub(crate) fn used(&self) -> u64 {
        self.used
    }

    /// Fuel consumed so far, with `store_fuel` left in the running slice.
    fn consumed(&self, store_fuel: u64) -> u64 {
        self.used + self.slice.saturating_sub(store_fuel)
    }

    /// The next slice for `lane`, at least `required`: from the pool while
    /// the launch is `healthy`, else from the lane's grace budget.
    pub(crate) fn grant(&mut self, lane: usize, required: u64, healthy: bool) -> Grant {
        let required = required.max(1);
        let (slice, from_pool) = if healthy {
            if self.pool_left < required {
                return Grant::PoolDry;
            }
            (self.pool_left.min(FUEL_SLICE).max(required), true)
        } else {
            let grace = self.grace_left[lane];
            if grace < required {
                return Grant::Spent;
            }
            (grace.min(FUEL_SLICE).max(required), false)
        };
        self.slice = slice;
        self.slice_from_pool = from_pool;
        Grant::Slice(slice)
    }

    /// Books what `lane`'s slice used, `left` being what the store holds.
    pub(crate) fn settle(&mut self, lane: usize, left: u64) {
        let used = self.slice.saturating_sub(left);
        self.used += used;
        let from = if self.slice_from_pool {
            &mut self.pool_left
        } else {
            &mut self.grace_left[lane]
        };
        *from -= used.min(*from);
        self.slice = 0;
        self.slice_from_pool = true;
    }

    /// Takes `fuel` beyond the running slice, which a host function has
    /// emptied: from the pool, or from `lane`'s grace budget when the slice
    /// is grace. Both still include the running slice (`settle` takes it
    /// off), so what lies beyond it is what they hold past `slice`. `false`
    /// when they hold less: nothing is taken, and the caller stops the lane.
    pub(crate) fn charge_beyond_slice(&mut self, lane: usize, fuel: u64) -> bool {
        let left = if self.slice_from_pool {
            &mut self.pool_left
        } else {
            &mut self.grace_left[lane]
        };
        if left.saturating_sub(self.slice) < fuel {
            return false;
        }
        *left -= fuel;
        self.used += fuel;
        true
    }

    /// Fuel left in the pool, given the fuel now in the store.
    pub(crate) fn pool_remaining(&self, store_fuel: u64) -> u64 {
        if self.slice_from_pool {
            let spent = self.slice.saturating_sub(store_fuel);
            self.pool_left.saturating_sub(spent)
        } else {
            0
        }
    }

    /// `lane` entered an SDK call with `store_fuel` left in its slice.
    pub(crate) fn note_sdk_call(&mut self, lane: usize, store_fuel: u64) {
        let consumed = self.consumed(store_fuel);
        if let Some(at) = self.at_sdk_call.get_mut(lane) {
            *at = consumed;
        }
    }

    /// The error of a pool that ran dry while `lane` ran, with `store_fuel`
    /// left in its slice.
    pub(crate) fn exhausted(&self, lane: usize, store_fuel: u64) -> TaskletError {
        let used = self.consumed(store_fuel);
        let at_sdk_call = self.at_sdk_call.get(lane).copied().unwrap_or(0);
        TaskletError::FuelExhausted {
            budget: self.budget,
            used,
            lane,
            since_sdk_call: Some(used.saturating_sub(at_sdk_call)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_come_from_the_pool_then_from_grace() {
        let mut fuel = FuelAccount::new(FUEL_SLICE + 10, 2);
        assert_eq!(fuel.grant(1, 0, true), Grant::Slice(FUEL_SLICE));
        fuel.settle(1, 0);
        assert_eq!(fuel.grant(1, 0, true), Grant::Slice(10));
        fuel.settle(1, 4);
        assert_eq!(fuel.used(), FUEL_SLICE + 6);
        assert_eq!(fuel.pool_remaining(0), 4);
        // A lane that needs more than the pool holds runs it dry.
        assert_eq!(fuel.grant(1, 5, true), Grant::PoolDry);
        assert_eq!(fuel.grant(1, 5, false), Grant::Slice(GRACE_FUEL));
        fuel.settle(1, 0);
        assert_eq!(fuel.grant(1, 1, false), Grant::Spent);
        // Grace is per lane.
        assert_eq!(fuel.grant(0, 1, false), Grant::Slice(GRACE_FUEL));
    }

    #[test]
    fn exhaustion_says_how_much_went_since_the_lanes_last_sdk_call() {
        let mut fuel = FuelAccount::new(1000, 3);
        assert_eq!(fuel.grant(2, 0, true), Grant::Slice(1000));
        fuel.note_sdk_call(2, 900); // 100 used at the call
        match fuel.exhausted(2, 0) {
            TaskletError::FuelExhausted {
                budget: 1000,
                used: 1000,
                lane: 2,
                since_sdk_call: Some(900),
            } => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn charges_beyond_the_slice_come_from_what_it_left() {
        let mut fuel = FuelAccount::new(100, 1);
        assert_eq!(fuel.grant(0, 0, true), Grant::Slice(100));
        assert!(
            !fuel.charge_beyond_slice(0, 1),
            "the slice holds the whole pool"
        );
        fuel.settle(0, 50);
        assert_eq!(fuel.grant(0, 0, true), Grant::Slice(50));
        assert!(!fuel.charge_beyond_slice(0, 1));
        let mut fuel = FuelAccount::new(FUEL_SLICE + 100, 1);
        assert_eq!(fuel.grant(0, 0, true), Grant::Slice(FUEL_SLICE));
        assert!(fuel.charge_beyond_slice(0, 60));
        assert!(!fuel.charge_beyond_slice(0, 60));
        assert_eq!(fuel.used(), 60);
    }
}
