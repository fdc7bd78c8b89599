//! Pass 4: code, read off the plan. Each layer becomes one call into
//! `::pypwext::__private` wrapped around what is below it; innermost is the
//! core, and in it the user's body, untouched, inside a closure (sync) or an
//! `async move` block (async) so that `return` and `?` keep their meaning.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ReturnType;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use crate::ast::Function;
use crate::attr::{CollectErrors, HttpMethod, Logged, ServiceResponse};
use crate::batch::{self, BatchResponse};
use crate::metrics::Metrics;
use crate::plan::{Core, Layer, Place, Plan, Wrapper};
use crate::signature::{
    call_signature, contains_impl_trait, handler_signature, is_named, is_response_param, named_params, outer_signature,
    request_ident, result_ok_type, return_type_span,
};
use crate::template::{Part, Piece};

/// The function the plan makes, in place of the user's.
pub(crate) fn expand(plan: &Plan) -> TokenStream {
    let Function { attrs, vis, sig, body } = &plan.function;
    let name = sig.ident.unraw().to_string();
    let mut statics = TokenStream::new();
    // The compiler never resolves the attributes this expansion took off the
    // function; naming them here keeps their imports from looking unused.
    for path in &plan.paths {
        statics.extend(quote!(#[allow(unused_imports)] use #path as _;));
    }

    let (outer_sig, mut value) = match &plan.core {
        // The call is the body; the layers above see the signature without
        // the parameters filled from the answer.
        Core::Call(http) => {
            let outer = call_signature(sig);
            let call = http_call(http, &name, sig, body, &mut statics);
            let above = Scope {
                name: &name,
                sig: &outer,
                is_async: true,
                place: plan.above_place(),
            };
            let value = wrap(&plan.above, &above, call, &mut statics);
            (outer, value)
        }
        // The layers below the response layer see the user's signature; the
        // response layer turns it into `fn(Request) -> Response`, which the
        // layers above it see.
        Core::Service(service) => {
            let user = Scope {
                name: &name,
                sig,
                is_async: true,
                place: plan.below_place(),
            };
            let inner = wrap(&plan.below, &user, async_body(sig, body), &mut statics);
            let collect_root = plan
                .above
                .iter()
                .any(|layer| matches!(layer.wrapper, Wrapper::CollectErrors(_)));
            let response = service_response(service, collect_root, &name, sig, inner, &mut statics);
            let outer = outer_signature(sig);
            let above = Scope {
                name: &name,
                sig: &outer,
                is_async: true,
                place: plan.above_place(),
            };
            let value = wrap(&plan.above, &above, response, &mut statics);
            (outer, value)
        }
        // Like a response: the layers below see the user's signature (once
        // per record), those above `fn(LambdaEvent<E>) -> Result<Response, Error>`.
        Core::Batch(batch) => batch_core(plan, batch, &name, &mut statics),
        Core::Body => {
            let is_async = sig.asyncness.is_some();
            let user = Scope {
                name: &name,
                sig,
                is_async,
                place: plan.above_place(),
            };
            let thunk = if is_async {
                async_body(sig, body)
            } else {
                quote!(move || #body)
            };
            (sig.clone(), wrap(&plan.above, &user, thunk, &mut statics))
        }
    };

    let is_async = outer_sig.asyncness.is_some();
    let inject = plan.layers().find_map(|layer| match &layer.wrapper {
        Wrapper::Logged(logged) if logged.inject_lambda_context.is_some() => Some(Injection::Logged(logged)),
        _ => None,
    });
    let outer_sig = if let Core::Service(_) = plan.core {
        // A plain fn returning the future of `start_handler`, which at its
        // first poll reads the invocation from the request and builds the
        // stack inside it.
        let inject = inject.unwrap_or(Injection::Service);
        let prepare = inject.prepare(Span::call_site());
        let opts = inject_options(inject, &name, &outer_sig, &mut statics);
        let request = request_ident();
        value = quote!(::pypwext::__private::start_handler(&#opts, #prepare, #request, move |#request| #value));
        handler_signature(&outer_sig)
    } else {
        if let Some(inject) = inject {
            value = inject_lambda_context(inject, &name, &outer_sig, is_async, value, &mut statics);
        }
        if is_async {
            value = quote!(#value.await);
        }
        outer_sig
    };

    let item = quote! {
        #(#attrs)*
        #vis #outer_sig {
            #statics
            #value
        }
    };
    let item = require_metrics_feature(plan, item);
    // A core that needs a cargo feature of pypwext goes through that
    // feature's check: the function as is with the feature, one error on the
    // attribute that names the feature without it (rather than errors about
    // paths that do not resolve).
    match &plan.core {
        Core::Service(service) => quote_spanned!(service.span=> ::pypwext::__private::require_service! { #item }),
        Core::Call(http) => quote_spanned!(http.span=> ::pypwext::__private::require_http! { #item }),
        Core::Batch(batch) => quote_spanned!(batch.span=> ::pypwext::__private::require_batch! { #item }),
        Core::Body => item,
    }
}

/// The user's body as a future. An `async` block infers its output from its
/// returns, so a first `return` of the declared type makes the others coerce
/// to it (`Err(Box::new(e))` into `Box<dyn Error>`) as in the `async fn`.
fn async_body(sig: &syn::Signature, body: &TokenStream) -> TokenStream {
    match &sig.output {
        ReturnType::Type(_, ty) if !contains_impl_trait(ty) => quote! {
            async move {
                #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::needless_return)]
                if false {
                    let __pypwext_declared: #ty = loop {};
                    return __pypwext_declared;
                }
                #body
            }
        },
        _ => quote!(async move #body),
    }
}

/// What a layer sees: the function's name, the signature at its place in the
/// stack, and that place.
struct Scope<'a> {
    name: &'a str,
    sig: &'a syn::Signature,
    is_async: bool,
    place: Place,
}

/// Wraps `inner` (a future, or a closure for a sync fn) in `layers`,
/// innermost first; gives a future (async) or a value (sync).
fn wrap(layers: &[Layer], scope: &Scope<'_>, mut inner: TokenStream, statics: &mut TokenStream) -> TokenStream {
    let mut value = None;
    for layer in layers.iter().rev() {
        let wrapped = match &layer.wrapper {
            Wrapper::CollectErrors(collect) => collect_errors(collect, scope, inner, statics),
            Wrapper::Logged(logged) => self::logged(logged, scope, inner, statics),
            Wrapper::Metrics(metrics) => metrics_layer(metrics, scope.name, scope.sig, scope.is_async, inner, statics),
            // `valid.rs` refuses a second core before expansion.
            Wrapper::SecondCore(_) => inner,
        };
        inner = if scope.is_async {
            wrapped.clone()
        } else {
            quote!(move || #wrapped)
        };
        value = Some(wrapped);
    }
    // No layer at all only happens below a response layer, in async code.
    value.unwrap_or(inner)
}

fn service_response(
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
            line: #line,
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
fn takes_request(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().is_some_and(|s| s.ident == "Request"),
        _ => false,
    }
}

fn collect_errors(
    collect: &CollectErrors,
    scope: &Scope<'_>,
    inner: TokenStream,
    statics: &mut TokenStream,
) -> TokenStream {
    if scope.place == Place::AboveService {
        // The response layer below installs the collector itself (see
        // `service_response`): one scope fewer to enter on every poll.
        // `valid.rs` made sure this is a root.
        return inner;
    }
    let Scope {
        name, sig, is_async, ..
    } = *scope;
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

fn logged(logged: &Logged, scope: &Scope<'_>, inner: TokenStream, statics: &mut TokenStream) -> TokenStream {
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
    let operation = option_str(logged.operation.as_ref());
    let out_operation = option_str(logged.out_operation.as_ref().or(logged.operation.as_ref()));
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
fn stays_reachable(ty: &syn::Type) -> bool {
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

/// Where the Lambda context of the invocation comes from.
enum Injection<'a> {
    /// `#[logged(inject_lambda_context, ...)]`: the handler's first parameter.
    Logged(&'a Logged),
    /// `#[service_response]`: the request, correlated by its request id.
    Service,
}

impl Injection<'_> {
    /// The `__private` function that reads the invocation from the event. A
    /// path of the handler's own may reach anywhere in the event, so its
    /// function may serialize the event; pypwext's own paths are fields read
    /// as they are, and their function builds no serializer into the binary.
    fn prepare(&self, span: Span) -> TokenStream {
        match self {
            Injection::Logged(Logged {
                correlation_id_path: Some(_),
                ..
            }) => quote_spanned!(span=> ::pypwext::__private::prepare_injection_anywhere),
            _ => quote_spanned!(span=> ::pypwext::__private::prepare_injection),
        }
    }
}

/// Runs `block` (the whole stack) as the invocation the handler's event
/// belongs to, so that every line of every layer carries the Lambda context
/// keys, wherever the layer that asked for it stands.
fn inject_lambda_context(
    inject: Injection<'_>,
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
    let prepare = inject.prepare(event_ty.span());
    let opts = inject_options(inject, name, sig, statics);
    // Spanned on the event's type: a type that carries no Lambda context is reported there.
    let injection = quote_spanned!(event_ty.span()=> #prepare(&#event, &#opts));
    if is_async {
        // The stack is built inside the invocation, entry line included.
        quote!(::pypwext::__private::inject_async(&#opts, #injection, move || #block))
    } else {
        quote!(::pypwext::__private::inject_sync(&#opts, #injection, move || #block))
    }
}

/// The `static` with what the injection was asked to do; its name.
fn inject_options(inject: Injection<'_>, name: &str, sig: &syn::Signature, statics: &mut TokenStream) -> syn::Ident {
    let opts = format_ident!("__PYPWEXT_INJECT");
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    let (paths, log_event) = match inject {
        Injection::Logged(logged) => {
            let paths = match &logged.correlation_id_path {
                Some(path) => quote!(&[#path]),
                None => quote!(&[]),
            };
            (paths, logged.log_event.is_some())
        }
        Injection::Service => (
            quote!(&[
                ::pypwext::logging::correlation_paths::API_GATEWAY_REST,
                ::pypwext::logging::correlation_paths::APPLICATION_LOAD_BALANCER,
            ]),
            false,
        ),
    };
    statics.extend(quote! {
        static #opts: ::pypwext::__private::InjectLambdaContext =
            ::pypwext::__private::InjectLambdaContext::new(#name, #line, #paths, #log_event);
    });
    opts
}

fn option_str(value: Option<&syn::LitStr>) -> TokenStream {
    match value {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    }
}

/// The pieces of a template as `Piece` constants; `args` collects the
/// parameters the pieces use, in first-use order.
fn pieces_tokens(pieces: &[Piece], args: &mut Vec<String>) -> TokenStream {
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
fn param_mutability(sig: &syn::Signature, ident: &syn::Ident) -> Option<syn::Token![mut]> {
    sig.inputs.iter().find_map(|input| match input {
        syn::FnArg::Typed(pat_type) => match &*pat_type.pat {
            syn::Pat::Ident(pat) if pat.ident == *ident => pat.mutability,
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    })
}

/// The call: a future that sends the request and gives the function's result.
fn http_call(
    http: &HttpMethod,
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

    let injected: Vec<(&syn::Ident, &syn::Type)> = params
        .iter()
        .copied()
        .filter(|(ident, _)| is_response_param(ident))
        .collect();
    let tail = if injected.is_empty() {
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
            injected.iter().find(|(ident, _)| *ident == which).map(|(ident, ty)| {
                // `mut response: HttpStream` reads its stream: the binding keeps `mut`.
                let mutability = param_mutability(sig, ident);
                quote!(let #mutability #ident: #ty = #value;)
            })
        };
        // `response: HttpStream`: the body is not read (`response_body` is refused with it).
        let streamed = injected
            .iter()
            .any(|(ident, ty)| *ident == "response" && is_named(ty, "HttpStream"));
        let read = (!streamed).then(|| {
            quote! {
                let __pypwext_answer = match ::pypwext::__private::http::read(#name, __pypwext_answer).await {
                    ::core::result::Result::Ok(answer) => answer,
                    ::core::result::Result::Err(error) => return ::core::result::Result::Err(::core::convert::From::from(error)),
                };
            }
        });
        let code = binding("response_code", quote!(__pypwext_answer.status()));
        let text = binding("response_body", quote!(__pypwext_answer.text()));
        let whole = if streamed {
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

/// The batch core: the outer signature, and the future the layers above wrap,
/// which runs the layers below and the user's body once per record.
fn batch_core(
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
        place: plan.below_place(),
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
    let event = batch::event_ident();
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

    let outer = batch::outer_signature(sig, &batch::event_type(sig, batch));
    let above = Scope {
        name,
        sig: &outer,
        is_async: true,
        place: plan.above_place(),
    };
    let value = wrap(&plan.above, &above, value, statics);
    (outer, value)
}

/// The layer around `inner` (a future, or a closure for a sync function).
fn metrics_layer(
    metrics: &Metrics,
    name: &str,
    sig: &syn::Signature,
    is_async: bool,
    inner: TokenStream,
    statics: &mut TokenStream,
) -> TokenStream {
    let opts = format_ident!("__PYPWEXT_METRICS");
    let option = |lit: &Option<syn::LitStr>| match lit {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    };
    let namespace = option(&metrics.namespace);
    let service = option(&metrics.service);
    let cold_start = metrics.capture_cold_start_metric;
    let dimensions = metrics
        .default_dimensions
        .iter()
        .map(|(key, value)| quote!((#key, #value)));
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    statics.extend(quote! {
        static #opts: ::pypwext::__private::metrics::Metrics = ::pypwext::__private::metrics::Metrics {
            function: #name,
            line: #line,
            namespace: #namespace,
            service: #service,
            capture_cold_start_metric: #cold_start,
            default_dimensions: &[#(#dimensions),*],
        };
    });
    if is_async {
        quote!(::pypwext::__private::metrics::metrics_async(&#opts, #inner))
    } else {
        quote!(::pypwext::__private::metrics::metrics_sync(&#opts, #inner))
    }
}

/// The function goes through the `metrics` feature's check when the stack
/// has a `#[metrics]` layer: one error on the attribute without the feature.
fn require_metrics_feature(plan: &Plan, item: TokenStream) -> TokenStream {
    match plan.layers().find_map(|layer| match &layer.wrapper {
        Wrapper::Metrics(metrics) => Some(metrics.span),
        _ => None,
    }) {
        Some(span) => quote_spanned!(span=> ::pypwext::__private::require_metrics! { #item }),
        None => item,
    }
}
