//! Running a batch handler: under the Lambda runtime when there is one, else
//! once, locally, on an event read from a file.

use std::future::Future;

use lambda_runtime::{Context, LambdaEvent};

use super::process::Error;
use super::source::BatchEvent;

/// Runs `handler` (a `#[batch_response]` function, or any
/// `async fn(LambdaEvent<E>) -> Result<E::Response, Error>` for an SQS,
/// Kinesis or DynamoDB event `E`):
///
/// - under the Lambda runtime when `AWS_LAMBDA_RUNTIME_API` is set, as
///   `lambda_runtime::run(service_fn(handler))`;
/// - otherwise locally, with no AWS and no extra tool: `--event FILE` on the
///   command line (`--event -` reads standard input) invokes the handler once
///   with that event and prints the partial batch response as JSON on
///   standard output. Without `--event` it fails with an error that says so.
///
/// ```no_run
/// use pypwext::batch::SqsMessage;
/// use pypwext::{batch_response, PwError};
///
/// #[batch_response]
/// async fn on_message(message: &SqsMessage) -> Result<(), PwError> {
///     tracing::info!(body = message.body.as_deref(), "received");
///     Ok(())
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), lambda_runtime::Error> {
///     pypwext::logging::builder().service("orders").init();
///     // cargo run -- --event events/sqs.json
///     pypwext::batch::run(on_message).await
/// }
/// ```
pub async fn run<E, H, Fut>(handler: H) -> Result<(), Error>
where
    E: BatchEvent,
    H: Fn(LambdaEvent<E>) -> Fut,
    Fut: Future<Output = Result<E::Response, Error>>,
{
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return lambda_runtime::run(lambda_runtime::service_fn(handler)).await;
    }
    let Some(path) = event_argument(std::env::args().skip(1)) else {
        return Err(
            "AWS_LAMBDA_RUNTIME_API is not set, so this is not a Lambda runtime; to run the handler locally, pass an event: `--event event.json` (`--event -` reads standard input)"
                .into(),
        );
    };
    let bytes = if path == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|err| format!("cannot read the event from standard input: {err}"))?;
        bytes
    } else {
        std::fs::read(&path).map_err(|err| format!("cannot read the event file `{path}`: {err}"))?
    };
    let response = invoke_json(&handler, &bytes).await?;
    let json = serde_json::to_string_pretty(&response).map_err(|err| format!("cannot write the response: {err}"))?;
    println!("{json}");
    Ok(())
}

/// The value of `--event FILE` or `--event=FILE` among `args`.
fn event_argument(mut args: impl Iterator<Item = String>) -> Option<String> {
    while let Some(arg) = args.next() {
        if arg == "--event" {
            return args.next();
        }
        if let Some(path) = arg.strip_prefix("--event=") {
            return Some(path.to_owned());
        }
    }
    None
}

/// Invokes `handler` once with the event in `json`, as Lambda would, with a
/// local context (request id `local`): for local runs and tests. An event
/// that does not parse is an error naming the field and the reason.
pub async fn invoke_json<E, H, Fut>(handler: &H, json: &[u8]) -> Result<E::Response, Error>
where
    E: BatchEvent,
    H: Fn(LambdaEvent<E>) -> Fut,
    Fut: Future<Output = Result<E::Response, Error>>,
{
    let event: E = crate::json::parse(json).map_err(|failure| match &failure.field {
        Some(field) => format!("the event does not fit at `{field}`: {}", failure.reason),
        None => format!("the event is not valid JSON: {}", failure.reason),
    })?;
    let mut context = Context::default();
    "local".clone_into(&mut context.request_id);
    handler(LambdaEvent::new(event, context)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_argument_is_found_in_both_spellings() {
        let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>().into_iter();
        assert_eq!(event_argument(args(&["--event", "a.json"])).as_deref(), Some("a.json"));
        assert_eq!(
            event_argument(args(&["-v", "--event=b.json"])).as_deref(),
            Some("b.json")
        );
        assert_eq!(event_argument(args(&["--serve"])), None);
        assert_eq!(event_argument(args(&["--event"])), None);
    }
}
