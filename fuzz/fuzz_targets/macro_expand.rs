//! (c) `#[grafos::tasklet]`'s expansion on token streams made from valid
//! (and invalid) tasklet modules by mutation. Seeds: every ui-test case,
//! the bench fixture and the examples (`build.rs` collects them). Each
//! input picks a module and applies up to 16 mutations to its attribute
//! arguments or its item, anywhere in the token tree: delete, duplicate,
//! swap, copy a token from elsewhere, replace it with an ident, a literal
//! or a punct from the vocabulary tasklets use, change a group's
//! delimiter, unwrap or wrap a group.
//!
//! Invariant: `grafos_macros_support::tasklet` returns a token stream (a
//! `compile_error!` for bad input that parses; what does not parse comes
//! back for rustc to report) and never panics; so does `misplaced`.
#![no_main]

mod seeds {
    include!(concat!(env!("OUT_DIR"), "/seed_sources.rs"));
}

use std::str::FromStr;

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// A token tree whose groups can be edited in place.
#[derive(Clone, Debug)]
enum Tree {
    Leaf(TokenTree),
    Group(Delimiter, Vec<Tree>),
}

fn trees(stream: TokenStream) -> Vec<Tree> {
    stream
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(g) => Tree::Group(g.delimiter(), trees(g.stream())),
            other => Tree::Leaf(other),
        })
        .collect()
}

fn stream(trees: &[Tree]) -> TokenStream {
    trees
        .iter()
        .map(|t| match t {
            Tree::Leaf(t) => t.clone(),
            Tree::Group(d, inner) => TokenTree::Group(Group::new(*d, stream(inner))),
        })
        .collect()
}

/// Every `#[grafos::tasklet(args)] item` of `source`: the arguments and the
/// item up to its body (`mod name { .. }` or `mod name;`).
fn tasklets(source: &str, out: &mut Vec<(Vec<Tree>, Vec<Tree>)>) {
    let Ok(tokens) = TokenStream::from_str(source) else {
        return;
    };
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i + 1 < tokens.len() {
        let is_attr = matches!(&tokens[i], TokenTree::Punct(p) if p.as_char() == '#')
            && matches!(&tokens[i + 1], TokenTree::Group(g)
                if g.delimiter() == Delimiter::Bracket && is_tasklet_path(g.stream()));
        if !is_attr {
            i += 1;
            continue;
        }
        let TokenTree::Group(attr) = &tokens[i + 1] else {
            unreachable!()
        };
        let args = attr
            .stream()
            .into_iter()
            .find_map(|t| match t {
                TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => Some(g.stream()),
                _ => None,
            })
            .unwrap_or_default();
        let mut item = Vec::new();
        let mut j = i + 2;
        while j < tokens.len() {
            let token = tokens[j].clone();
            j += 1;
            let end = matches!(&token, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
                || matches!(&token, TokenTree::Punct(p) if p.as_char() == ';');
            item.push(token);
            if end {
                break;
            }
        }
        out.push((trees(args), trees(item.into_iter().collect())));
        i = j;
    }
}

/// Whether an attribute's contents are `tasklet` or `grafos::tasklet`
/// (any path ending in `tasklet`), with or without arguments: not a doc
/// comment that mentions tasklets.
fn is_tasklet_path(attr: TokenStream) -> bool {
    let mut path: Vec<String> = attr.into_iter().map(|t| t.to_string()).collect();
    if path.last().is_some_and(|t| t.starts_with('(')) {
        path.pop();
    }
    path.last().is_some_and(|t| t == "tasklet")
        && path
            .iter()
            .all(|t| t == ":" || t.chars().all(|c| c.is_alphanumeric() || c == '_'))
}

type Corpus = Vec<(Vec<Tree>, Vec<Tree>)>;

thread_local! {
    /// The seed modules, lexed once (proc-macro2's tokens are not `Sync`).
    static CORPUS: Corpus = {
        let mut out = Vec::new();
        for source in seeds::SOURCES {
            tasklets(source, &mut out);
        }
        assert!(out.len() > 20, "too few seed modules: {}", out.len());
        if grafos_fuzz::verbose() {
            for (attr, item) in &out {
                let item = stream(item).to_string();
                eprintln!("seed: ({}) {}", stream(attr), &item[..item.len().min(40)]);
            }
        }
        out
    };
}

/// Identifiers and keywords tasklets, the lint and the arguments care about.
const IDENTS: &[&str] = &[
    "mod",
    "fn",
    "pub",
    "use",
    "super",
    "crate",
    "self",
    "Self",
    "static",
    "const",
    "mut",
    "unsafe",
    "async",
    "await",
    "impl",
    "struct",
    "enum",
    "trait",
    "type",
    "where",
    "for",
    "loop",
    "while",
    "if",
    "else",
    "match",
    "return",
    "move",
    "dyn",
    "ref",
    "let",
    "in",
    "as",
    "extern",
    "coordinator",
    "worker",
    "target_specific",
    "tasklet",
    "grafos",
    "Coordinator",
    "Worker",
    "CoordinatorCtx",
    "WorkerCtx",
    "Lane",
    "Shared",
    "Scratch",
    "TaskletError",
    "Result",
    "Vec",
    "Box",
    "Option",
    "Ok",
    "Err",
    "Some",
    "None",
    "String",
    "str",
    "bool",
    "char",
    "u8",
    "u32",
    "u64",
    "usize",
    "i32",
    "i128",
    "f32",
    "f64",
    "thread_local",
    "HashMap",
    "HashSet",
    "Instant",
    "SystemTime",
    "AtomicU64",
    "Mutex",
    "std",
    "core",
    "alloc",
    "thread",
    "time",
    "env",
    "fs",
    "net",
    "process",
    "sync",
    "atomic",
    "hint",
    "spin_loop",
    "RandomState",
    "rand",
    "random",
    "getrandom",
    "workers",
    "shared",
    "scratch",
    "shared_bytes",
    "scratch_bytes",
    "fuel",
    "cores",
    "name",
    "input",
    "lane",
    "barrier",
    "parallel_for_workers",
    "set_output",
    "fuel_checkpoint",
    "fuel_remaining",
    "partition",
    "host_thread_id",
    "guest_memory_bytes",
    "worker_index",
    "data_scratch",
    "shared_region",
    "is_cancelled",
    "cfg",
    "derive",
    "doc",
    "allow",
    "inline",
    "no_mangle",
    "export_name",
    "macro_rules",
    "println",
    "include_bytes",
    "env",
    "_",
    "a",
    "x",
];

const PUNCTS: &[char] = &[
    '+', '-', '*', '/', '%', '^', '!', '&', '|', '=', '<', '>', '@', '.', ',', ';', ':', '#', '$',
    '?', '~', '\'',
];

fn literal(u: &mut Unstructured<'_>) -> Result<Literal> {
    Ok(match u.int_in_range(0..=9u8)? {
        0 => Literal::u64_unsuffixed(u.arbitrary()?),
        1 => Literal::u8_unsuffixed(u.arbitrary()?),
        2 => Literal::string(u.arbitrary()?),
        3 => Literal::i64_suffixed(u.arbitrary()?),
        4 => {
            let f: f64 = u.arbitrary()?;
            if f.is_finite() {
                Literal::f64_unsuffixed(f)
            } else {
                Literal::f32_suffixed(1.5)
            }
        }
        5 => Literal::byte_string(u.arbitrary()?),
        6 => Literal::character(u.arbitrary()?),
        7 => Literal::u128_unsuffixed(u.arbitrary()?),
        _ => {
            // Spellings the constructors do not write.
            let text = *u.choose(&[
                "0x1000",
                "1_000_000",
                "4294967296",
                "18446744073709551616",
                "340282366920938463463374607431768211456",
                "1e10",
                "0b1",
                "0o7",
                "1usize",
                "256u8",
                "-1",
                "r#\"raw\"#",
                "c\"c\"",
                "'\\u{10FFFF}'",
                "\"\"",
                "\"sum v2\"",
                "\"_\"",
                "\"grafos_v0\"",
                "1.0e-400",
                "0u999",
            ])?;
            match Literal::from_str(text) {
                Ok(lit) => lit,
                Err(_) => Literal::u32_unsuffixed(0),
            }
        }
    })
}

fn leaf(u: &mut Unstructured<'_>) -> Result<Tree> {
    Ok(Tree::Leaf(match u.int_in_range(0..=2u8)? {
        0 => TokenTree::Ident(Ident::new(u.choose(IDENTS)?, Span::call_site())),
        1 => TokenTree::Literal(literal(u)?),
        _ => {
            let spacing = if u.arbitrary()? {
                Spacing::Joint
            } else {
                Spacing::Alone
            };
            TokenTree::Punct(Punct::new(*u.choose(PUNCTS)?, spacing))
        }
    }))
}

fn delimiter(u: &mut Unstructured<'_>) -> Result<Delimiter> {
    Ok(*u.choose(&[
        Delimiter::Parenthesis,
        Delimiter::Brace,
        Delimiter::Bracket,
        Delimiter::None,
    ])?)
}

fn count(trees: &[Tree]) -> usize {
    trees
        .iter()
        .map(|t| match t {
            Tree::Leaf(_) => 1,
            Tree::Group(_, inner) => 1 + count(inner),
        })
        .sum()
}

/// The `n`th tree in preorder, by value.
fn nth(trees: &[Tree], n: &mut usize) -> Option<Tree> {
    for t in trees {
        if *n == 0 {
            return Some(t.clone());
        }
        *n -= 1;
        if let Tree::Group(_, inner) = t
            && let Some(found) = nth(inner, n)
        {
            return Some(found);
        }
    }
    None
}

/// Applies one mutation at the `n`th tree in preorder.
fn mutate_at(
    trees: &mut Vec<Tree>,
    n: &mut usize,
    u: &mut Unstructured<'_>,
    donor: &Option<Tree>,
) -> Result<bool> {
    for i in 0..trees.len() {
        if *n == 0 {
            match u.int_in_range(0..=9u8)? {
                0 => {
                    trees.remove(i);
                }
                1 => {
                    let copy = trees[i].clone();
                    trees.insert(i, copy);
                }
                2 => {
                    let j = u.choose_index(trees.len())?;
                    trees.swap(i, j);
                }
                3 => {
                    if let Some(donor) = donor {
                        trees.insert(i, donor.clone());
                    }
                }
                4 => {
                    if let Some(donor) = donor {
                        trees[i] = donor.clone();
                    }
                }
                5 => trees[i] = leaf(u)?,
                6 => trees.insert(i, leaf(u)?),
                7 => match &mut trees[i] {
                    Tree::Group(d, _) => *d = delimiter(u)?,
                    leaf => *leaf = Tree::Group(delimiter(u)?, vec![leaf.clone()]),
                },
                8 => {
                    if let Tree::Group(_, inner) = trees[i].clone() {
                        trees.splice(i..=i, inner);
                    }
                }
                _ => {
                    // Wrap this tree and the ones after it (up to 4) in a group.
                    let end = (i + u.int_in_range(1..=4usize)?).min(trees.len());
                    let inner: Vec<Tree> = trees.drain(i..end).collect();
                    trees.insert(i, Tree::Group(delimiter(u)?, inner));
                }
            }
            return Ok(true);
        }
        *n -= 1;
        if let Tree::Group(_, inner) = &mut trees[i]
            && mutate_at(inner, n, u, donor)?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn mutate(trees: &mut Vec<Tree>, u: &mut Unstructured<'_>, donor: &Option<Tree>) -> Result<()> {
    let total = count(trees);
    if total == 0 {
        trees.push(leaf(u)?);
        return Ok(());
    }
    let mut n = u.choose_index(total)?;
    mutate_at(trees, &mut n, u, donor)?;
    Ok(())
}

fn run(u: &mut Unstructured<'_>, corpus: &Corpus) -> Result<()> {
    let (attr, item) = u.choose(corpus)?;
    let (mut attr, mut item) = (attr.clone(), item.clone());
    // Mostly a few mutations, so that much of the module still parses and
    // the checks behind the parser run; now and then many.
    let mutations = if u.ratio(1, 8)? {
        u.int_in_range(0..=16u8)?
    } else {
        u.int_in_range(0..=3u8)?
    };
    for _ in 0..mutations {
        // A donor from anywhere in the corpus: a well-formed piece in a wrong place.
        let (donor_attr, donor_item) = u.choose(corpus)?;
        let donor_from = if u.ratio(1, 4)? {
            donor_attr
        } else {
            donor_item
        };
        let donor = match count(donor_from) {
            0 => None,
            total => nth(donor_from, &mut u.choose_index(total)?),
        };
        if u.ratio(1, 8)? {
            mutate(&mut attr, u, &donor)?;
        } else {
            mutate(&mut item, u, &donor)?;
        }
    }
    let (attr, item) = (stream(&attr), stream(&item));
    let out = grafos_macros_support::tasklet(attr, item.clone());
    // The expansion is what the compiler receives: it must print.
    let printed = out.to_string();
    if grafos_fuzz::verbose() {
        // The first error, or that the expansion has none.
        let first = printed
            .split("compile_error !")
            .nth(1)
            .map_or("clean", |rest| &rest[..rest.len().min(80)]);
        eprintln!("expansion: {first}");
    }
    for marker in [
        grafos_macros_support::Marker::Coordinator,
        grafos_macros_support::Marker::Worker,
        grafos_macros_support::Marker::TargetSpecific,
    ] {
        std::hint::black_box(grafos_macros_support::misplaced(marker, item.clone()));
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    CORPUS.with(|corpus| {
        let _ = run(&mut Unstructured::new(data), corpus);
    });
});
