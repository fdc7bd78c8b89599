//! Pass 4: code. Each layer becomes one call into `::pypwext::__private`
//! wrapped around the layer below it; the user's body is the innermost one,
//! untouched, inside a closure (sync) or an `async move` block (async) so that
//! `return` and `?` keep their meaning.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ReturnType;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use crate::ast::Function;
use crate::attr::{CollectErrors, Layer, Logged};

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
            Layer::Logged(logged) => self::logged(logged, &name, sig, is_async, inner, &mut statics),
        };
        inner = if is_async {
            value.clone()
        } else {
            quote!(move || #value)
        };
    }
    let inject = layers.iter().find_map(|layer| match layer {
        Layer::Logged(logged) if logged.inject_lambda_context.is_some() => Some(logged),
        _ => None,
    });
    if let Some(logged) = inject {
        value = inject_lambda_context(logged, &name, sig, is_async, value, &mut statics);
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

/// The parameters bound to a plain name (`x: T`, `mut x: T`), with their
/// types; `self` and destructuring patterns are not among them.
pub(crate) fn named_params(sig: &syn::Signature) -> impl Iterator<Item = (&syn::Ident, &syn::Type)> {
    sig.inputs.iter().filter_map(|input| match input {
        syn::FnArg::Typed(pat_type) => match &*pat_type.pat {
            syn::Pat::Ident(pat) if pat.subpat.is_none() => Some((&pat.ident, &*pat_type.ty)),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    })
}

fn logged(
    logged: &Logged,
    name: &str,
    sig: &syn::Signature,
    is_async: bool,
    inner: TokenStream,
    statics: &mut TokenStream,
) -> TokenStream {
    let meta = format_ident!("__PYPWEXT_LOGGED");
    let level = format_ident!("{}", logged.level);
    let out_level = format_ident!("{}", logged.out_level);
    let classification = format_ident!("{}", logged.classification);
    let out_classification = format_ident!("{}", logged.out_classification.unwrap_or(logged.classification));
    let log_type = format_ident!("{}", logged.log_type);
    let out_log_type = format_ident!("{}", logged.out_log_type.unwrap_or(logged.log_type));
    let operation = option_str(logged.operation.as_ref());
    let out_operation = option_str(logged.out_operation.as_ref().or(logged.operation.as_ref()));
    let log_exception = logged.log_exception;
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    statics.extend(quote! {
        static #meta: ::pypwext::__private::Logged = ::pypwext::__private::Logged {
            function: #name,
            line: #line,
            level: ::pypwext::__private::Level::#level,
            out_level: ::pypwext::__private::Level::#out_level,
            classification: ::pypwext::__private::InfoClassification::#classification,
            log_type: ::pypwext::__private::LogEntryType::#log_type,
            operation: #operation,
            out_classification: ::pypwext::__private::InfoClassification::#out_classification,
            out_log_type: ::pypwext::__private::LogEntryType::#out_log_type,
            out_operation: #out_operation,
            log_exception: #log_exception,
        };
    });

    let writer = format_ident!("__pypwext_args");
    let args = named_params(sig)
        .filter(|(ident, _)| !logged.skip.contains(ident))
        .map(|(ident, ty)| {
            let key = ident.unraw().to_string();
            if logged.redact.contains(ident) {
                quote!(#writer.redacted(#key);)
            } else {
                // Spanned on the parameter: a type that cannot be rendered is reported there.
                let value =
                    quote_spanned!(ty.span()=> (&&&&::pypwext::__private::render::Wrap(&#ident)).pypwext_render());
                quote!(#writer.arg(#key, #value);)
            }
        });

    let ret = format_ident!("__pypwext_ret");
    let ret_param = match &sig.output {
        ReturnType::Type(_, ty) if !contains_impl_trait(ty) => quote!(#ret: &#ty),
        ReturnType::Type(..) => quote!(#ret),
        ReturnType::Default => quote!(#ret: &()),
    };
    let (ret_first, _) = return_type_span(sig);
    let render_ok =
        quote_spanned!(ret_first=> (&&&&::pypwext::__private::render::Wrap(__pypwext_value)).pypwext_render());
    let helper = if is_async {
        format_ident!("logged_async")
    } else {
        format_ident!("logged_sync")
    };
    let block = quote! {{
        #[allow(unused_imports)]
        use ::pypwext::__private::render::{
            ErrorViaDebug as _, ErrorViaDisplay as _, ErrorViaName as _, ErrorViaStd as _, OutcomeOfResult as _,
            OutcomeOfValue as _, ViaDebug as _, ViaLogView as _, ViaNothing as _, ViaSerialize as _,
        };
        let __pypwext_entry = ::pypwext::__private::logged_args(&#meta, |#writer| { #(#args)* });
        ::pypwext::__private::#helper(&#meta, __pypwext_entry, #inner, |#ret_param, __pypwext_exit| {
            match (&&::pypwext::__private::render::ProbeOutcome(#ret)).pypwext_outcome() {
                ::pypwext::__private::render::Outcome::Value(__pypwext_value) => __pypwext_exit.value(#render_ok),
                ::pypwext::__private::render::Outcome::Error(__pypwext_error) => __pypwext_exit.error(
                    (&&&&::pypwext::__private::render::WrapError(__pypwext_error)).pypwext_exception()
                ),
            }
        })
    }};
    block
}

/// Runs `block` (the whole stack) as the invocation the handler's first
/// parameter belongs to, so that every line of every layer carries the Lambda
/// context keys, wherever `#[logged(inject_lambda_context)]` stands.
fn inject_lambda_context(
    logged: &Logged,
    name: &str,
    sig: &syn::Signature,
    is_async: bool,
    block: TokenStream,
    statics: &mut TokenStream,
) -> TokenStream {
    // `valid.rs` made sure the first parameter is a named one.
    let Some((event, event_ty)) = named_params(sig).next() else {
        return block;
    };
    let opts = format_ident!("__PYPWEXT_INJECT");
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    let path = match &logged.correlation_id_path {
        Some(path) => quote!(::core::option::Option::Some(#path)),
        None => quote!(::core::option::Option::None),
    };
    let log_event = logged.log_event.is_some();
    statics.extend(quote! {
        static #opts: ::pypwext::__private::InjectLambdaContext =
            ::pypwext::__private::InjectLambdaContext::new(#name, #line, #path, #log_event);
    });
    // Spanned on the event's type: a type that carries no Lambda context is reported there.
    let injection = quote_spanned!(event_ty.span()=> ::pypwext::__private::prepare_injection(&#event, &#opts));
    if is_async {
        // `async move` defers the stack, entry line included, into the invocation.
        quote!(::pypwext::__private::inject_async(&#opts, #injection, async move { #block.await }))
    } else {
        quote!(::pypwext::__private::inject_sync(&#opts, #injection, move || #block))
    }
}

fn option_str(value: Option<&syn::LitStr>) -> TokenStream {
    match value {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    }
}

fn contains_impl_trait(ty: &syn::Type) -> bool {
    ty.to_token_stream()
        .into_iter()
        .any(|t| matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "impl"))
}
