//! `#[logged]`: the entry, exit and exception lines around what is below it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ReturnType;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::{Scope, option_tokens};
use crate::logged::Logged;
use crate::signature::{contains_impl_trait, named_params, return_type_span};

pub(super) fn logged(logged: &Logged, scope: &Scope<'_>, inner: TokenStream, statics: &mut TokenStream) -> TokenStream {
    let Scope {
        name, sig, is_async, ..
    } = *scope;
    let meta = format_ident!("__PYPWEXT_LOGGED");
    let level = format_ident!("{}", logged.level);
    let out_level = format_ident!("{}", logged.out_level);
    let classification = format_ident!("{}", logged.classification);
    let out_classification = format_ident!("{}", logged.out_classification.unwrap_or(logged.classification));
    let log_type = format_ident!("{}", logged.log_type);
    let out_log_type = format_ident!("{}", logged.out_log_type.unwrap_or(logged.log_type));
    let operation = option_tokens(logged.operation.as_ref());
    let out_operation = option_tokens(logged.out_operation.as_ref().or(logged.operation.as_ref()));
    let log_exception = logged.log_exception;
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    statics.extend(quote! {
        static #meta: ::pypwext::__private::Logged = ::pypwext::__private::Logged {
            function: #name,
            line: #line,
            location: ::core::concat!(#name, ":", #line),
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
    // Variants written as paths, named as written: the user's import of the
    // enum is used, and a path to another enum is a type error on it.
    for (enum_name, path) in &logged.variant_paths {
        let enum_name = format_ident!("{enum_name}");
        statics.extend(quote_spanned!(path.span()=> const _: ::pypwext::__private::#enum_name = #path;));
    }

    let writer = format_ident!("__pypwext_args");
    let logged_params = || named_params(sig).filter(|(ident, _)| !logged.skip.contains(ident));
    // The entry line's arguments: every parameter, rendered by reference
    // before the body runs.
    let args = logged_params().map(|(ident, ty)| {
        let key = ident.unraw().to_string();
        if logged.redact.contains(ident) {
            quote!(#writer.redacted(#key);)
        } else {
            // Spanned on the parameter: a type that cannot be rendered is reported there.
            let value = quote_spanned!(ty.span()=> (&&&&::pypwext::__private::render::Wrap(&#ident)).pypwext_render());
            quote!(#writer.arg(#key, #value);)
        }
    });
    // The exception line's arguments when the entry line was off: a `move`
    // closure that copies what stays reachable after the body took its
    // parameters (references and plain scalars) and names the rest.
    let late_args = logged_params().map(|(ident, ty)| {
        let key = ident.unraw().to_string();
        if logged.redact.contains(ident) {
            quote!(#writer.redacted(#key);)
        } else if stays_reachable(ty) {
            let value = quote_spanned!(ty.span()=> (&&&&::pypwext::__private::render::Wrap(&#ident)).pypwext_render());
            quote!(#writer.arg(#key, #value);)
        } else {
            quote!(#writer.moved(#key);)
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
        ::pypwext::__private::#helper(&#meta, __pypwext_entry, move |#writer: &mut ::pypwext::__private::ArgsWriter| { #(#late_args)* }, #inner, |#ret_param, __pypwext_exit| {
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

/// Whether a parameter of this type can still be read after a `move` body
/// took it: a shared reference, or a primitive scalar (those are `Copy`).
pub(super) fn stays_reachable(ty: &syn::Type) -> bool {
    const SCALARS: &[&str] = &[
        "bool", "char", "f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128",
        "usize",
    ];
    match ty {
        syn::Type::Reference(reference) => reference.mutability.is_none(),
        syn::Type::Path(path) => {
            path.qself.is_none()
                && path
                    .path
                    .get_ident()
                    .is_some_and(|ident| SCALARS.iter().any(|s| ident == s))
        }
        syn::Type::Paren(inner) => stays_reachable(&inner.elem),
        syn::Type::Group(inner) => stays_reachable(&inner.elem),
        _ => false,
    }
}
