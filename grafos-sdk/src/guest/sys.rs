//! The guest's side of the imports, expanded from the ABI's one list
//! ([`grafos_abi::for_each_import!`]): an `extern` block in wasm value types.
//! [`ptr`] and [`len`] turn Rust pointers and lengths into those `i32`s.

macro_rules! guest_imports {
    (module = $module:literal;
     $($(#[$doc:meta])* $konst:ident = $name:ident($($param:ident: $ty:ident),*) -> ($($ret:ident)?);)*) => {
        #[link(wasm_import_module = $module)]
        unsafe extern "C" {
            $($(#[$doc])* pub(super) fn $name($($param: $ty),*) $(-> $ret)?;)*
        }
    };
}

grafos_abi::for_each_import!(guest_imports);

/// A pointer into linear memory as the ABI passes it: a 32-bit offset.
pub(super) fn ptr<T>(p: *const T) -> i32 {
    p as usize as i32
}

/// A length or count as the ABI passes it; on wasm32 every `usize` fits.
pub(super) fn len(n: usize) -> i32 {
    n as i32
}
