//! Addresses and type ids turned into numbers. The host's allocator and
//! code addresses have nothing to do with the runtime's linear memory and
//! function table; `TypeId`s are hashes of the type *and* of the crate
//! that defines it as compiled for its target. None of it is visible to
//! the lint.

use std::any::TypeId;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use grafos::prelude::*;

use crate::{Out, concat};

/// Hashes records "by identity": each lane writes the low 16 bits of the
/// address of its block's first byte inside its own copy (`Vec` buffer
/// address `as usize`). Caught — as "depends on the order": the runtime's
/// allocator hands out addresses in the order lanes run, so the runtime
/// disagrees with itself before the targets are compared.
#[grafos::tasklet(workers = 3, scratch = Out)]
pub mod heap_address {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(identity)?;
        Ok(concat(coord))
    }

    #[worker]
    fn identity(out: &mut Out, input: &[u8], lane: Lane) {
        let copy: Vec<u8> = input[lane.partition(input.len())].to_vec();
        let id = copy.as_ptr() as usize;
        out.bytes = (id as u16).to_le_bytes().to_vec();
    }
}

/// A dispatch table keyed by function pointers: writes `(f as usize) % 251`
/// for two functions. On the host a code address, on wasm32 an index in
/// the function table. Caught: targets compute differently.
#[grafos::tasklet(workers = 2)]
pub mod fn_pointer {
    use super::*;

    fn double(x: u8) -> u8 {
        x.wrapping_mul(2)
    }

    fn negate(x: u8) -> u8 {
        x.wrapping_neg()
    }

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let table: [fn(u8) -> u8; 2] = [double, negate];
        Ok(table.iter().map(|&f| (f as usize % 251) as u8).collect())
    }
}

/// A type-keyed cache whose key is the `DefaultHasher` hash of a `TypeId`:
/// writes the hashes of `TypeId::of::<u32>()` and of a type of this
/// crate. A `TypeId` is derived from the crate's identity as compiled,
/// which differs between the host and the wasm32 build. Caught: targets
/// compute differently.
#[grafos::tasklet(workers = 2)]
pub mod type_id_hash {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut out = Vec::new();
        for id in [TypeId::of::<u32>(), TypeId::of::<Out>()] {
            let mut h = DefaultHasher::new();
            id.hash(&mut h);
            out.extend_from_slice(&h.finish().to_le_bytes());
        }
        Ok(out)
    }
}

/// Sorts boxed records by their addresses (a common way to get "some
/// stable order" for pointer-keyed sets) and writes the records in that
/// order. One might expect both allocators to hand out increasing
/// addresses for a run of fresh small allocations, so that the order
/// matches; it does not: glibc's malloc serves them from its bins in
/// another order than the runtime's allocator, and in an order that
/// depends on the heap's history (which thread, which earlier launches).
/// Caught — but not deterministically by the same run: as "targets
/// compute differently" when the host mock taking turns already differs,
/// as "lanes run at the same time" when only its free threads do. The
/// harness's "every rule-breaker fails every run the same way" does not
/// hold for host addresses.
#[grafos::tasklet(workers = 2)]
pub mod sort_by_address {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        coord.parallel_for_workers(|_| ())?;
        let mut boxes: Vec<Box<u8>> = coord.input().iter().map(|&b| Box::new(b)).collect();
        boxes.sort_by_key(|b| &**b as *const u8 as usize);
        Ok(boxes.iter().map(|b| **b).collect())
    }
}
