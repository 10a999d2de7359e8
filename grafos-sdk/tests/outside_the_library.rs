//! A tasklet in an integration test cannot be built for wasm32 (only the
//! package's library is), so its generated test compares the host mock
//! with itself, and the macro says so with a warning, unless the tasklet
//! says `cross_target = false`. `expect` and `deny` make both halves of
//! that compile-time checks (clippy runs with `-D warnings`).

#[expect(
    deprecated,
    reason = "the macro warns that this tasklet's test cannot run it on wasm32"
)]
#[grafos::tasklet(workers = 2)]
mod warned {
    #[coordinator]
    fn run(coord: &mut Coordinator) -> Vec<u8> {
        coord.input().to_vec()
    }
}

#[deny(deprecated)]
#[grafos::tasklet(workers = 2, cross_target = false)]
mod said_so {
    #[coordinator]
    fn run(coord: &mut Coordinator) -> Vec<u8> {
        coord.input().iter().rev().copied().collect()
    }
}

#[test]
fn both_run_on_the_host_mock() {
    assert_eq!(warned::run_host(b"ab").unwrap().output(), b"ab");
    assert_eq!(said_so::run_host(b"ab").unwrap().output(), b"ba");
}
