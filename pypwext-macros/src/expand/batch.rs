//! `#[batch_response]`: the batch core, which runs the layers below it and
//! the body once per record.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;

use super::{Scope, async_body, return_type_checked, wrap};
use crate::batch::BatchResponse;
use crate::plan::Plan;

/// The batch core: the outer signature, and the future the layers above wrap,
/// which runs the layers below and the user's body once per record.
pub(super) fn batch_core(
    plan: &Plan,
    batch: &BatchResponse,
    name: &str,
    statics: &mut TokenStream,
) -> (syn::Signature, TokenStream) {
    let sig = &plan.function.sig;
    let user = Scope {
        name,
        sig,
        is_async: true,
        position: plan.below_position(),
    };
    let inner = wrap(&plan.below, &user, async_body(sig, &plan.function.body), statics);

    let BatchResponse {
        skip_group_on_error,
        fail_whole_batch,
        ..
    } = batch;
    let concurrency = batch.concurrency.map_or(1, |(n, _)| n);
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    statics.extend(quote! {
        static __PYPWEXT_BATCH_RESPONSE: ::pypwext::__private::batch::BatchOptions = ::pypwext::__private::batch::BatchOptions {
            function: #name,
            line: #line,
            concurrency: #concurrency,
            skip_group_on_error: #skip_group_on_error,
            fail_whole_batch: #fail_whole_batch,
        };
    });

    let record = quote!(__pypwext_record);
    let context = quote!(__pypwext_context);
    let extractions = sig.inputs.iter().filter_map(|input| match input {
        syn::FnArg::Typed(syn::PatType { pat, ty, .. }) => {
            let extract = quote_spanned!(ty.span()=> ::pypwext::__private::batch::extract::<#ty, _>(#record, #context));
            Some(quote! {
                let #pat: #ty = match #extract {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(refused) => return refused,
                };
            })
        }
        syn::FnArg::Receiver(_) => None,
    });
    let outcome = return_type_checked(sig, |first, last, ty| {
        quote_spanned!(first=> <)
            .into_iter()
            .chain(ty.into_token_stream())
            .chain(quote_spanned!(last=> as ::pypwext::__private::batch::RecordResult>::into_outcome))
            .collect()
    });
    let event = crate::batch::event_ident();
    let value = quote! {
        async move {
            let (__pypwext_payload, __pypwext_context) = #event.into_parts();
            ::pypwext::__private::batch::in_invocation(
                &__pypwext_context,
                ::pypwext::__private::batch::process_records(
                    &__PYPWEXT_BATCH_RESPONSE,
                    &__pypwext_payload,
                    &__pypwext_context,
                    move |#record, #context| async move {
                        #(#extractions)*
                        let _ = (#record, #context);
                        ::pypwext::__private::batch::finish(#inner, #outcome).await
                    },
                ),
            )
            .await
        }
    };

    let outer = crate::batch::outer_signature(sig, &crate::batch::event_type(sig, batch));
    let above = Scope {
        name,
        sig: &outer,
        is_async: true,
        position: plan.above_position(),
    };
    let value = wrap(&plan.above, &above, value, statics);
    (outer, value)
}
