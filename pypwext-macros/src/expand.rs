//! Pass 4: code. Each layer becomes one call into `::pypwext::__private`
//! wrapped around the layer below it; the user's body is the innermost one,
//! untouched, inside a closure (sync) or an `async move` block (async) so that
//! `return` and `?` keep their meaning.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ReturnType;
use syn::ext::IdentExt;

use crate::ast::Function;
use crate::attr::{CollectErrors, Layer};

pub(crate) fn expand(function: &Function, layers: &[Layer]) -> TokenStream {
    let Function { attrs, vis, sig, body } = function;
    let is_async = sig.asyncness.is_some();
    let name = sig.ident.unraw().to_string();

    let mut statics = TokenStream::new();
    // What the next layer out wraps: a closure (sync) or a future (async).
    let mut inner = if is_async {
        quote!(async move #body)
    } else {
        quote!(move || #body)
    };
    let mut value = TokenStream::new();
    // Innermost layer first: each wraps what the one below it built.
    for layer in layers.iter().rev() {
        value = match layer {
            Layer::CollectErrors(collect) => collect_errors(collect, &name, sig, is_async, inner, &mut statics),
        };
        inner = if is_async {
            value.clone()
        } else {
            quote!(move || #value)
        };
    }
    if is_async {
        value = quote!(#value.await);
    }

    quote! {
        #(#attrs)*
        #vis #sig {
            #statics
            #value
        }
    }
}

fn collect_errors(
    collect: &CollectErrors,
    name: &str,
    sig: &syn::Signature,
    is_async: bool,
    inner: TokenStream,
    statics: &mut TokenStream,
) -> TokenStream {
    let opts = format_ident!("__PYPWEXT_COLLECT_ERRORS");
    let CollectErrors { root, log, .. } = collect;
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    statics.extend(quote! {
        static #opts: ::pypwext::__private::CollectErrors = ::pypwext::__private::CollectErrors {
            function: #name,
            line: #line,
            root: #root,
            log: #log,
        };
    });
    let helper = if is_async {
        format_ident!("collect_errors_async")
    } else {
        format_ident!("collect_errors_sync")
    };
    let absorb = return_type_checked(sig, |first, last, ty| {
        quote_spanned!(first=> ::pypwext::__private::absorb::<)
            .into_iter()
            .chain(ty.into_token_stream())
            .chain(quote_spanned!(last=> >))
            .collect()
    });
    quote!(::pypwext::__private::#helper(&#opts, #inner, #absorb))
}

/// Names a bounded helper with the function's return type as its type
/// argument, and spans the path over the whole return type: an unmet bound is
/// then reported at the user's return type, not at the attribute.
fn return_type_checked(sig: &syn::Signature, build: impl FnOnce(Span, Span, &syn::Type) -> TokenStream) -> TokenStream {
    let (first, last) = return_type_span(sig);
    match &sig.output {
        ReturnType::Type(_, ty) => build(first, last, ty),
        // `valid.rs` refuses this before expansion.
        ReturnType::Default => build(first, last, &syn::parse_quote!(())),
    }
}

/// The spans of the first and last tokens of the return type.
fn return_type_span(sig: &syn::Signature) -> (Span, Span) {
    match &sig.output {
        ReturnType::Type(_, ty) => {
            let tokens = ty.to_token_stream();
            let first = tokens
                .clone()
                .into_iter()
                .next()
                .map_or_else(Span::call_site, |t| t.span());
            let last = tokens.into_iter().last().map_or_else(Span::call_site, |t| t.span());
            (first, last)
        }
        ReturnType::Default => (Span::call_site(), Span::call_site()),
    }
}
