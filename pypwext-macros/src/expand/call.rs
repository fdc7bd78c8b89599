//! `#[http_method]`: the call that takes the place of the body.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::async_body;
use crate::http_method::HttpMethod;
use crate::plan::CallAnswer;
use crate::signature::{is_named, named_params, result_ok_type, return_type_span};
use crate::template::{Part, Piece};

/// The pieces of a template as `Piece` constants; `args` collects the
/// parameters the pieces use, in first-use order.
pub(super) fn pieces_tokens(pieces: &[Piece], args: &mut Vec<String>) -> TokenStream {
    let items = pieces.iter().map(|piece| {
        let place = format_ident!("{}", piece.place.ident());
        let part = match &piece.part {
            Part::Literal(text) => quote!(::pypwext::__private::http::Part::Literal(#text)),
            Part::Env(name) => quote!(::pypwext::__private::http::Part::Env(#name)),
            Part::Param(name) => {
                let index = args.iter().position(|a| a == name).unwrap_or_else(|| {
                    args.push(name.clone());
                    args.len() - 1
                });
                quote!(::pypwext::__private::http::Part::Arg(#index))
            }
        };
        quote!(::pypwext::__private::http::Piece { part: #part, place: ::pypwext::__private::http::Place::#place })
    });
    quote!(&[#(#items),*])
}

/// The `mut` of a parameter written `mut name: T`, if it has one.
pub(super) fn param_mutability(sig: &syn::Signature, ident: &syn::Ident) -> Option<syn::Token![mut]> {
    sig.inputs.iter().find_map(|input| match input {
        syn::FnArg::Typed(pat_type) => match &*pat_type.pat {
            syn::Pat::Ident(pat) if pat.ident == *ident => pat.mutability,
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    })
}

/// The call: a future that sends the request and gives the function's result.
pub(super) fn http_call(
    http: &HttpMethod,
    answer: &CallAnswer,
    name: &str,
    sig: &syn::Signature,
    body: &TokenStream,
    statics: &mut TokenStream,
) -> TokenStream {
    let opts = format_ident!("__PYPWEXT_HTTP_CALL");
    let mut args: Vec<String> = Vec::new();
    let url = pieces_tokens(http.url.as_ref().map_or(&[][..], |t| &t.pieces), &mut args);
    let query = http.params.iter().map(|(key, template)| {
        let pieces = pieces_tokens(&template.pieces, &mut args);
        quote!((#key, #pieces))
    });
    let query: Vec<TokenStream> = query.collect();
    let headers: Vec<TokenStream> = http
        .headers
        .iter()
        .map(|(key, template)| {
            let key = key.to_ascii_lowercase();
            let pieces = pieces_tokens(&template.pieces, &mut args);
            quote!((#key, #pieces))
        })
        .collect();
    let method = &http.method;
    let arg_names = &args;
    statics.extend(quote! {
        static #opts: ::pypwext::__private::http::HttpCall = ::pypwext::__private::http::HttpCall {
            function: #name,
            method: #method,
            url: #url,
            query: &[#(#query),*],
            headers: &[#(#headers),*],
            arg_names: &[#(#arg_names),*],
        };
    });

    let params: Vec<(&syn::Ident, &syn::Type)> = named_params(sig).collect();
    let arg_refs = args.iter().filter_map(|arg| {
        let (ident, ty) = params.iter().find(|(ident, _)| *ident == arg)?;
        // Spanned on the parameter's type: a type without `Display` is reported there.
        Some(quote_spanned!(ty.span()=> &#ident as &dyn ::core::fmt::Display))
    });
    let session = match &http.session {
        Some(path) => quote_spanned!(path.span()=> ::pypwext::__private::http::AsSession::as_session(&#path)),
        None => quote!(::pypwext::__private::http::shared_session()),
    };
    let request_body = match &http.body {
        Some(ident) => {
            let ty = params.iter().find(|(i, _)| *i == ident).map(|(_, ty)| *ty);
            let span = ty.map_or_else(|| ident.span(), |ty| ty.span());
            if ty.is_some_and(|ty| is_named(ty, "BodyStream")) {
                // Sent once, so taken by value.
                quote_spanned!(span=> ::core::option::Option::Some(
                    ::pypwext::__private::http::stream_body(#ident)
                ))
            } else {
                quote_spanned!(span=> ::core::option::Option::Some(
                    (&&&&::pypwext::__private::http::BodyProbe(&#ident)).pypwext_body()
                ))
            }
        }
        None => quote!(::core::option::Option::None),
    };

    // The parameters filled from the answer, with their types.
    let filled: Vec<(&syn::Ident, &syn::Type)> = params
        .iter()
        .copied()
        .filter(|(ident, _)| answer.filled.contains(ident))
        .collect();
    let tail = if filled.is_empty() {
        let ok = result_ok_type(sig).map_or_else(|| quote!(_), |ty| ty.to_token_stream());
        let (first, _) = return_type_span(sig);
        // Only the decoding is spanned on the return type (a type that cannot be
        // decoded is reported there); the conversion of the error is ours.
        let decode = quote_spanned!(first=>
            (&&&&::pypwext::__private::http::DecodeProbe::<#ok>::new()).pypwext_decode(__pypwext_answer, #name)
        );
        quote!(#decode.await.map_err(::core::convert::From::from))
    } else {
        let binding = |which: &str, value: TokenStream| {
            filled.iter().find(|(ident, _)| *ident == which).map(|(ident, ty)| {
                // `mut response: HttpStream` reads its stream: the binding keeps `mut`.
                let mutability = param_mutability(sig, ident);
                quote!(let #mutability #ident: #ty = #value;)
            })
        };
        // `response: HttpStream`: the body is not read (`response_body` is refused with it).
        let read = (!answer.streamed).then(|| {
            quote! {
                let __pypwext_answer = match ::pypwext::__private::http::read(#name, __pypwext_answer).await {
                    ::core::result::Result::Ok(answer) => answer,
                    ::core::result::Result::Err(error) => return ::core::result::Result::Err(::core::convert::From::from(error)),
                };
            }
        });
        let code = binding("response_code", quote!(__pypwext_answer.status()));
        let text = binding("response_body", quote!(__pypwext_answer.text()));
        let whole = if answer.streamed {
            binding(
                "response",
                quote!(::pypwext::__private::http::stream_response(__pypwext_answer, #name)),
            )
        } else {
            // `HttpResponse`, or `LambdaResponse` for an invocation.
            binding("response", quote!(::core::convert::From::from(__pypwext_answer)))
        };
        quote! {
            #read
            #code
            #text
            #whole
            #body
        }
    };
    async_body(
        sig,
        &quote!({
            #[allow(unused_imports)]
            use ::pypwext::__private::http::{
                BodyBytes as _, BodyJson as _, BodyText as _, DecodeJson as _, DecodeLambda as _, DecodeResponse as _,
                DecodeStream as _, DecodeText as _, DecodeUnit as _,
            };
            let __pypwext_session = match #session {
                ::core::result::Result::Ok(session) => session,
                ::core::result::Result::Err(error) => return ::core::result::Result::Err(::core::convert::From::from(error)),
            };
            let __pypwext_request = ::pypwext::__private::http::prepare(
                &#opts,
                __pypwext_session,
                &[#(#arg_refs),*],
                #request_body,
            );
            let __pypwext_answer = match ::pypwext::__private::http::send(__pypwext_request).await {
                ::core::result::Result::Ok(answer) => answer,
                ::core::result::Result::Err(error) => return ::core::result::Result::Err(::core::convert::From::from(error)),
            };
            #tail
        }),
    )
}
