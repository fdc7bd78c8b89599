//! `#[metrics(...)]`: its arguments. Its rules are in `valid`, its layer in
//! `expand`.
//! A layer like `#[collect_errors]`: it may stand anywhere in the stack and
//! wraps what is below it in one call into `::pypwext::__private::metrics`.

use syn::meta::ParseNestedMeta;

use crate::ast::StackAttr;
use crate::attr::{Attr, parse_args, skip_value};
use crate::ctxt::Ctxt;
use crate::symbol::{CAPTURE_COLD_START_METRIC, DEFAULT_DIMENSIONS, NAMESPACE, SERVICE, Symbol};

const ARGS: &[Symbol] = &[NAMESPACE, SERVICE, CAPTURE_COLD_START_METRIC, DEFAULT_DIMENSIONS];

/// CloudWatch takes 30 dimensions per metric; `service` is one of them.
const MAX_DIMENSIONS: usize = 29;

/// `#[metrics(namespace = "shop", service = "orders", capture_cold_start_metric, default_dimensions(k = "v"))]`
pub(crate) struct Metrics {
    pub(crate) namespace: Option<syn::LitStr>,
    pub(crate) service: Option<syn::LitStr>,
    pub(crate) capture_cold_start_metric: bool,
    pub(crate) default_dimensions: Vec<(String, syn::LitStr)>,
}

pub(crate) fn parse(cx: &mut Ctxt, attr: &StackAttr) -> Metrics {
    let mut namespace: Attr<syn::LitStr> = Attr::new(NAMESPACE);
    let mut service: Attr<syn::LitStr> = Attr::new(SERVICE);
    let mut cold_start = Attr::new(CAPTURE_COLD_START_METRIC);
    let mut dimensions: Attr<Vec<(String, syn::LitStr)>> = Attr::new(DEFAULT_DIMENSIONS);
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

/// `default_dimensions(environment = "prod", "aws-region" = "eu-west-1")`.
fn default_dimensions(cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<Vec<(String, syn::LitStr)>>> {
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
            let key = if input.peek(syn::LitStr) {
                let lit: syn::LitStr = input.parse()?;
                (lit.value(), lit.span())
            } else {
                let ident: syn::Ident = syn::ext::IdentExt::parse_any(input)?;
                (ident.to_string(), ident.span())
            };
            input.parse::<syn::Token![=]>()?;
            let value: syn::LitStr = input.parse()?;
            Ok((key, value))
        },
        syn::Token![,],
    )?;
    let mut kept: Vec<(String, syn::LitStr)> = Vec::new();
    for ((key, key_span), value) in pairs {
        let problem = if key == SERVICE.0 {
            Some(
                "`service` is not a default dimension; write `service = \"…\"` as an argument of `#[metrics]`"
                    .to_owned(),
            )
        } else if kept.iter().any(|(seen, _)| *seen == key) {
            Some(format!("dimension `{key}` is given twice; keep one"))
        } else {
            dimension_problem("the name", &key, 255).or_else(|| dimension_problem("the value", &value.value(), 1024))
        };
        match problem {
            Some(problem) => cx.syn_error(syn::Error::new(key_span, problem)),
            None => kept.push((key, value)),
        }
    }
    if kept.len() > MAX_DIMENSIONS {
        cx.error_spanned_by(
            &meta.path,
            format_args!(
                "{} default dimensions; CloudWatch takes at most {MAX_DIMENSIONS} besides `service`, so drop some",
                kept.len()
            ),
        );
    }
    Ok(Some(kept))
}

/// What CloudWatch refuses in a dimension's name or value, if anything.
fn dimension_problem(what: &str, text: &str, max: usize) -> Option<String> {
    if text.trim().is_empty() {
        Some(format!(
            "{what} of a dimension needs a character that is not whitespace"
        ))
    } else if text.len() > max {
        Some(format!("{what} of a dimension takes at most {max} characters"))
    } else if !text.is_ascii() || text.chars().any(|c| c.is_ascii_control()) {
        Some(format!(
            "{what} `{text}` of a dimension must be printable ASCII, as CloudWatch wants it"
        ))
    } else if text.starts_with(':') {
        Some(format!("{what} `{text}` of a dimension must not start with `:`"))
    } else {
        None
    }
}
