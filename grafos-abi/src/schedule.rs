//! [`LaneOrder`]: the order in which data lanes take their turns, the one
//! definition both the runtime's scheduler and the host mock's serialized
//! mode follow.

/// The order in which a launch's data lanes take their turns: when a region
/// starts, and again after each barrier round.
///
/// On the runtime, lanes run one at a time and switch only inside SDK
/// calls, so a lane order *is* the schedule: the default runs data lanes
/// 1, 2, …, n, every region and every round. A tasklet whose output depends
/// on that order (work claimed with `fetch_add`, "first lane wins", reading
/// another lane's writes without a barrier) gives different bytes under
/// another order; the generated cross-target test runs every tasklet under
/// several orders to find out. Each order is deterministic: the same order,
/// module, input and fuel give the same output and fuel, run after run.
///
/// ```
/// use grafos_abi::LaneOrder;
/// let mut order = Vec::new();
/// LaneOrder::InOrder.fill(&mut order, 4, 0, 0);
/// assert_eq!(order, [1, 2, 3, 4]);
/// LaneOrder::Reversed.fill(&mut order, 4, 0, 0);
/// assert_eq!(order, [4, 3, 2, 1]);
/// LaneOrder::Seeded(7).fill(&mut order, 4, 0, 0);
/// let mut sorted = order.clone();
/// sorted.sort();
/// assert_eq!(sorted, [1, 2, 3, 4]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LaneOrder {
    /// Lane 1 first, then 2, and so on: the runtime's default.
    #[default]
    InOrder,
    /// The highest lane first.
    Reversed,
    /// A permutation drawn from the seed, anew for every region and round.
    Seeded(u64),
}

impl LaneOrder {
    /// Fills `order` with the raw numbers of `data_lanes` data lanes
    /// (`1..=data_lanes`) in the order they take their turns in round
    /// `round` (0 when the region starts, then one per barrier round) of
    /// region `region` (0-based).
    pub fn fill(self, order: &mut Vec<usize>, data_lanes: usize, region: u32, round: u64) {
        order.clear();
        order.extend(1..=data_lanes);
        match self {
            LaneOrder::InOrder => {}
            LaneOrder::Reversed => order.reverse(),
            LaneOrder::Seeded(seed) => {
                let mut state = seed ^ (u64::from(region) << 40) ^ round.wrapping_mul(0x9E37_79B9);
                // Fisher-Yates with splitmix64: the same permutation on every
                // target (no usize in the arithmetic).
                for i in (1..order.len()).rev() {
                    let j = (splitmix64(&mut state) % (i as u64 + 1)) as usize;
                    order.swap(i, j);
                }
            }
        }
    }

    /// A short name for reports: `in-order`, `reversed`, `seeded(7)`.
    pub fn name(self) -> String {
        match self {
            LaneOrder::InOrder => "in-order".into(),
            LaneOrder::Reversed => "reversed".into(),
            LaneOrder::Seeded(seed) => format!("seeded({seed})"),
        }
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_orders_are_permutations_that_change_with_region_and_round() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        for lanes in 1..40 {
            LaneOrder::Seeded(3).fill(&mut a, lanes, 0, 0);
            let mut sorted = a.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (1..=lanes).collect::<Vec<_>>());
        }
        LaneOrder::Seeded(3).fill(&mut a, 8, 0, 0);
        LaneOrder::Seeded(3).fill(&mut b, 8, 0, 0);
        assert_eq!(a, b, "the same seed, region and round give the same order");
        let differs = (1..10).any(|round| {
            LaneOrder::Seeded(3).fill(&mut b, 8, 0, round);
            a != b
        });
        assert!(differs, "later rounds draw other orders");
    }

    #[test]
    fn a_known_seed_gives_a_known_order() {
        // Pinned: both targets and every release must draw the same order.
        let mut order = Vec::new();
        LaneOrder::Seeded(1).fill(&mut order, 5, 0, 0);
        assert_eq!(order, PINNED);
    }

    const PINNED: [usize; 5] = [3, 2, 5, 4, 1];
}
