//! `#[service_response]`: the extractors, the handler's future and the
//! answer made of its `Ok` or `Err`.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::return_type_checked;
use crate::attr::ServiceResponse;
use crate::signature::{request_ident, return_type_span};

pub(super) fn service_response(
    service: &ServiceResponse,
    collect_root: bool,
    name: &str,
    sig: &syn::Signature,
    inner: TokenStream,
    statics: &mut TokenStream,
) -> TokenStream {
    let opts = format_ident!("__PYPWEXT_SERVICE_RESPONSE");
    let ServiceResponse {
        just_status_code,
        code_from_error,
        always_return,
        ..
    } = service;
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    statics.extend(quote! {
        static #opts: ::pypwext::__private::service::ServiceResponse = ::pypwext::__private::service::ServiceResponse {
            function: #name,
            location: ::core::concat!(#name, ":", #line),
            just_status_code: #just_status_code,
            code_from_error: #code_from_error,
            always_return: #always_return,
            collect_root: #collect_root,
        };
    });

    // Extractors borrow the request; one that takes it whole goes last.
    let params: Vec<&syn::PatType> = sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(pat_type) => Some(pat_type),
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let (takers, borrowers): (Vec<&syn::PatType>, Vec<&syn::PatType>) =
        params.into_iter().partition(|p| takes_request(&p.ty));
    let slot = format_ident!("__pypwext_slot");
    let extractions = borrowers.into_iter().chain(takers).map(|param| {
        let syn::PatType { pat, ty, .. } = param;
        let extract = quote_spanned!(ty.span()=> ::pypwext::__private::service::extract::<#ty>(&mut #slot));
        quote! {
            let #pat: #ty = match #extract {
                ::core::result::Result::Ok(value) => value,
                ::core::result::Result::Err(error) => return ::core::result::Result::Err(error),
            };
        }
    });

    let (first, _) = return_type_span(sig);
    let split = return_type_checked(sig, |first, last, ty| {
        quote_spanned!(first=> <)
            .into_iter()
            .chain(ty.into_token_stream())
            .chain(quote_spanned!(last=> as ::pypwext::__private::service::HandlerResult>::into_result))
            .collect()
    });
    let answer_ok = quote_spanned!(first=> ::pypwext::__private::service::answer(
        (&&&::pypwext::__private::service::Probe::new(::pypwext::__private::service::OkValue(__pypwext_ok))).pypwext_handled()
    ));
    let answer_err = quote_spanned!(first=> ::pypwext::__private::service::answer(
        (&&&::pypwext::__private::service::Probe::new(::pypwext::__private::service::ErrValue(__pypwext_err))).pypwext_handled()
    ));
    let request = request_ident();
    quote! {
        // The arguments are taken out of the request before the handler's
        // future is made: that future holds them, never the request.
        ::pypwext::__private::service::service_response(&#opts, #request, move |mut #slot| {
            #[allow(unused_imports)]
            use ::pypwext::__private::service::{
                ErrOther as _, ErrPwError as _, NotHandled as _, OkIntoResponse as _, OkPwResponse as _,
            };
            #(#extractions)*
            let _ = &mut #slot;
            ::core::result::Result::Ok(async move {
                match ::pypwext::__private::service::split_result(#inner, #split).await {
                    ::core::result::Result::Ok(__pypwext_ok) => #answer_ok,
                    ::core::result::Result::Err(__pypwext_err) => #answer_err,
                }
            })
        })
    }
}

/// Whether an extractor type takes the whole request: `Request`,
/// `lambda_http::Request`, … (by name; an alias is extracted in order).
pub(super) fn takes_request(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().is_some_and(|s| s.ident == "Request"),
        _ => false,
    }
}
