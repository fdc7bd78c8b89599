//! Attributes that are not pypwext's, written below the topmost pypwext
//! attribute. The stack expands as one function, so such an attribute can
//! only go on that function, outside every pypwext layer. An inert attribute
//! (`doc`, `allow`, `inline`, …) means the same wherever it stands; any other
//! (`#[tracing::instrument]`, a pypwext attribute imported under another
//! name) would silently move, and is reported with where to write it.
//! `cfg_attr` never reaches a macro: the compiler applies it first, so a
//! pypwext attribute it adds is part of the stack (a ui case pins this).

use quote::ToTokens;
use syn::{Attribute, Meta};

use crate::ast::LayerKind;
use crate::ctxt::Ctxt;

/// Built-in attributes that do not transform the function: their place in
/// the list changes nothing.
const INERT: &[&str] = &[
    "doc",
    "allow",
    "warn",
    "deny",
    "forbid",
    "expect",
    "deprecated",
    "must_use",
    "inline",
    "cold",
    "track_caller",
    "cfg",
    "no_mangle",
    "export_name",
    "link_section",
    "target_feature",
    "unsafe",
];

/// Tool namespaces whose attributes are inert: `#[clippy::…]`, `#[rustfmt::skip]`, ….
const INERT_TOOLS: &[&str] = &["clippy", "rustfmt", "diagnostic", "rustdoc"];

/// Reports every attribute of `attrs` (all written below `top`) that would
/// move if it stayed on the function.
pub(crate) fn check(cx: &mut Ctxt, top: LayerKind, attrs: &[Attribute]) {
    for attr in attrs.iter().filter(|attr| !is_inert(&attr.meta)) {
        let path = attr.path().to_token_stream().to_string().replace(' ', "");
        cx.error_spanned_by(
            attr.path(),
            format_args!(
                "`#[{path}]` below `#[{top}]` would be moved outside every pypwext layer, because the stack expands as one function; write it above `#[{top}]` (it then wraps the whole stack), or on a function the body calls; a pypwext attribute imported under another name must keep its own name (`{names}`)",
                top = top.symbol(),
                names = LayerKind::names(),
            ),
        );
    }
}

fn is_inert(meta: &Meta) -> bool {
    let path = meta.path();
    match path.segments.len() {
        1 => path.leading_colon.is_none() && INERT.iter().any(|name| path.is_ident(name)),
        2 => INERT_TOOLS.iter().any(|tool| path.segments[0].ident == tool),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(attrs: proc_macro2::TokenStream) -> usize {
        let item: syn::ItemFn = syn::parse2(quote::quote!(#attrs fn f() {})).unwrap();
        let mut cx = Ctxt::new();
        check(&mut cx, LayerKind::Logged, &item.attrs);
        cx.error_count()
    }

    #[test]
    fn inert_attributes_stay_anywhere() {
        assert_eq!(
            errors(quote::quote! {
                /// docs
                #[allow(dead_code)]
                #[inline]
                #[must_use]
                #[clippy::cognitive_complexity = "100"]
                #[rustfmt::skip]
                #[cfg(all())]
            }),
            0
        );
    }

    #[test]
    fn an_attribute_macro_is_reported() {
        assert_eq!(errors(quote::quote!(#[tracing::instrument])), 1);
        assert_eq!(errors(quote::quote!(#[instrument(skip(x))])), 1);
        assert_eq!(errors(quote::quote!(#[log])), 1, "a renamed pypwext attribute");
        assert_eq!(errors(quote::quote!(#[tokio::test] #[doc = "x"] #[instrument])), 2);
    }
}
