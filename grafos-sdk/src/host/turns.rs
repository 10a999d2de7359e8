//! The host mock's serialized mode: data lanes take turns in a
//! [`LaneOrder`], one at a time, switching only where the runtime switches
//! (a barrier, or the end of the lane's job).
//!
//! Free-running threads give a different interleaving on every run; this
//! mode gives the one the order names, every run, so an order-dependent
//! tasklet is caught by comparing orders rather than by luck. It is what
//! `SharedTaskletBuilder::lane_order` turns on.

use crate::abi::LaneOrder;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Whose turn it is.
pub(super) struct Turns {
    order: LaneOrder,
    state: Mutex<TurnState>,
}

struct TurnState {
    /// Data lanes of the current round, in turn order.
    lanes: Vec<usize>,
    /// Index into `lanes` of the lane whose turn it is.
    next: usize,
    region: u32,
    round: u64,
}

impl Turns {
    pub(super) fn new(order: LaneOrder) -> Self {
        Self {
            order,
            state: Mutex::new(TurnState {
                lanes: Vec::new(),
                next: 0,
                region: 0,
                round: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, TurnState> {
        // A lane's panic is caught outside the lock; a poisoned lock still
        // holds consistent turns.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts round 0 of region `region` on `data_lanes` lanes.
    pub(super) fn start_region(&self, data_lanes: usize, region: u32) {
        let mut state = self.lock();
        state.region = region;
        state.round = 0;
        state.next = 0;
        let TurnState { lanes, .. } = &mut *state;
        self.order.fill(lanes, data_lanes, region, 0);
    }

    /// Starts the next round of the region: the barrier was completed.
    pub(super) fn next_round(&self) {
        let mut state = self.lock();
        state.round += 1;
        state.next = 0;
        let (region, round, count) = (state.region, state.round, state.lanes.len());
        let TurnState { lanes, .. } = &mut *state;
        self.order.fill(lanes, count, region, round);
    }

    /// Whether it is `lane`'s turn.
    pub(super) fn is_turn_of(&self, lane: usize) -> bool {
        let state = self.lock();
        state.lanes.get(state.next) == Some(&lane)
    }

    /// `lane` reached a barrier or returned: the next lane's turn.
    pub(super) fn end_turn(&self, lane: usize) {
        let mut state = self.lock();
        if state.lanes.get(state.next) == Some(&lane) {
            state.next += 1;
        }
    }
}
