//! The arguments of `#[grafos::tasklet(..)]`: parsed by darling (unknown,
//! duplicate and ill-typed arguments, with "did you mean" for near misses),
//! then range-checked here, every error spanned at its token.

use darling::FromMeta;
use darling::ast::NestedMeta;
use proc_macro2::{Span, TokenStream};
use syn::{LitInt, LitStr, Path, Type, parse_quote};

use crate::diag::{Diagnostics, format_err};

/// Most lanes of one launch, the coordinator's included (the SDK's `MAX_LANES`).
const MAX_LANES: u64 = 256;

/// The largest region a wasm32 guest can address.
const MAX_REGION_BYTES: u64 = u32::MAX as u64;

/// `#[grafos::tasklet(..)]` as written. Numbers are kept as literals so that
/// errors and the generated code point at them.
#[derive(FromMeta)]
struct Written {
    workers: Option<LitInt>,
    shared: Option<Type>,
    scratch: Option<Type>,
    shared_bytes: Option<LitInt>,
    scratch_bytes: Option<LitInt>,
    fuel: Option<LitInt>,
    cores: Option<LitInt>,
    name: Option<LitStr>,
    #[darling(rename = "crate")]
    krate: Option<Path>,
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
    /// The path of the SDK crate, `::grafos` unless `crate = ..` says otherwise.
    pub(crate) krate: Path,
}

impl Config {
    /// Parses and checks the arguments. Always returns a configuration, so
    /// that the module can still be expanded for editors; the errors say
    /// which arguments were replaced by defaults.
    pub(crate) fn parse(args: TokenStream) -> (Config, Diagnostics) {
        let mut diag = Diagnostics::default();
        let items = match NestedMeta::parse_meta_list(args) {
            Ok(items) => items,
            Err(error) => {
                diag.error(error);
                return (Config::fallback(&[]), diag);
            }
        };
        let written = match Written::from_list(&items) {
            Ok(written) => written,
            Err(error) => {
                diag.error(error.into());
                return (Config::fallback(&items), diag);
            }
        };
        let workers = match &written.workers {
            None => {
                diag.error(syn::Error::new(
                    Span::call_site(),
                    "missing argument `workers`: the lanes of a launch, the coordinator's \
                     included, e.g. `#[grafos::tasklet(workers = 4)]`",
                ));
                None
            }
            Some(literal) => diag.handle(ranged(
                literal,
                "workers",
                2..=MAX_LANES,
                "it counts the coordinator lane too, so 2 is one coordinator and one data worker",
            )),
        };
        let workers = workers.map_or(2, |n| n.value as u32);
        let cores = written.cores.as_ref().and_then(|literal| {
            diag.handle(ranged(
                literal,
                "cores",
                1..=MAX_LANES,
                "the cores the host mock leases; it defaults to `workers`",
            ))
        });
        let region = |literal: &LitInt, what: &str, diag: &mut Diagnostics| {
            diag.handle(ranged(
                literal,
                what,
                0..=MAX_REGION_BYTES,
                "a wasm32 guest addresses at most 4 GiB",
            ))
        };
        let shared_bytes = written
            .shared_bytes
            .as_ref()
            .and_then(|l| region(l, "shared_bytes", &mut diag));
        let scratch_bytes = written
            .scratch_bytes
            .as_ref()
            .and_then(|l| region(l, "scratch_bytes", &mut diag));
        let fuel = written.fuel.as_ref().and_then(|literal| {
            diag.handle(ranged(
                literal,
                "fuel",
                1..=u64::MAX,
                "a launch without fuel cannot run; leave `fuel` out for the SDK's default",
            ))
        });
        if let Some(name) = &written.name {
            diag.handle(check_name(&name.value(), name, "`name`"));
        }
        let config = Config {
            workers,
            shared: written.shared.unwrap_or_else(unit),
            scratch: written.scratch.unwrap_or_else(unit),
            shared_bytes,
            scratch_bytes,
            fuel,
            cores: cores.map_or(workers, |n| n.value as u32),
            name: written.name,
            krate: written.krate.unwrap_or_else(default_crate),
        };
        (config, diag)
    }

    /// The defaults, with whatever `shared`, `scratch` and `crate` arguments
    /// can be read on their own: enough for the context aliases, so an
    /// editor keeps completing while another argument is broken.
    fn fallback(items: &[NestedMeta]) -> Config {
        let value = |name: &str| {
            items.iter().find_map(|item| match item {
                NestedMeta::Meta(syn::Meta::NameValue(nv)) if nv.path.is_ident(name) => {
                    Some(&nv.value)
                }
                _ => None,
            })
        };
        let ty = |name| value(name).and_then(|expr| Type::from_expr(expr).ok());
        Config {
            workers: 2,
            shared: ty("shared").unwrap_or_else(unit),
            scratch: ty("scratch").unwrap_or_else(unit),
            shared_bytes: None,
            scratch_bytes: None,
            fuel: None,
            cores: 2,
            name: None,
            krate: value("crate")
                .and_then(|expr| Path::from_expr(expr).ok())
                .unwrap_or_else(default_crate),
        }
    }

    /// The tasklet's name: `name = ".."`, else the module's.
    pub(crate) fn tasklet_name(&self, module: &syn::Ident) -> syn::Result<String> {
        match &self.name {
            Some(name) => Ok(name.value()),
            None => {
                let name = unraw(module);
                check_name(&name, module, "the module name").map(|()| name)
            }
        }
    }
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

/// Parses `literal` and checks it lies in `range`; `why` explains the range.
fn ranged(
    literal: &LitInt,
    what: &str,
    range: std::ops::RangeInclusive<u64>,
    why: &str,
) -> syn::Result<Number> {
    let value: u64 = literal.base10_parse().map_err(|_| {
        format_err!(
            literal,
            "`{what}` must be a whole number that fits in 64 bits"
        )
    })?;
    if range.contains(&value) {
        return Ok(Number {
            value,
            literal: literal.clone(),
        });
    }
    let (low, high) = (*range.start(), *range.end());
    let bounds = if high == u64::MAX {
        format!("at least {low}")
    } else {
        format!("{low} to {high}")
    };
    Err(format_err!(
        literal,
        "`{what}` must be {bounds}, not {value}: {why}"
    ))
}

/// A tasklet's name becomes the wasm export `grafos_v0_tasklet_<name>`: it
/// must be ASCII letters, digits and `_`.
fn check_name(name: &str, at: &impl quote::ToTokens, what: &str) -> syn::Result<()> {
    if name.is_empty() {
        return Err(format_err!(
            at,
            "{what} is empty: the tasklet's name becomes its wasm export `grafos_v0_tasklet_<name>`"
        ));
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        None => Ok(()),
        Some(bad) => Err(format_err!(
            at,
            "{what} `{name}` cannot name a wasm export: `grafos_v0_tasklet_<name>` takes only \
             ASCII letters, digits and `_`, not `{bad}`{}",
            if what == "`name`" {
                ""
            } else {
                "; set one with `name = \"..\"`"
            }
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
        assert_fail(quote!(workers = 99999999999999999999999), "fits in 64 bits");
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
        assert_fail(quote!(workers = 4, scratch_bytes = 1e3), "");
    }

    #[test]
    fn several_errors_at_once() {
        let errors = parse(quote!(workers = 1, cores = 0, fuel = 0)).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:#?}");
    }

    #[test]
    fn darling_reports_unknown_duplicate_and_ill_typed() {
        assert_fail(quote!(workers = 4, workerz = 4), "Did you mean `workers`?");
        assert_fail(
            quote!(workers = 4, workers = 5),
            "Duplicate field `workers`",
        );
        assert_fail(quote!(workers = "4"), "Unexpected type `string`");
        assert_fail(quote!(workers = 4, shared = 5), "Unexpected type `int`");
        assert_fail(quote!(workers = 4, name = hist), "");
        assert_fail(quote!(workers = ), "");
    }

    #[test]
    fn names_must_make_export_names() {
        assert_fail(quote!(workers = 4, name = "my-hist"), "not `-`");
        assert_fail(quote!(workers = 4, name = ""), "`name` is empty");
        let config = parse(quote!(workers = 4)).unwrap();
        assert_eq!(config.tasklet_name(&parse_quote!(r#type)).unwrap(), "type");
        let err = config.tasklet_name(&parse_quote!(café)).unwrap_err();
        assert!(err.to_string().contains("set one with `name"), "{err}");
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
