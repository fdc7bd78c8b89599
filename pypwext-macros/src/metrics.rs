//! `#[metrics(...)]`: its arguments. Its rules are in `valid`, its layer in
//! `expand`; the rules of its default dimensions are the support crate's,
//! which the expansion evaluates in a `const` (`expand/metrics.rs`).
//! A layer like `#[collect_errors]`: it may stand anywhere in the stack and
//! wraps what is below it in one call into `::pypwext::__private::metrics`.

use syn::meta::ParseNestedMeta;

use crate::ast::StackAttr;
use crate::attr::{Attr, parse_args, skip_value};
use crate::ctxt::Ctxt;
use crate::symbol::{CAPTURE_COLD_START_METRIC, DEFAULT_DIMENSIONS, NAMESPACE, SERVICE, Symbol};

const ARGS: &[Symbol] = &[NAMESPACE, SERVICE, CAPTURE_COLD_START_METRIC, DEFAULT_DIMENSIONS];

/// `#[metrics(namespace = "shop", service = "orders", capture_cold_start_metric, default_dimensions(k = "v"))]`
pub(crate) struct Metrics {
    pub(crate) namespace: Option<syn::LitStr>,
    pub(crate) service: Option<syn::LitStr>,
    pub(crate) capture_cold_start_metric: bool,
    pub(crate) default_dimensions: Vec<Dimension>,
}

/// One pair of `default_dimensions(...)`, as written. The rules of
/// dimensions (CloudWatch's, `service`, a name given twice, how many) are
/// the support crate's: the expansion checks each pair in a `const`.
pub(crate) struct Dimension {
    /// The name, as a string spanned on the key (a string or an identifier).
    pub(crate) name: syn::LitStr,
    pub(crate) value: syn::LitStr,
}

pub(crate) fn parse(cx: &mut Ctxt, attr: &StackAttr) -> Metrics {
    let mut namespace: Attr<syn::LitStr> = Attr::new(NAMESPACE);
    let mut service: Attr<syn::LitStr> = Attr::new(SERVICE);
    let mut cold_start = Attr::new(CAPTURE_COLD_START_METRIC);
    let mut dimensions: Attr<Vec<Dimension>> = Attr::new(DEFAULT_DIMENSIONS);
    parse_args(cx, attr, ARGS, |cx, meta| {
        if meta.path == NAMESPACE {
            if let Some(lit) = name_value(cx, meta, NAMESPACE, "shop")? {
                namespace.set(cx, meta, lit);
            }
        } else if meta.path == SERVICE {
            if let Some(lit) = name_value(cx, meta, SERVICE, "orders")? {
                service.set(cx, meta, lit);
            }
        } else if meta.path == CAPTURE_COLD_START_METRIC {
            cold_start.set_bool(cx, meta)?;
        } else if meta.path == DEFAULT_DIMENSIONS {
            if let Some(pairs) = default_dimensions(cx, meta)? {
                dimensions.set(cx, meta, pairs);
            }
        } else {
            return Ok(false);
        }
        Ok(true)
    });
    Metrics {
        namespace: namespace.value,
        service: service.value,
        capture_cold_start_metric: cold_start.value.unwrap_or(false),
        default_dimensions: dimensions.value.unwrap_or_default(),
    }
}

/// `name = "text"`: a string CloudWatch takes for a namespace or a service.
fn name_value(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    word: Symbol,
    example: &str,
) -> syn::Result<Option<syn::LitStr>> {
    if !meta.input.peek(syn::Token![=]) {
        cx.error_spanned_by(
            &meta.path,
            format_args!("`{word}` takes a string: `{word} = \"{example}\"`"),
        );
        skip_value(meta)?;
        return Ok(None);
    }
    let expr: syn::Expr = meta.value()?.parse()?;
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(lit),
        ..
    }) = expr
    else {
        cx.error_spanned_by(
            &expr,
            format_args!("`{word}` takes a string literal, like `{word} = \"{example}\"`"),
        );
        return Ok(None);
    };
    let text = lit.value();
    if text.trim().is_empty()
        || text.chars().count() > 255
        || text.chars().any(char::is_control)
        || text.starts_with(':')
    {
        cx.error_spanned_by(
            &lit,
            format_args!(
                "`{word}` takes 1 to 255 printable characters, not starting with `:`, like `{word} = \"{example}\"`"
            ),
        );
        return Ok(None);
    }
    if word.0 == SERVICE.0 && !text.is_ascii() {
        cx.error_spanned_by(
            &lit,
            "`service` is the value of the `service` dimension, which CloudWatch takes in printable ASCII only; write it in ASCII letters, digits and punctuation",
        );
        return Ok(None);
    }
    Ok(Some(lit))
}

/// `default_dimensions(environment = "prod", "aws-region" = "eu-west-1")`:
/// its shape only.
fn default_dimensions(cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<Vec<Dimension>>> {
    if !meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            "`default_dimensions` takes a list of pairs: `default_dimensions(environment = \"prod\")`",
        );
        skip_value(meta)?;
        return Ok(None);
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let pairs = content.parse_terminated(
        |input: syn::parse::ParseStream<'_>| {
            let name = if input.peek(syn::LitStr) {
                input.parse()?
            } else {
                let ident: syn::Ident = syn::ext::IdentExt::parse_any(input)?;
                syn::LitStr::new(&ident.to_string(), ident.span())
            };
            input.parse::<syn::Token![=]>()?;
            let value: syn::LitStr = input.parse()?;
            Ok(Dimension { name, value })
        },
        syn::Token![,],
    )?;
    Ok(Some(pairs.into_iter().collect()))
}
