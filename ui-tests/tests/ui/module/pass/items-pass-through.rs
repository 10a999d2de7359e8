//! Everything besides the coordinator and workers passes through untouched,
//! and the generated items sit beside it.
#[grafos::tasklet(workers = 2)]
pub mod tasklet {
    //! Inner docs stay.
    #![allow(clippy::all)]

    /// A constant.
    pub const GREETING: &[u8] = b"hi";

    #[derive(Debug, PartialEq)]
    pub struct Upper(pub Vec<u8>);

    impl Upper {
        pub fn of(bytes: &[u8]) -> Self {
            Upper(bytes.to_ascii_uppercase())
        }
    }

    pub mod nested {
        pub fn twice(bytes: &[u8]) -> Vec<u8> {
            [bytes, bytes].concat()
        }
    }

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Vec<u8> {
        coord.parallel_for_workers(|_| ()).unwrap();
        nested::twice(&Upper::of(GREETING).0)
    }
}

fn main() {
    assert_eq!(tasklet::run_host(b"").unwrap().output(), b"HIHI");
    assert_eq!(tasklet::Upper::of(b"a"), tasklet::Upper(b"A".to_vec()));
    let _: tasklet::Coordinator;
    let _: Option<&tasklet::Worker> = None;
}
