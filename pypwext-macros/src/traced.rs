//! `#[traced(...)]`: its arguments. Its rules are in `valid`, its layer in
//! `expand/traced.rs`. A layer like `#[metrics]`: it may stand anywhere in
//! the stack and wraps what is below it in one call into
//! `::pypwext::__private::tracer`.

use crate::ast::StackAttr;
use crate::attr::{Attr, parse_args, skip_value};
use crate::ctxt::Ctxt;
use crate::symbol::{CAPTURE_ERROR, CAPTURE_RESPONSE, NAME};

/// `#[traced(capture_response = false, capture_error = false, name = "checkout")]`
pub(crate) struct Traced {
    /// `None`: `POWERTOOLS_TRACER_CAPTURE_RESPONSE` decides, at run time.
    pub(crate) capture_response: Option<bool>,
    /// `None`: `POWERTOOLS_TRACER_CAPTURE_ERROR` decides, at run time.
    pub(crate) capture_error: Option<bool>,
    pub(crate) name: Option<syn::LitStr>,
}

pub(crate) fn parse(cx: &mut Ctxt, attr: &StackAttr) -> Traced {
    let mut capture_response = Attr::new(CAPTURE_RESPONSE);
    let mut capture_error = Attr::new(CAPTURE_ERROR);
    let mut name: Attr<syn::LitStr> = Attr::new(NAME);
    parse_args(cx, attr, &[CAPTURE_RESPONSE, CAPTURE_ERROR, NAME], |cx, meta| {
        if meta.path == CAPTURE_RESPONSE {
            capture_response.set_bool(cx, meta)?;
        } else if meta.path == CAPTURE_ERROR {
            capture_error.set_bool(cx, meta)?;
        } else if meta.path == NAME {
            if !meta.input.peek(syn::Token![=]) {
                cx.error_spanned_by(&meta.path, "`name` takes a string: `name = \"checkout\"`");
                skip_value(meta)?;
                return Ok(true);
            }
            let expr: syn::Expr = meta.value()?.parse()?;
            match expr {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(lit),
                    ..
                }) if valid_name(&lit.value()) => name.set(cx, meta, lit),
                other => cx.error_spanned_by(
                    &other,
                    "`name` takes a string literal of 1 to 200 letters, digits, spaces and `_ . : / % & # = + \\ - @` (X-Ray's rule for names), like `name = \"checkout\"`",
                ),
            }
        } else {
            return Ok(false);
        }
        Ok(true)
    });
    Traced {
        capture_response: capture_response.value,
        capture_error: capture_error.value,
        name: name.value,
    }
}

/// X-Ray's segment names: 1 to 200 Unicode letters, numbers, whitespace
/// and `_ . : / % & # = + \ - @`.
fn valid_name(name: &str) -> bool {
    !name.trim().is_empty()
        && name.chars().count() <= 200
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/%&#=+\\-@".contains(c))
}
