//! What the macros read from a signature and the signatures they make: the
//! outer signature of a service handler, a call's signature without the
//! parameters filled from the answer, and the spans errors point at.

use proc_macro2::Span;
use quote::ToTokens;
use syn::{ReturnType, Signature};

use crate::symbol::RESPONSE_PARAMS;

/// The parameters bound to a plain name (`x: T`, `mut x: T`), with their
/// types; `self` and destructuring patterns are not among them.
pub(crate) fn named_params(sig: &Signature) -> impl Iterator<Item = (&syn::Ident, &syn::Type)> {
    sig.inputs.iter().filter_map(|input| match input {
        syn::FnArg::Typed(pat_type) => match &*pat_type.pat {
            syn::Pat::Ident(pat) if pat.subpat.is_none() => Some((&pat.ident, &*pat_type.ty)),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    })
}

/// Whether the first parameter is a named `LambdaEvent<…>` (by its type's
/// last path segment, as written: a macro cannot see through an alias).
pub(crate) fn takes_lambda_event_first(sig: &Signature) -> bool {
    let Some(syn::FnArg::Typed(first)) = sig.inputs.first() else {
        return false;
    };
    let named = matches!(&*first.pat, syn::Pat::Ident(pat) if pat.subpat.is_none());
    let event = match &*first.ty {
        syn::Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "LambdaEvent"),
        _ => false,
    };
    named && event
}

/// Whether a parameter of an `#[http_method]` fn is filled from the answer
/// (`response`, `response_body`, `response_code`) rather than by the caller.
pub(crate) fn is_response_param(ident: &syn::Ident) -> bool {
    RESPONSE_PARAMS.contains(&ident.to_string().as_str())
}

/// The identifier of the request parameter of a `#[service_response]`
/// handler: `request` in the logs, invisible to the user's code.
pub(crate) fn request_ident() -> syn::Ident {
    syn::Ident::new("request", Span::mixed_site())
}

/// `async fn name(request: Request) -> Result<Response<Body>, Error>`: what
/// the layers above `#[service_response]` see.
pub(crate) fn outer_signature(sig: &Signature) -> Signature {
    let mut outer = sig.clone();
    let request = request_ident();
    outer.asyncness = Some(syn::Token![async](sig.ident.span()));
    outer.inputs = syn::parse_quote!(#request: ::pypwext::__private::lambda_http::Request);
    outer.output = syn::parse_quote! {
        -> ::core::result::Result<
            ::pypwext::__private::lambda_http::Response<::pypwext::__private::lambda_http::Body>,
            ::pypwext::__private::lambda_http::Error,
        >
    };
    outer
}

/// The signature of the fn a `#[service_response]` handler becomes: the outer
/// signature, as a plain fn returning its future.
pub(crate) fn handler_signature(outer: &Signature) -> Signature {
    let mut handler = outer.clone();
    handler.asyncness = None;
    let output = match &outer.output {
        ReturnType::Type(_, output) => output.to_token_stream(),
        // `outer_signature` always gives a return type.
        ReturnType::Default => quote::quote!(()),
    };
    handler.output = syn::parse_quote!(-> impl ::core::future::Future<Output = #output>);
    handler
}

/// The signature callers of an `#[http_method]` fn see: without the
/// parameters filled from the answer.
pub(crate) fn call_signature(sig: &Signature) -> Signature {
    let mut outer = sig.clone();
    outer.inputs = sig
        .inputs
        .iter()
        .filter(|input| match input {
            syn::FnArg::Typed(pat_type) => match &*pat_type.pat {
                syn::Pat::Ident(pat) => !is_response_param(&pat.ident),
                _ => true,
            },
            syn::FnArg::Receiver(_) => true,
        })
        .cloned()
        .collect();
    outer
}

/// Whether a type is the plain path `name` or ends in it (`HttpStream`,
/// `pypwext::http::HttpStream`), as written; the macros know the streaming
/// types by name, as they know the extractors.
pub(crate) fn is_named(ty: &syn::Type, name: &str) -> bool {
    matches!(ty, syn::Type::Path(path) if path.qself.is_none()
        && path.path.segments.last().is_some_and(|last| last.ident == name && last.arguments.is_none()))
}

/// `T` of a `Result<T, E>` return type, as written.
pub(crate) fn result_ok_type(sig: &Signature) -> Option<&syn::Type> {
    let ReturnType::Type(_, ty) = &sig.output else {
        return None;
    };
    let syn::Type::Path(path) = &**ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(ty) => Some(ty),
        _ => None,
    }
}

/// The spans of the first and last tokens of the return type.
pub(crate) fn return_type_span(sig: &Signature) -> (Span, Span) {
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

/// Whether a type mentions `impl Trait` anywhere: such a type cannot be named
/// again in the generated code.
pub(crate) fn contains_impl_trait(ty: &syn::Type) -> bool {
    ty.to_token_stream()
        .into_iter()
        .any(|t| matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "impl"))
}
