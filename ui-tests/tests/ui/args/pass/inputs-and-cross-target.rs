// `inputs = path` (named from inside the module, like the types) and
// `cross_target = false` are accepted; the tasklets run.
#[grafos::tasklet(workers = 2, inputs = samples)]
mod echo {
    use grafos::prelude::*;

    fn samples() -> Vec<Vec<u8>> {
        vec![vec![1, 2, 3], b"hello".to_vec()]
    }

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Vec<u8> {
        coord.input().to_vec()
    }
}

#[grafos::tasklet(workers = 2, cross_target = false)]
mod host_only {
    use grafos::prelude::*;

    #[coordinator]
    fn run(_coord: &mut Coordinator) -> Vec<u8> {
        b"ok".to_vec()
    }
}

fn main() {
    assert_eq!(echo::run_host(b"abc").unwrap().output(), b"abc");
    assert_eq!(host_only::run_host(b"").unwrap().output(), b"ok");
}
