use super::*;
use quote::quote;

/// Expands and checks the output still parses as items.
fn expand(attr: TokenStream, item: TokenStream) -> String {
    let out = tasklet(attr, item);
    if let Err(e) = syn::parse2::<syn::File>(out.clone()) {
        panic!("the expansion does not parse: {e}\n{out}");
    }
    out.to_string()
}

fn histogram() -> TokenStream {
    quote! {
        pub mod histogram {
            use super::*;
            #[coordinator]
            fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
                coord.parallel_for_workers(count)?;
                Ok(())
            }
            #[worker]
            fn count(w: &mut Worker) {}
            #[worker]
            fn plain(shared: &Shared, input: &[u8]) {}
        }
    }
}

#[test]
fn a_valid_tasklet_gets_every_generated_item() {
    let out = expand(quote!(workers = 4, shared = Shared), histogram());
    for expected in [
        "pub type Coordinator = :: grafos :: cpu :: CoordinatorCtx < Shared , () >",
        "pub type Worker = :: grafos :: cpu :: WorkerCtx < Shared , () >",
        "pub const INFO : :: grafos :: TaskletInfo = :: grafos :: TaskletInfo :: new (\"histogram\" , 4",
        "Cow :: Borrowed (\"count\") , :: grafos :: __private :: Cow :: Borrowed (\"plain\")",
        "pub fn builder ()",
        "pub fn run_host (input : & [u8])",
        "pub fn run_host_with (builder",
        "fn grafos_tasklet_matches_wasm ()",
        "cross_target : true",
        "# [unsafe (export_name = \"grafos_v0_tasklet_histogram\")]",
        "# [unsafe (link_section = \"grafos_worker_v0.tasklets\")]",
        "static __RECORD : [u8 ; :: grafos :: abi :: record_len (& __INFO)]",
        "fn plain (lane : & mut Worker) -> :: core :: result :: Result < () , :: grafos :: cpu :: TaskletError >",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    assert!(!out.contains("compile_error"), "{out}");
    assert!(!out.contains("# [worker]") && !out.contains("# [coordinator]"));
}

#[test]
fn targets_are_chosen_by_cfg_in_the_generated_code() {
    let out = expand(quote!(workers = 2, shared = Shared), histogram());
    assert_eq!(
        out.matches("# [cfg (not (target_arch = \"wasm32\"))]")
            .count(),
        3
    );
    assert_eq!(out.matches("# [cfg (target_arch = \"wasm32\")]").count(), 1);
    assert!(out.contains("# [cfg (all (test , not (target_arch = \"wasm32\")))]"));
}

#[test]
fn the_crate_path_and_name_can_be_overridden() {
    let out = expand(
        quote!(
            workers = 2,
            shared = Shared,
            crate = ::sdk::grafos,
            name = "hist_v2"
        ),
        histogram(),
    );
    assert!(out.contains("\"grafos_v0_tasklet_hist_v2\""));
    assert!(out.contains(":: sdk :: grafos :: __private :: launch"));
    assert!(out.contains(":: sdk :: grafos :: cpu"), "{out}");
    assert!(
        !out.replace(":: sdk :: grafos", "").contains(":: grafos ::"),
        "{out}"
    );
}

#[test]
fn region_sizes_are_asserted_only_when_given() {
    let out = expand(quote!(workers = 2, shared = Shared), histogram());
    assert!(!out.contains("assert !"));
    assert!(out.contains(":: core :: mem :: size_of :: < Shared > () as u64"));
    let out = expand(
        quote!(
            workers = 2,
            shared = Shared,
            shared_bytes = 64u64,
            scratch_bytes = 8
        ),
        histogram(),
    );
    assert!(out.contains(":: core :: mem :: size_of :: < Shared > () <= 64"));
    assert!(out.contains("`shared_bytes = 64` is smaller than the shared type `Shared`"));
    assert!(out.contains(":: core :: mem :: size_of :: < () > () <= 8"));
}

#[test]
fn errors_keep_the_module_for_editors() {
    let out = expand(
        quote!(workers = 1, shared = Shared),
        quote! {
            mod t {
                use super::*;
                #[coordinator]
                fn run(coord: &mut Coordinator) -> Result<(), TaskletError> {
                    let i = coord.worker_index();
                    Ok(())
                }
                #[worker]
                fn good(input: &[u8]) {}
                #[worker]
                fn bad(x: u32) {}
                fn helper() -> u32 { 1 }
            }
        },
    );
    assert_eq!(out.matches("compile_error").count(), 3, "{out}");
    for kept in [
        "fn run (coord : & mut Coordinator)",
        "fn bad (x : u32) { }",
        "fn helper () -> u32 { 1 }",
        "pub type Coordinator = :: grafos :: cpu :: CoordinatorCtx < Shared , () >",
        // A valid worker is still rewritten, so the coordinator type-checks.
        "fn good (lane : & mut Worker)",
    ] {
        assert!(out.contains(kept), "missing {kept:?} in\n{out}");
    }
    assert!(!out.contains("INFO") && !out.contains("run_host"));
    assert!(!out.contains("# [worker]"));
}

#[test]
fn broken_arguments_alone_keep_the_full_expansion() {
    let out = expand(quote!(workers = 1, shared = Shared), histogram());
    assert_eq!(out.matches("compile_error").count(), 1, "{out}");
    assert!(out.contains("pub fn run_host") && out.contains("pub const INFO"));
}

#[test]
fn broken_arguments_still_give_the_aliases() {
    let out = expand(quote!(wrkers = 4, shared = Shared), histogram());
    assert_eq!(out.matches("compile_error").count(), 1, "{out}");
    assert!(out.contains("Did you mean `workers`?"), "{out}");
    assert!(out.contains("CoordinatorCtx < Shared , () >"), "{out}");
}

#[test]
fn lint_errors_do_not_stop_the_expansion() {
    let out = expand(
        quote!(workers = 2),
        quote! {
            mod t {
                #[coordinator]
                fn run(coord: &mut Coordinator) -> Vec<u8> { coord.barrier(); vec![] }
                #[worker]
                fn w(w: &mut Worker) { w.worker_index(); }
            }
        },
    );
    assert_eq!(out.matches("compile_error").count(), 1);
    assert!(out.contains("# [deprecated (note ="));
    assert!(out.contains("pub fn run_host"), "{out}");
}

#[test]
fn not_a_module() {
    let out = expand(
        quote!(workers = 2),
        quote!(
            fn f() {}
        ),
    );
    assert!(out.contains("compile_error"));
    assert!(out.contains("goes on an inline module"));
    assert!(out.ends_with("fn f () { }"), "{out}");
    let out = expand(
        quote!(workers = 2),
        quote!(
            mod other;
        ),
    );
    assert!(out.contains("instead of in another file"));
}

#[test]
fn unparsable_items_come_back_without_markers() {
    let out = tasklet(
        quote!(workers = 2),
        quote!(mod t { #[worker] fn w() { let x = ; } }),
    );
    let out = out.to_string();
    // rustc reports the syntax error itself, before and after expansion.
    assert!(!out.contains("compile_error"), "{out}");
    assert!(out.contains("mod t { fn w () { let x = ; }"), "{out}");
    assert!(out.contains("pub type Coordinator"), "{out}");
}

#[test]
fn misplaced_markers_keep_their_item() {
    let out = misplaced(
        Marker::Worker,
        quote!(
            fn w() {}
        ),
    )
    .to_string();
    assert!(out.contains(
        "`#[worker]` is only valid inside a `#[grafos::tasklet]` module, where it marks a fn \
         that runs on a tasklet's data lanes"
    ));
    assert!(out.ends_with("fn w () { }"));
}

#[test]
fn inner_attributes_stay_inside() {
    let out = expand(
        quote!(workers = 2),
        quote! {
            /// Docs.
            mod t {
                #![allow(unused)]
                #[coordinator]
                fn run(coord: &mut Coordinator) -> Vec<u8> { vec![] }
                #[worker]
                fn w(input: &[u8]) { #![allow(unused_variables)] }
            }
        },
    );
    assert!(
        out.starts_with("# [doc = r\" Docs.\"] mod t { # ! [allow (unused)]"),
        "{out}"
    );
    assert!(
        out.contains("fn w (input : & [u8]) { # ! [allow (unused_variables)] }"),
        "{out}"
    );
}

/// The bench's 200-line tasklet: its attribute's arguments and its module.
fn big_tasklet() -> (TokenStream, Vec<proc_macro2::TokenTree>) {
    use std::str::FromStr;
    let source = include_str!("../../benches/fixtures/tasklet.rs");
    let start = source.find("#[grafos::tasklet(").unwrap() + "#[grafos::tasklet(".len();
    let end = start + source[start..].find(")]\n").unwrap();
    let attr = TokenStream::from_str(&source[start..end]).unwrap();
    let item = TokenStream::from_str(&source[end + 3..]).unwrap();
    (attr, item.into_iter().collect())
}

#[test]
fn never_panics_on_truncated_or_damaged_modules() {
    use proc_macro2::{Group, TokenTree};
    let (attr, item) = big_tasklet();
    let Some((TokenTree::Group(body), head)) = item.split_last() else {
        panic!("the fixture is `pub mod name {{ .. }}`");
    };
    let body: Vec<TokenTree> = body.stream().into_iter().collect();
    let module = |tokens: &[TokenTree]| {
        let mut out: TokenStream = head.iter().cloned().collect();
        out.extend([TokenTree::Group(Group::new(
            proc_macro2::Delimiter::Brace,
            tokens.iter().cloned().collect(),
        ))]);
        out
    };
    for cut in 0..body.len() {
        // Every prefix of the module's items, and the module without one token.
        let _ = tasklet(attr.clone(), module(&body[..cut]));
        let mut damaged = body.clone();
        damaged.remove(cut);
        let _ = tasklet(attr.clone(), module(&damaged));
    }
    // The module with one token removed inside one of its items' groups
    // (fn bodies, parameter lists, struct bodies).
    for (at, token) in body.iter().enumerate() {
        let TokenTree::Group(group) = token else {
            continue;
        };
        let inner: Vec<TokenTree> = group.stream().into_iter().collect();
        for cut in 0..inner.len() {
            let mut damaged_inner = inner.clone();
            damaged_inner.remove(cut);
            let mut damaged = body.clone();
            damaged[at] = TokenTree::Group(Group::new(
                group.delimiter(),
                damaged_inner.into_iter().collect(),
            ));
            let _ = tasklet(attr.clone(), module(&damaged));
        }
    }
    // Every prefix of the arguments, and of the item's own tokens.
    let attr: Vec<TokenTree> = attr.into_iter().collect();
    for cut in 0..attr.len() {
        let _ = tasklet(attr[..cut].iter().cloned().collect(), module(&body));
    }
    for cut in 0..item.len() {
        let _ = tasklet(TokenStream::new(), item[..cut].iter().cloned().collect());
    }
}
