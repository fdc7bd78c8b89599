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
///   `lambda_runtime::run(service_fn(handler))`: one invocation at a time;
/// - with `AWS_LAMBDA_MAX_CONCURRENCY` above 1 as well (Lambda Managed
///   Instances set it), that many invocations at once in this process, each
///   in its own task with its own records' collectors and log keys. A value
///   that is not a whole number of 1 or more is an error that says so, before
///   any invocation is taken;
/// - otherwise locally, with no AWS and no extra tool: `--event FILE` on the
///   command line (`--event -` reads standard input) invokes the handler once
///   with that event and prints the partial batch response as JSON on
///   standard output;
/// - otherwise, with the `local` feature (on by default), it serves the
///   handler on `PYPWEXT_LOCAL_ADDR` (default `127.0.0.1:9000`): each POSTed
///   body is an event, answered with the partial batch response (200), or with
///   `{"errorMessage": …}` (400 for an event that does not parse, 500 for a
///   failed invocation); it stops on Ctrl-C. Without the feature it fails with
///   an error that says to pass `--event`.
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
    H: Fn(LambdaEvent<E>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<E::Response, Error>> + Send + 'static,
{
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        crate::lambda::check_before_run_concurrent("pypwext::batch::run")?;
        return lambda_runtime::run_concurrent(lambda_runtime::service_fn(handler)).await;
    }
    let Some(path) = event_argument(std::env::args().skip(1)) else {
        #[cfg(feature = "local")]
        return serve_until_ctrl_c(handler).await;
        #[cfg(not(feature = "local"))]
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

/// Serves `handler` on `PYPWEXT_LOCAL_ADDR` until Ctrl-C: each POSTed body is
/// an event.
#[cfg(feature = "local")]
async fn serve_until_ctrl_c<E, H, Fut>(handler: H) -> Result<(), Error>
where
    E: BatchEvent,
    H: Fn(LambdaEvent<E>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<E::Response, Error>> + Send + 'static,
{
    let addr = match std::env::var("PYPWEXT_LOCAL_ADDR") {
        Ok(addr) => addr,
        Err(std::env::VarError::NotPresent) => crate::lambda::DEFAULT_LOCAL_ADDR.to_owned(),
        Err(err) => return Err(format!("PYPWEXT_LOCAL_ADDR: {err}").into()),
    };
    let addr: std::net::SocketAddr = addr
        .parse()
        .map_err(|err| format!("PYPWEXT_LOCAL_ADDR={addr:?} is not an address like 127.0.0.1:9000: {err}"))?;
    let server = crate::lambda::LocalServer::bind(addr).await?;
    println!(
        "pypwext: serving on http://{}: POST an event, get the partial batch response (or run with `--event FILE`; Ctrl-C to stop)",
        server.local_addr()
    );
    server
        .serve(over_http(handler), async {
            // A failed signal handler leaves Ctrl-C to end the process the usual way.
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    println!("pypwext: stopped");
    Ok(())
}

/// The future of one local HTTP answer.
#[cfg(feature = "local")]
type HttpAnswer = std::pin::Pin<Box<dyn Future<Output = Result<http::Response<lambda_http::Body>, Error>> + Send>>;

/// The batch handler as an HTTP handler: the request's body is the event, the
/// answer the partial batch response.
#[cfg(feature = "local")]
pub(crate) fn over_http<E, H, Fut>(
    handler: H,
) -> impl Fn(lambda_http::Request) -> HttpAnswer + Clone + Send + Sync + 'static
where
    E: BatchEvent,
    H: Fn(LambdaEvent<E>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<E::Response, Error>> + Send + 'static,
{
    move |request: lambda_http::Request| {
        let handler = handler.clone();
        Box::pin(async move {
            let body: &[u8] = match request.body() {
                lambda_http::Body::Text(text) => text.as_bytes(),
                lambda_http::Body::Binary(bytes) => bytes,
                _ => &[],
            };
            let (status, json) = match crate::json::parse::<E>(body) {
                Err(failure) => {
                    let message = match &failure.field {
                        Some(field) => format!("the event does not fit at `{field}`: {}", failure.reason),
                        None => format!("the event is not valid JSON: {}", failure.reason),
                    };
                    (
                        http::StatusCode::BAD_REQUEST,
                        serde_json::json!({ "errorMessage": message }),
                    )
                }
                Ok(event) => {
                    // The local server's synthetic context, with a fresh request id.
                    let context = lambda_http::RequestExt::lambda_context(&request);
                    match handler(LambdaEvent::new(event, context)).await {
                        Ok(response) => (
                            http::StatusCode::OK,
                            serde_json::to_value(&response).unwrap_or(serde_json::Value::Null),
                        ),
                        Err(err) => (
                            http::StatusCode::INTERNAL_SERVER_ERROR,
                            serde_json::json!({ "errorMessage": err.to_string(), "errorType": "BatchProcessingError" }),
                        ),
                    }
                }
            };
            let mut response = http::Response::new(lambda_http::Body::Text(json.to_string()));
            *response.status_mut() = status;
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            Ok(response)
        })
    }
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

    /// POSTs `body` to the batch handler served on a local port; the status line and body.
    #[cfg(feature = "local")]
    async fn post(body: &str) -> String {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let handler = |event: LambdaEvent<crate::batch::SqsEvent>| async move {
            let failed: Vec<String> = event
                .payload
                .records
                .iter()
                .filter(|r| r.body.as_deref() == Some("bad"))
                .filter_map(|r| r.message_id.clone())
                .collect();
            if failed.len() == event.payload.records.len() {
                return Err::<crate::batch::SqsBatchResponse, Error>("every record failed".into());
            }
            Ok(crate::batch::SqsEvent::response(failed))
        };
        let server = crate::lambda::LocalServer::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let addr = server.local_addr();
        let serving = tokio::spawn(server.serve(over_http(handler), std::future::pending()));
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "POST / HTTP/1.1\r\nhost: localhost\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        serving.abort();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        format!("{} {body}", head.lines().next().unwrap())
    }

    #[cfg(feature = "local")]
    #[tokio::test]
    async fn a_posted_event_is_answered_with_the_partial_batch_response() {
        let two = r#"{"Records":[{"messageId":"a","body":"ok"},{"messageId":"b","body":"bad"}]}"#;
        assert_eq!(
            post(two).await,
            r#"HTTP/1.1 200 OK {"batchItemFailures":[{"itemIdentifier":"b"}]}"#
        );
        let all_bad = r#"{"Records":[{"messageId":"b","body":"bad"}]}"#;
        assert_eq!(
            post(all_bad).await,
            r#"HTTP/1.1 500 Internal Server Error {"errorMessage":"every record failed","errorType":"BatchProcessingError"}"#
        );
        let answer = post(r#"{"Records":[{"messageId":5}]}"#).await;
        assert!(
            answer.starts_with(
                "HTTP/1.1 400 Bad Request {\"errorMessage\":\"the event does not fit at `Records[0].messageId`"
            ),
            "{answer}"
        );
    }

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
