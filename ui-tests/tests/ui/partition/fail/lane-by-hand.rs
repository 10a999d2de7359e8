//! A `Lane` cannot be written as a literal (it carries the key to the
//! lane's part); `Lane::new` makes one that claims nothing.
use grafos::cpu::Lane;

fn main() {
    let lane = Lane { index: 0, count: 2 };
}
