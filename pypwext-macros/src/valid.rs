//! Pass 3: the rules of the plan: where each layer stands and what each one
//! needs of this function. Every broken rule is reported, each at the tokens
//! that break it, in the order the attributes are written.

use proc_macro2::Span;
use syn::{ReturnType, Type};

use crate::ast::{Function, LayerKind};
use crate::attr::{CollectErrors, ServiceResponse};
use crate::batch::{self, BatchResponse, BatchSource};
use crate::ctxt::Ctxt;
use crate::http_method::{HttpMethod, Template};
use crate::idempotent::Idempotent;
use crate::logged::Logged;
use crate::plan::{Args, CallAnswer, Core, Layer, Plan, Position};
use crate::signature::{named_params, outer_signature, result_ok_type};
use crate::template::Part;

/// Checks every layer of the plan and its core, top first. (An attribute
/// written twice was reported when the plan was built.)
pub(crate) fn check(cx: &mut Ctxt, plan: &Plan) {
    let function = &plan.function;
    crate::foreign::check(cx, plan.top, &function.attrs);
    for layer in &plan.above {
        check_layer(cx, function, layer, plan.above_position());
    }
    match &plan.core {
        Core::Body => {}
        Core::Service(service) => check_service_response(cx, function, service),
        Core::Call(http, answer) => check_http_method(cx, function, http, answer, plan.below.is_empty()),
        Core::Batch(batch) => check_batch_response(cx, function, batch),
    }
    for layer in &plan.below {
        check_layer(cx, function, layer, plan.below_position());
    }
}

fn check_layer(cx: &mut Ctxt, function: &Function, layer: &Layer, position: Position) {
    // A second core next to `#[batch_response]`, or `#[batch_response]` as one.
    let has_batch =
        matches!(position, Position::AboveBatch | Position::BelowBatch) || layer.kind == LayerKind::BatchResponse;
    if let Args::CollectErrors(collect) = &layer.args
        && check_collect_errors_by_batch(cx, layer.span, collect, position)
    {
        return;
    }
    match &layer.args {
        Args::CollectErrors(collect) => check_collect_errors(cx, function, layer.span, collect, position),
        Args::Logged(logged) if position == Position::AboveService => {
            check_logged(cx, &outer_signature(&function.sig), layer.span, logged, position);
        }
        Args::Logged(logged) if position == Position::AboveBatch => {
            check_logged(
                cx,
                &batch::outer_signature_for_checks(&function.sig),
                layer.span,
                logged,
                position,
            );
        }
        Args::Logged(logged) => check_logged(cx, &function.sig, layer.span, logged, position),
        Args::Metrics(_) => check_metrics(cx, function),
        Args::Traced(_) => check_traced(cx, function),
        Args::Idempotent(idempotent) => check_idempotent(cx, function, layer.span, idempotent, position),
        Args::HttpMethod(_) | Args::ServiceResponse(_) if !has_batch => {
            cx.syn_error(syn::Error::new(
                layer.span,
                "`#[http_method]` and `#[service_response]` cannot share a function: one calls a service, the other is one; split them into two functions",
            ));
        }
        Args::HttpMethod(_) | Args::ServiceResponse(_) | Args::BatchResponse(_) => {
            check_second_core(cx, layer.span, layer.kind);
        }
    }
}

fn check_service_response(cx: &mut Ctxt, function: &Function, service: &ServiceResponse) {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        cx.syn_error(syn::Error::new(
            service.span,
            format_args!(
                "`#[service_response]` needs an `async fn`: the handler it makes is async; write `async fn {}`",
                sig.ident
            ),
        ));
    }
    if let Some(constness) = &sig.constness {
        cx.error_spanned_by(
            constness,
            "`#[service_response]` cannot go on a `const fn`; remove `const`",
        );
    }
    if let Some(syn::FnArg::Receiver(receiver)) = sig.inputs.first() {
        cx.error_spanned_by(
            receiver,
            "`#[service_response]` makes a free handler function; it cannot take `self` (share state through a `static`, such as a `LazyLock`)",
        );
    }
    if let ReturnType::Default = sig.output {
        cx.error_spanned_by(
            &sig.ident,
            "a `#[service_response]` handler returns `Result<R, E>`: `R` is `PwResponse` or `lambda_http::IntoResponse`, `E` is `PwError` or converts into `lambda_http::Error`; add a return type",
        );
    }
}

fn check_collect_errors(cx: &mut Ctxt, function: &Function, span: Span, collect: &CollectErrors, position: Position) {
    match position {
        Position::AboveService if !collect.root => {
            cx.syn_error(syn::Error::new(
                span,
                "`#[collect_errors]` above `#[service_response]` sees the HTTP response, which has no error to collect; write `#[collect_errors(root)]` to install the collector the response reads, or move it below `#[service_response]`",
            ));
            return;
        }
        // The response layer turns every error into the response: no return-type rule.
        Position::AboveService => return,
        Position::BelowService if collect.root => {
            cx.syn_error(syn::Error::new(
                span,
                "`#[collect_errors(root)]` below `#[service_response]`: the response could never see the errors it collects; move it above `#[service_response]`",
            ));
            return;
        }
        // `check_collect_errors_by_batch` refused every other form.
        Position::AboveBatch => return,
        Position::BelowService | Position::BelowBatch | Position::Plain => {}
    }
    let sig = &function.sig;
    if let Some(constness) = &sig.constness {
        cx.error_spanned_by(
            constness,
            "`#[collect_errors]` cannot go on a `const fn`; remove `const`",
        );
    }
    match &sig.output {
        ReturnType::Default => cx.error_spanned_by(
            &sig.ident,
            "`#[collect_errors]` needs a function that returns `Result<Option<T>, PwError>`, `Result<(), PwError>` or `Result<Option<T>, ErrorWithReturn<T>>`; add one of these return types",
        ),
        ReturnType::Type(_, ty) => {
            if let Type::ImplTrait(_) = **ty {
                cx.error_spanned_by(
                    ty,
                    "`#[collect_errors]` cannot see through `impl Trait`; return `Result<Option<T>, PwError>`, `Result<(), PwError>` or `Result<Option<T>, ErrorWithReturn<T>>`",
                );
            }
        }
    }
}

fn check_logged(cx: &mut Ctxt, sig: &syn::Signature, span: Span, logged: &Logged, position: Position) {
    if position == Position::BelowBatch && logged.inject_lambda_context.is_some() {
        cx.syn_error(syn::Error::new(
            span,
            "`inject_lambda_context` below `#[batch_response]` has no event to read: it sees one record; the batch layer puts the Lambda context on every line by itself, so remove it (or move `#[logged]` above `#[batch_response]`)",
        ));
        return;
    }
    if position == Position::BelowService && logged.inject_lambda_context.is_some() {
        cx.syn_error(syn::Error::new(
            span,
            "`inject_lambda_context` below `#[service_response]` has no event to read; the response layer puts the Lambda context on every line by itself, so remove it (or move `#[logged]` above `#[service_response]`)",
        ));
        return;
    }
    let params: Vec<&syn::Ident> = named_params(sig).map(|(ident, _)| ident).collect();
    let known: Vec<String> = params.iter().map(|p| format!("`{p}`")).collect();
    for (word, list) in [("skip", &logged.skip), ("redact", &logged.redact)] {
        for name in list {
            if !params.contains(&name) {
                let hint = if known.is_empty() {
                    "it has no named parameters".to_owned()
                } else {
                    format!("its parameters are {}", known.join(", "))
                };
                cx.error_spanned_by(
                    name,
                    format_args!("`{word}({name})`: `{}` has no parameter `{name}`; {hint}", sig.ident),
                );
            }
        }
    }
    if logged.inject_lambda_context.is_none() {
        if let Some(path) = &logged.correlation_id_path {
            cx.error_spanned_by(
                path,
                "`correlation_id_path` works with `inject_lambda_context`; add `inject_lambda_context` to `#[logged(...)]`",
            );
        }
        if let Some(span) = logged.log_event {
            cx.syn_error(syn::Error::new(
                span,
                "`log_event` works with `inject_lambda_context`; add `inject_lambda_context` to `#[logged(...)]`",
            ));
        }
    } else if named_params(sig).next().is_none() || !matches!(sig.inputs.first(), Some(syn::FnArg::Typed(_))) {
        cx.error_spanned_by(
            &sig.ident,
            "`inject_lambda_context` reads the Lambda context from the handler's first parameter; take the event (`lambda_http::Request` or `LambdaEvent<T>`) first, bound to a name",
        );
    }
    for name in &logged.redact {
        if logged.skip.contains(name) {
            cx.error_spanned_by(
                name,
                format_args!("`{name}` is both skipped and redacted; keep it in one of `skip(..)` or `redact(..)`"),
            );
        }
    }
}

fn check_http_method(cx: &mut Ctxt, function: &Function, http: &HttpMethod, answer: &CallAnswer, last: bool) {
    let sig = &function.sig;
    let at_attr = |cx: &mut Ctxt, message: &str| cx.syn_error(syn::Error::new(http.span, message));
    if !last {
        at_attr(
            cx,
            "`#[http_method]` goes below the other pypwext attributes: the call is the function's body, which they wrap",
        );
    }
    if sig.asyncness.is_none() {
        at_attr(
            cx,
            &format!(
                "`#[http_method]` needs an `async fn`: the call is async; write `async fn {}`",
                sig.ident
            ),
        );
    }
    if let Some(syn::FnArg::Receiver(receiver)) = sig.inputs.first() {
        cx.error_spanned_by(
            receiver,
            "`#[http_method]` makes a free function; it cannot take `self`",
        );
    }
    if result_ok_type(sig).is_none() {
        let message = "`#[http_method]` returns `Result<T, E>` with `E: From<PwError>` (`PwError` itself, say): `T` is `HttpResponse`, `HttpStream` (the body read as it arrives), `LambdaResponse` (for `FUNC`/`EVENT`), `String`, `()` or any `DeserializeOwned` type parsed from the JSON answer";
        match &sig.output {
            ReturnType::Type(_, ty) => cx.error_spanned_by(ty, message),
            ReturnType::Default => cx.error_spanned_by(&sig.ident, message),
        }
    }

    // The parameters callers pass: all but those filled from the answer.
    let callers: Vec<&syn::Ident> = named_params(sig)
        .map(|(ident, _)| ident)
        .filter(|ident| !answer.filled.contains(ident))
        .collect();
    let known = callers.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
    let mut used: Vec<String> = Vec::new();
    let mut templates: Vec<(&str, &Template)> = Vec::new();
    if let Some(url) = &http.url {
        templates.push(("the URL", url));
    }
    templates.extend(http.params.iter().map(|(_, t)| ("`params(...)`", t)));
    templates.extend(http.headers.iter().map(|(_, t)| ("`headers(...)`", t)));
    for (where_, template) in templates {
        for piece in &template.pieces {
            if let Part::Param(name) = &piece.part {
                if callers.iter().any(|p| *p == name) {
                    used.push(name.clone());
                } else {
                    cx.error_spanned_by(
                        &template.literal,
                        format_args!(
                            "`{{{name}}}` in {where_} names no parameter of `{}`; its parameters are {}",
                            sig.ident,
                            if known.is_empty() {
                                "none".to_owned()
                            } else {
                                known.clone()
                            }
                        ),
                    );
                }
            }
        }
    }
    if let Some(body) = &http.body {
        if callers.contains(&body) {
            used.push(body.to_string());
        } else {
            cx.error_spanned_by(
                body,
                format_args!("`body = {body}` names no parameter of `{}`", sig.ident),
            );
        }
    }
    if let Some(response_body) = answer.filled.iter().find(|ident| *ident == "response_body")
        && answer.streamed
    {
        cx.error_spanned_by(
            response_body,
            "`response_body` reads the whole body, which `response: HttpStream` hands over unread; read it from `response` (`chunk()`, or as a `Stream`), or take `response: HttpResponse`",
        );
    }
    if !answer.filled.is_empty() {
        return;
    }
    if !function.has_empty_body() {
        cx.error_spanned_by(
            &sig.ident,
            "a `#[http_method]` function without `response`, `response_body` or `response_code` parameters has an empty body: the call is the body, and the return type says what comes back",
        );
    }
    for param in callers {
        if !used.iter().any(|u| param == u) {
            cx.error_spanned_by(
                param,
                format_args!(
                    "parameter `{param}` is not used by the call: put `{{{param}}}` in the URL, `params(...)` or `headers(...)`, or write `body = {param}`"
                ),
            );
        }
    }
}

/// The rules of `#[metrics]` on this function. It may stand anywhere in the
/// stack, on sync and async functions alike.
/// The rules of `#[idempotent]`: below a response layer or on an `async fn`
/// returning `Result`, with a store, and a key it can make.
fn check_idempotent(cx: &mut Ctxt, function: &Function, span: Span, idempotent: &Idempotent, position: Position) {
    let sig = &function.sig;
    let core = match position {
        Position::AboveService => Some("service_response"),
        Position::AboveBatch => Some("batch_response"),
        Position::Plain | Position::BelowService | Position::BelowBatch => None,
    };
    if let Some(core) = core {
        cx.syn_error(syn::Error::new(
            span,
            format_args!(
                "`#[idempotent]` above `#[{core}]` would see the whole event, not the typed parameters; move it below `#[{core}]`"
            ),
        ));
        return;
    }
    if sig.asyncness.is_none() {
        cx.syn_error(syn::Error::new(
            span,
            format_args!(
                "`#[idempotent]` needs an `async fn`: it asks its store over the network; write `async fn {}`",
                sig.ident
            ),
        ));
    }
    if let Some(constness) = &sig.constness {
        cx.error_spanned_by(constness, "`#[idempotent]` cannot go on a `const fn`; remove `const`");
    }
    if let ReturnType::Default = sig.output {
        cx.error_spanned_by(
            &sig.ident,
            "an `#[idempotent]` function returns `Result<T, E>` with `T: Serialize + DeserializeOwned` (the stored value) and `E: From<PwError>`; add a return type",
        );
    }
    if idempotent.store.is_none() {
        cx.syn_error(syn::Error::new(
            span,
            "`#[idempotent]` needs `store = NAME`: a `static` holding a `pypwext::idempotency::Idempotency`, e.g. `Idempotency::dynamodb(\"idempotency\")` in a `LazyLock`",
        ));
    }
    if idempotent.key.is_none() {
        let params = crate::idempotent::key_params(sig);
        if params.is_empty() {
            cx.error_spanned_by(
                &sig.ident,
                "`#[idempotent]` has no parameter to make the key of (contexts and batch records are not keys); write `key = …`, e.g. `key = message.message_id`",
            );
        }
        for param in params {
            if let Err(pat) = param {
                cx.error_spanned_by(
                    pat,
                    "`#[idempotent]` cannot name this parameter in its key; bind it to one name, or write `key = …`",
                );
            }
        }
    }
}

fn check_metrics(cx: &mut Ctxt, function: &Function) {
    if let Some(constness) = &function.sig.constness {
        cx.error_spanned_by(constness, "`#[metrics]` cannot go on a `const fn`; remove `const`");
    }
}

/// The rules of `#[traced]` on this function. Like `#[metrics]`, it may
/// stand anywhere in the stack (above the core it traces the whole handler,
/// below it the user's function), on sync and async functions alike.
fn check_traced(cx: &mut Ctxt, function: &Function) {
    if let Some(constness) = &function.sig.constness {
        cx.error_spanned_by(constness, "`#[traced]` cannot go on a `const fn`; remove `const`");
    }
}

/// The rules of `#[batch_response]` on this function.
fn check_batch_response(cx: &mut Ctxt, function: &Function, batch: &BatchResponse) {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        cx.syn_error(syn::Error::new(
            batch.span,
            format_args!(
                "`#[batch_response]` needs an `async fn`: it runs records concurrently; write `async fn {}`",
                sig.ident
            ),
        ));
    }
    if let Some(constness) = &sig.constness {
        cx.error_spanned_by(
            constness,
            "`#[batch_response]` cannot go on a `const fn`; remove `const`",
        );
    }
    if !sig.generics.params.is_empty() {
        cx.error_spanned_by(
            &sig.generics,
            "`#[batch_response]` makes a Lambda handler, which cannot be generic; remove the generic parameters",
        );
    }
    if let Some(syn::FnArg::Receiver(receiver)) = sig.inputs.first() {
        cx.error_spanned_by(
            receiver,
            "`#[batch_response]` makes a free handler function; it cannot take `self` (share state through a `static`, such as a `LazyLock`)",
        );
    }
    if let ReturnType::Default = sig.output {
        cx.error_spanned_by(
            &sig.ident,
            "a `#[batch_response]` function returns `Result<T, E>` for its record: `Ok` processed it, `Err` fails it; add a return type such as `Result<(), PwError>`",
        );
    }
    let record = batch::record_param(sig);
    let named = record.and_then(batch::known_source);
    match (batch.source, record, named) {
        (Some((source, _)), Some(record), Some(named)) if source != named => {
            cx.error_spanned_by(
                record,
                format_args!(
                    "this record is a `{}`, but `source = {}`; take `&{}` for this source, or write `source = {}`",
                    named.record(),
                    source.name(),
                    source.record(),
                    named.name()
                ),
            );
        }
        (None, None, _) => {
            cx.syn_error(syn::Error::new(
                batch.span,
                format_args!(
                    "`#[batch_response]` cannot tell which source it answers: take the record as a parameter (`message: &SqsMessage`, `record: &KinesisEventRecord`, `record: &DynamodbEventRecord`) or write `source = …`, one of: {}",
                    BatchSource::names()
                ),
            ));
        }
        _ => {}
    }
    // A stream is processed in order, one record at a time.
    let source = batch.source.map(|(source, _)| source).or(named);
    if let (Some(source), Some((n, span))) = (source, batch.concurrency)
        && source != BatchSource::Sqs
        && n > 1
    {
        cx.syn_error(syn::Error::new(
            span,
            format_args!(
                "`concurrency` is for SQS standard queues: a {} stream is processed in order, one record at a time, so Lambda can resume it at the first failure; remove `concurrency`",
                source.name()
            ),
        ));
    }
}

/// The rules of `#[collect_errors]` next to `#[batch_response]`; `true` when
/// the layer broke one (and was reported).
fn check_collect_errors_by_batch(cx: &mut Ctxt, span: Span, collect: &CollectErrors, position: Position) -> bool {
    let message = match position {
        Position::AboveBatch => {
            "`#[collect_errors]` above `#[batch_response]` sees the partial batch response, which has no error to collect: every record runs in its own collector scope; move it below `#[batch_response]`, without `root`, to collect a record's errors"
        }
        Position::BelowBatch if collect.root => {
            "`#[collect_errors(root)]` below `#[batch_response]`: the batch response could never see the errors it collects, and every record already runs in its own collector scope; write `#[collect_errors]` without `root`"
        }
        _ => return false,
    };
    cx.syn_error(syn::Error::new(span, message));
    true
}

/// A second core next to a first one, where `#[batch_response]` is one of them.
fn check_second_core(cx: &mut Ctxt, span: Span, kind: LayerKind) {
    let cores = [
        LayerKind::ServiceResponse,
        LayerKind::BatchResponse,
        LayerKind::HttpMethod,
    ];
    let names: Vec<String> = cores.iter().map(|core| format!("`#[{}]`", core.symbol())).collect();
    cx.syn_error(syn::Error::new(
        span,
        format_args!(
            "`#[{}]` cannot share a function with another of {}: each makes the function something else (a service, a batch handler, a call); split them into two functions",
            kind.symbol(),
            names.join(", ")
        ),
    ));
}
