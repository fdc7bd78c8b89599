//! Procedural macros of [pypwext](https://docs.rs/pypwext). Depend on `pypwext`
//! and use them from there: the generated code calls into it.
//!
//! Every macro runs the same passes over the function and the whole pypwext
//! stack on it: `ast` (read), `attr` (arguments) and `plan` (the layers above
//! the core, the core, the layers below), then `valid` (rules) and `expand`
//! (code), which both read the plan. The topmost pypwext attribute does the
//! work for the stack.

mod ast;
mod attr;
mod batch;
mod ctxt;
mod expand;
mod metrics;
mod plan;
mod signature;
mod symbol;
mod template;
#[cfg(test)]
mod tests;
mod valid;

use proc_macro::TokenStream;

use ast::{LayerKind, Stack};
use ctxt::Ctxt;
use plan::Plan;

/// Collects `ErrorAction::Continue` errors into the current error collector.
///
/// On functions returning `Result<Option<T>, PwError>`, `Result<(), PwError>`
/// or `Result<Option<T>, ErrorWithReturn<T>>` (a collected error returns the
/// value it carries). See the `pypwext` crate docs for the semantics and an
/// example.
#[proc_macro_attribute]
pub fn collect_errors(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::CollectErrors, args.into(), item.into()).into()
}

/// Logs entry (arguments), exit (return value) and failure (an `Err` or a
/// panic) of a function as structured JSON lines.
///
/// Arguments: `level` (entry, default `"debug"`), `out_level` (exit, default
/// `"info"`), `classification`, `log_type`, `operation` and their `out_`
/// twins (which default to them), `log_exception` (default `true`),
/// `skip(arg, …)` and `redact(arg, …)`. Nothing is rendered for a line that
/// is not written: with the entry line off, a failure's line renders the
/// arguments it can still reach (references, plain scalars) and names the
/// moved ones under `moved_args`. See the `pypwext` crate docs for an example.
#[proc_macro_attribute]
pub fn logged(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::Logged, args.into(), item.into()).into()
}

/// Turns an `async fn` taking extractors and returning `Result<PwResponse, PwError>`
/// into a `lambda_http` handler: `fn(Request) -> impl Future<Output =
/// Result<Response<Body>, Error>>`, an `async fn(Request)` in all but spelling
/// (its future holds the request once instead of three times, and starts at its
/// first poll, like an `async fn`'s).
///
/// Arguments: `just_status_code` (default `true`), `code_from_error` (default
/// `true`), `always_return` (default `true`). See `pypwext::service`.
#[proc_macro_attribute]
pub fn service_response(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::ServiceResponse, args.into(), item.into()).into()
}

/// Turns a function signature into a typed HTTP call: the URL template is
/// checked against the parameters at compile time, values are checked for
/// the part of the URL they stand in at run time, and the answer becomes the
/// return type; a status of 300 or more is a `PwError` unless the function
/// declares a `response`, `response_body` or `response_code` parameter to see
/// every status itself. `method = "FUNC"` / `"EVENT"` invokes a Lambda
/// function the way `HttpSession::func` / `HttpSession::event` do from code
/// (both build the same `pypwext::http::LambdaRequest`). See the `pypwext`
/// crate docs.
#[proc_macro_attribute]
pub fn http_method(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::HttpMethod, args.into(), item.into()).into()
}

/// Turns an `async fn` that handles one record of an SQS, Kinesis or
/// DynamoDB stream batch into a handler that answers Lambda's partial batch
/// response: `async fn(LambdaEvent<E>) -> Result<Response, lambda_runtime::Error>`.
///
/// Parameters are extractors: the record (`&SqsMessage`, `&KinesisEventRecord`,
/// `&DynamodbEventRecord`, by reference or by value), `Json<T>`,
/// `lambda_runtime::Context`. Arguments: `source = Sqs | Kinesis | DynamoDb`
/// (when no record parameter names it), `concurrency = N` (SQS standard
/// queues, default 1), `skip_group_on_error` (SQS FIFO), `fail_whole_batch`
/// (default `true`). See `pypwext::batch`.
#[proc_macro_attribute]
pub fn batch_response(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::BatchResponse, args.into(), item.into()).into()
}

/// Writes the metrics added during each call of the function as CloudWatch
/// EMF lines, in Powertools' shape, when the call returns (`Ok`, `Err` or a
/// panic, which goes on afterwards).
///
/// Arguments: `namespace = "…"` (else `POWERTOOLS_METRICS_NAMESPACE`),
/// `service = "…"` (else `POWERTOOLS_SERVICE_NAME`),
/// `capture_cold_start_metric`, `default_dimensions(name = "value", …)`.
/// Needs the `metrics` feature of pypwext. See `pypwext::metrics`.
#[proc_macro_attribute]
pub fn metrics(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_stack(LayerKind::Metrics, args.into(), item.into()).into()
}

fn expand_stack(
    top: LayerKind,
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let stack = match Stack::parse(top, args, item.clone()) {
        Ok(stack) => stack,
        // Not a function we can wrap: say so, and keep the item for the IDE.
        Err(err) => {
            let mut out = err.to_compile_error();
            out.extend(item);
            return out;
        }
    };

    // A call's empty body would add a type error of its own to the errors below.
    let calls = stack.attrs.iter().any(|attr| attr.kind == LayerKind::HttpMethod);
    let mut cx = Ctxt::new();
    let plan = Plan::build(&mut cx, stack);
    valid::check(&mut cx, &plan);

    if cx.error_count() > 0 {
        // The user's function as written, minus our attributes, so that
        // completion and go-to-definition keep working while they fix it.
        let mut out = cx.into_compile_errors();
        let mut function = plan.function;
        if calls && function.has_empty_body() {
            function.body = quote::quote!({ ::core::unimplemented!("`#[http_method]` has errors") });
        }
        quote::ToTokens::to_tokens(&function, &mut out);
        return out;
    }
    expand::expand(&plan)
}
