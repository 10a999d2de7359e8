//! The arguments of `#[grafos::tasklet(..)]`: parsed by darling (unknown and
//! duplicate arguments, with "did you mean" for near misses), then checked
//! here, every error spanned at its token and all of them reported at once.

use darling::FromMeta;
use darling::ast::{MetaNameValueInvalidExpr, NestedMeta};
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::{Expr, LitBool, LitInt, LitStr, Path, Type, parse_quote};

use crate::diag::{Diagnostics, format_err};

/// Most lanes of one launch, the coordinator's included.
const MAX_LANES: u64 = grafos_abi::MAX_LANES as u64;
/// Fewest: the coordinator and one data lane.
const MIN_LANES: u64 = grafos_abi::MIN_LANES as u64;

/// The largest region a wasm32 guest can address.
const MAX_REGION_BYTES: u64 = u32::MAX as u64;

/// `#[grafos::tasklet(..)]` as written. Numbers are kept as literals so that
/// errors and the generated code point at them.
#[derive(FromMeta, Default)]
struct Written {
    workers: Arg<LitInt>,
    shared: Arg<Type>,
    scratch: Arg<Type>,
    shared_bytes: Arg<LitInt>,
    scratch_bytes: Arg<LitInt>,
    fuel: Arg<LitInt>,
    cores: Arg<LitInt>,
    name: Arg<LitStr>,
    inputs: Arg<Path>,
    cross_target: Arg<LitBool>,
    #[darling(rename = "crate")]
    krate: Arg<Path>,
}

impl Written {
    /// Every argument that can be read on its own, for when darling rejects
    /// the list as a whole (for an unknown argument, say): the others are
    /// still checked, and the types still reach the context aliases, so an
    /// editor keeps completing.
    fn leniently(items: &[NestedMeta]) -> Written {
        let mut written = Written::default();
        for item in items {
            match argument_name(item).as_deref() {
                Some("workers") => written.workers.fill(item),
                Some("shared") => written.shared.fill(item),
                Some("scratch") => written.scratch.fill(item),
                Some("shared_bytes") => written.shared_bytes.fill(item),
                Some("scratch_bytes") => written.scratch_bytes.fill(item),
                Some("fuel") => written.fuel.fill(item),
                Some("cores") => written.cores.fill(item),
                Some("name") => written.name.fill(item),
                Some("inputs") => written.inputs.fill(item),
                Some("cross_target") => written.cross_target.fill(item),
                Some("crate") => written.krate.fill(item),
                _ => {}
            }
        }
        written
    }
}

/// The name of an argument `name = ..`, `name(..)` or `name`.
fn argument_name(item: &NestedMeta) -> Option<String> {
    let path = match item {
        NestedMeta::Meta(meta) => meta.path(),
        NestedMeta::NameValueInvalidExpr(nv) => &nv.path,
        NestedMeta::Lit(_) => return None,
    };
    path.get_ident().map(|ident| ident.to_string())
}

/// One argument's value, `None` when it is left out. Implements `FromMeta`
/// itself, rather than using darling's `Option<T>`, to say what was expected
/// and to accept types that are not expressions (`Cell<u32>` reads as a
/// chained comparison to syn's expression parser, which darling's `Option`
/// does not recover from).
struct Arg<T>(Option<T>);

impl<T> Default for Arg<T> {
    fn default() -> Self {
        Arg(None)
    }
}

/// What an argument's value may be.
trait Value: Sized {
    /// Said when the value is something else: "a whole number, e.g. `4`".
    const EXPECTED: &'static str;

    fn from_expr(expr: &Expr) -> Option<Self>;

    /// Values that are not expressions.
    fn from_tokens(_tokens: &TokenStream) -> Option<Self> {
        None
    }
}

impl Value for LitInt {
    const EXPECTED: &'static str = "a whole number, e.g. `4`";

    fn from_expr(expr: &Expr) -> Option<Self> {
        match expr {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(int),
                ..
            }) => Some(int.clone()),
            _ => None,
        }
    }
}

impl Value for LitStr {
    const EXPECTED: &'static str = "a string, e.g. `\"histogram\"`";

    fn from_expr(expr: &Expr) -> Option<Self> {
        match expr {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.clone()),
            _ => None,
        }
    }
}

impl Value for LitBool {
    const EXPECTED: &'static str = "`true` or `false`";

    fn from_expr(expr: &Expr) -> Option<Self> {
        match expr {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Bool(b),
                ..
            }) => Some(b.clone()),
            _ => None,
        }
    }
}

impl Value for Type {
    const EXPECTED: &'static str = "a type, e.g. `Histogram` or `[u32; 4]`";

    fn from_expr(expr: &Expr) -> Option<Self> {
        match expr {
            Expr::Lit(_) => None,
            _ => <Type as FromMeta>::from_expr(expr).ok(),
        }
    }

    fn from_tokens(tokens: &TokenStream) -> Option<Self> {
        syn::parse2(tokens.clone()).ok()
    }
}

impl Value for Path {
    const EXPECTED: &'static str = "a path, e.g. `::grafos`";

    fn from_expr(expr: &Expr) -> Option<Self> {
        <Path as FromMeta>::from_expr(expr).ok()
    }
}

impl<T: Value> Arg<T> {
    /// Sets the value from `item`, unless it is set already or unreadable.
    fn fill(&mut self, item: &NestedMeta) {
        if self.0.is_none()
            && let Ok(Arg(value)) = Arg::<T>::from_nested_meta(item)
        {
            self.0 = value;
        }
    }

    fn expected(at: &impl ToTokens) -> darling::Error {
        darling::Error::custom(format!("expected {}", T::EXPECTED)).with_span(at)
    }
}

impl<T: Value> FromMeta for Arg<T> {
    fn from_none() -> Option<Self> {
        Some(Arg(None))
    }

    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        match expr {
            Expr::Group(group) => Self::from_expr(&group.expr),
            _ => T::from_expr(expr)
                .map(|value| Arg(Some(value)))
                .ok_or_else(|| Self::expected(expr)),
        }
    }

    fn from_invalid_expr(value: &MetaNameValueInvalidExpr) -> darling::Result<Self> {
        T::from_tokens(&value.value)
            .map(|value| Arg(Some(value)))
            .ok_or_else(|| Self::expected(&value.value))
    }

    fn from_word() -> darling::Result<Self> {
        Err(darling::Error::custom(format!(
            "expected a value: `= ..` with {}",
            T::EXPECTED
        )))
    }

    fn from_list(_: &[NestedMeta]) -> darling::Result<Self> {
        Err(darling::Error::custom(format!(
            "expected `= ..` with {}, not parentheses",
            T::EXPECTED
        )))
    }
}

/// A checked number and the literal it came from (for spans).
#[derive(Clone, Debug)]
pub(crate) struct Number {
    pub(crate) value: u64,
    pub(crate) literal: LitInt,
}

impl Number {
    /// The value as an unsuffixed literal at the user's span, so generated
    /// code takes whatever integer type its position needs.
    pub(crate) fn unsuffixed(&self) -> LitInt {
        LitInt::new(&self.value.to_string(), self.literal.span())
    }
}

/// The tasklet's configuration. Missing arguments have their defaults; a
/// broken one is replaced by its default and reported.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    /// Lanes of a launch, the coordinator's included: 2 to 256.
    pub(crate) workers: u32,
    /// The shared type (default `()`).
    pub(crate) shared: Type,
    /// The per-lane scratch type (default `()`).
    pub(crate) scratch: Type,
    /// `None`: the shared type's size.
    pub(crate) shared_bytes: Option<Number>,
    /// `None`: the scratch type's size.
    pub(crate) scratch_bytes: Option<Number>,
    /// `None`: the SDK's `DEFAULT_FUEL`.
    pub(crate) fuel: Option<Number>,
    /// Cores of the host mock's lease: 1 to 256, default `workers`.
    pub(crate) cores: u32,
    /// `None`: the module's name.
    pub(crate) name: Option<LitStr>,
    /// A `fn() -> Vec<Vec<u8>>` of inputs for the cross-target test.
    pub(crate) inputs: Option<Path>,
    /// Whether the generated test runs the tasklet in the wasm runtime too
    /// (`cross_target = false` opts out).
    pub(crate) cross_target: bool,
    /// The path of the SDK crate, `::grafos` unless `crate = ..` says otherwise.
    pub(crate) krate: Path,
}

impl Config {
    /// Parses and checks the arguments. Always returns a configuration, so
    /// that the module can still be expanded for editors; the diagnostics say
    /// which arguments were replaced by defaults.
    pub(crate) fn parse(args: TokenStream) -> (Config, Diagnostics) {
        let mut diag = Diagnostics::default();
        let items = NestedMeta::parse_meta_list(args).unwrap_or_else(|error| {
            diag.error(error);
            Vec::new()
        });
        let written = Written::from_list(&items).unwrap_or_else(|error| {
            diag.error(error.into());
            Written::leniently(&items)
        });
        let workers = match &written.workers.0 {
            Some(literal) => diag.handle(ranged(
                literal,
                "workers",
                MIN_LANES..=MAX_LANES,
                "it counts the coordinator lane too, so 2 is one coordinator and one data worker",
            )),
            // Written but unreadable, misspelled, or the list did not parse:
            // already reported.
            None if diag.has_errors()
                && (items.is_empty()
                    || written_as(&items, |name| name.eq("workers"))
                    || written_as(&items, |name| near_miss(name, "workers"))) =>
            {
                None
            }
            None => {
                diag.error(syn::Error::new(
                    Span::call_site(),
                    "missing argument `workers`: the lanes of a launch, the coordinator's \
                     included, e.g. `#[grafos::tasklet(workers = 4)]`",
                ));
                None
            }
        };
        let workers = workers.map_or(2, |n| n.value as u32);
        let mut number = |literal: &Option<LitInt>, what, range, why| {
            literal
                .as_ref()
                .and_then(|literal| diag.handle(ranged(literal, what, range, why)))
        };
        let cores = number(
            &written.cores.0,
            "cores",
            1..=MAX_LANES,
            "the cores the host mock leases; it defaults to `workers`",
        );
        let region = "a wasm32 guest addresses at most 4 GiB";
        let shared_bytes = number(
            &written.shared_bytes.0,
            "shared_bytes",
            0..=MAX_REGION_BYTES,
            region,
        );
        let scratch_bytes = number(
            &written.scratch_bytes.0,
            "scratch_bytes",
            0..=MAX_REGION_BYTES,
            region,
        );
        let fuel = number(
            &written.fuel.0,
            "fuel",
            1..=u64::MAX,
            "a launch without fuel cannot run; leave `fuel` out for the SDK's default",
        );
        if let Some(name) = &written.name.0 {
            diag.handle(check_name(&name.value(), name, NameSource::Argument));
        }
        let config = Config {
            workers,
            shared: written.shared.0.unwrap_or_else(unit),
            scratch: written.scratch.0.unwrap_or_else(unit),
            shared_bytes,
            scratch_bytes,
            fuel,
            cores: cores.map_or(workers, |n| n.value as u32),
            name: written.name.0,
            inputs: written.inputs.0,
            cross_target: written.cross_target.0.is_none_or(|b| b.value),
            krate: written.krate.0.unwrap_or_else(default_crate),
        };
        (config, diag)
    }

    /// The tasklet's name: `name = ".."`, else the module's.
    pub(crate) fn tasklet_name(&self, module: &syn::Ident) -> syn::Result<String> {
        match &self.name {
            Some(name) => Ok(name.value()),
            None => {
                let name = unraw(module);
                check_name(&name, module, NameSource::Module).map(|()| name)
            }
        }
    }
}

/// Whether an argument's name satisfies `test`.
fn written_as(items: &[NestedMeta], test: impl Fn(&str) -> bool) -> bool {
    items
        .iter()
        .filter_map(argument_name)
        .any(|name| test(&name))
}

/// `written` is `wanted` misspelled: at most two edits away (and not it).
fn near_miss(written: &str, wanted: &str) -> bool {
    (1..=2).contains(&strsim::levenshtein(written, wanted))
}

fn unit() -> Type {
    parse_quote!(())
}

fn default_crate() -> Path {
    parse_quote!(::grafos)
}

/// An identifier as written, without a raw prefix (`r#type` is `type`).
pub(crate) fn unraw(ident: &syn::Ident) -> String {
    let name = ident.to_string();
    match name.strip_prefix("r#") {
        Some(stripped) => stripped.to_owned(),
        None => name,
    }
}

/// Checks that `literal` lies in `range`; `why` explains the range.
fn ranged(
    literal: &LitInt,
    what: &str,
    range: std::ops::RangeInclusive<u64>,
    why: &str,
) -> syn::Result<Number> {
    match literal.base10_parse::<u64>() {
        Ok(value) if range.contains(&value) => Ok(Number {
            value,
            literal: literal.clone(),
        }),
        _ => {
            let bounds = match (*range.start(), *range.end()) {
                (low, u64::MAX) => format!("at least {low}"),
                (low, high) => format!("{low} to {high}"),
            };
            Err(format_err!(
                literal,
                "`{what}` must be {bounds}, not {}: {why}",
                literal.base10_digits()
            ))
        }
    }
}

/// Where a tasklet's name comes from, for messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NameSource {
    Argument,
    Module,
}

/// A tasklet's name becomes the wasm export `grafos_v0_tasklet_<name>`: it
/// must be ASCII letters, digits and `_`.
fn check_name(name: &str, at: &impl ToTokens, source: NameSource) -> syn::Result<()> {
    if name.is_empty() {
        return Err(format_err!(
            at,
            "the tasklet's name is empty, but it becomes its wasm export \
             `grafos_v0_tasklet_<name>`"
        ));
    }
    let (what, advice) = match source {
        NameSource::Argument => (format!("`{name}`"), ""),
        NameSource::Module => (
            format!("the module name `{name}`"),
            "; name the tasklet with `name = \"..\"`",
        ),
    };
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        None => Ok(()),
        Some(bad) => Err(format_err!(
            at,
            "{what} cannot name a wasm export: `grafos_v0_tasklet_<name>` takes only ASCII \
             letters, digits and `_`, not `{bad}`{advice}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::{ToTokens, quote};

    fn parse(args: TokenStream) -> Result<Config, Vec<String>> {
        let (config, diag) = Config::parse(args);
        match diag.into_result() {
            Ok(()) => Ok(config),
            Err(e) => Err(e.into_iter().map(|e| e.to_string()).collect()),
        }
    }

    #[track_caller]
    fn assert_fail(args: TokenStream, expected: &str) {
        let errors = parse(args).map(|_| ()).unwrap_err();
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "expected an error containing {expected:?}, got {errors:#?}"
        );
    }

    #[test]
    fn defaults() {
        let config = parse(quote!(workers = 4)).unwrap();
        assert_eq!(config.workers, 4);
        assert_eq!(config.cores, 4);
        assert_eq!(config.shared, unit());
        assert_eq!(config.scratch, unit());
        assert!(config.shared_bytes.is_none() && config.scratch_bytes.is_none());
        assert!(config.fuel.is_none() && config.name.is_none());
        assert_eq!(config.krate, default_crate());
    }

    #[test]
    fn every_argument() {
        let config = parse(quote!(
            workers = 8,
            shared = Histogram,
            scratch = [u32; 4],
            shared_bytes = 0x1000,
            scratch_bytes = 64,
            fuel = 1_000,
            cores = 2,
            name = "hist_2",
            crate = ::sdk::grafos
        ))
        .unwrap();
        assert_eq!((config.workers, config.cores), (8, 2));
        assert_eq!(config.shared, parse_quote!(Histogram));
        assert_eq!(config.scratch, parse_quote!([u32; 4]));
        assert_eq!(config.shared_bytes.unwrap().value, 4096);
        assert_eq!(config.scratch_bytes.unwrap().value, 64);
        let fuel = config.fuel.unwrap();
        assert_eq!(fuel.value, 1000);
        assert_eq!(fuel.unsuffixed().to_string(), "1000");
        assert_eq!(config.name.unwrap().value(), "hist_2");
        assert_eq!(config.krate, parse_quote!(::sdk::grafos));
    }

    #[test]
    fn workers_is_required_and_ranged() {
        assert_fail(quote!(), "missing argument `workers`");
        assert_fail(quote!(shared = S), "missing argument `workers`");
        assert_fail(quote!(workers = 1), "`workers` must be 2 to 256, not 1");
        assert_fail(quote!(workers = 257), "not 257");
        assert_fail(
            quote!(workers = 99999999999999999999999),
            "`workers` must be 2 to 256, not 99999999999999999999999",
        );
        assert_fail(quote!(workers = -4), "`workers` must be 2 to 256, not -4");
        assert_fail(
            quote!(workers),
            "expected a value: `= ..` with a whole number",
        );
        assert_fail(quote!(workers(4)), "not parentheses");
    }

    #[test]
    fn ranges_of_the_other_numbers() {
        assert_fail(
            quote!(workers = 4, cores = 0),
            "`cores` must be 1 to 256, not 0",
        );
        assert_fail(quote!(workers = 4, cores = 300), "not 300");
        assert_fail(
            quote!(workers = 4, fuel = 0),
            "`fuel` must be at least 1, not 0",
        );
        assert_fail(
            quote!(workers = 4, shared_bytes = 4294967296),
            "`shared_bytes` must be 0 to 4294967295",
        );
        assert_fail(
            quote!(workers = 4, scratch_bytes = 1e3),
            "expected a whole number, e.g. `4`",
        );
    }

    #[test]
    fn several_errors_at_once() {
        let errors = parse(quote!(workers = 1, cores = 0, fuel = 0)).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:#?}");
        // An unknown argument fails darling's parse as a whole; the others
        // are still checked.
        let errors = parse(quote!(workers = 1, colour = 2, fuel = 0)).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert!(errors[0].contains("Unknown field: `colour`"));
        assert!(errors[1].contains("`workers` must be 2 to 256, not 1"));
        assert!(errors[2].contains("`fuel` must be at least 1, not 0"));
        let errors = parse(quote!(workers = "four", colour = 2)).unwrap_err();
        assert_eq!(
            errors.len(),
            2,
            "written but unreadable is not missing: {errors:#?}"
        );
    }

    #[test]
    fn darling_reports_unknown_duplicate_and_ill_typed() {
        assert_fail(quote!(workers = 4, workerz = 4), "Did you mean `workers`?");
        assert_fail(
            quote!(workers = 4, workers = 5),
            "Duplicate field `workers`",
        );
        assert_fail(quote!(workers = "4"), "expected a whole number, e.g. `4`");
        assert_fail(
            quote!(workers = 4, shared = 5),
            "expected a type, e.g. `Histogram`",
        );
        assert_fail(
            quote!(workers = 4, crate = 5),
            "expected a path, e.g. `::grafos`",
        );
        assert_fail(quote!(workers = 4, name = hist), "expected a string");
        assert_fail(quote!(workers = ), "expected a whole number");
    }

    #[test]
    fn a_misspelled_workers_is_not_also_missing() {
        let errors = parse(quote!(wrkers = 4)).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        let errors = parse(quote!(colour = 4)).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(near_miss("wrkers", "workers") && near_miss("Workers", "workers"));
        assert!(!near_miss("workers", "workers") && !near_miss("shared", "workers"));
    }

    #[test]
    fn types_need_not_be_expressions() {
        let config =
            parse(quote!(workers = 2, shared = std::cell::Cell<u32>, scratch = Vec<u8>)).unwrap();
        assert_eq!(config.shared, parse_quote!(std::cell::Cell<u32>));
        assert_eq!(config.scratch, parse_quote!(Vec<u8>));
        assert_fail(quote!(workers = 2, shared = Vec<), "expected a type");
    }

    #[test]
    fn names_must_make_export_names() {
        assert_fail(quote!(workers = 4, name = "my-hist"), "not `-`");
        assert_fail(
            quote!(workers = 4, name = ""),
            "the tasklet's name is empty",
        );
        let config = parse(quote!(workers = 4)).unwrap();
        assert_eq!(config.tasklet_name(&parse_quote!(r#type)).unwrap(), "type");
        let err = config.tasklet_name(&parse_quote!(café)).unwrap_err();
        assert!(
            err.to_string().contains("name the tasklet with `name"),
            "{err}"
        );
    }

    #[test]
    fn broken_arguments_keep_the_types_for_editors() {
        let (config, diag) = Config::parse(quote!(workers = 4, colour = 1, shared = Histogram));
        assert!(diag.has_errors());
        assert_eq!(config.shared.to_token_stream().to_string(), "Histogram");
        let (config, _) = Config::parse(quote!(wrkers = 4, crate = ::x::grafos));
        assert_eq!(config.krate, parse_quote!(::x::grafos));
    }
}
