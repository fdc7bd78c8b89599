//! Running a batch handler: under the Lambda runtime when there is one, else
//! once, locally, on an event read from a file, or (with the `local` feature)
//! on a local HTTP port.

use std::ffi::OsString;
use std::future::Future;
use std::io::Read;
use std::path::Path;

use lambda_runtime::{Context, LambdaEvent};

use super::process::Error;
use super::source::BatchEvent;

/// The environment variable that names the event file of a local run.
const EVENT_VARIABLE: &str = "PYPWEXT_EVENT";

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
/// - otherwise locally, with no AWS and no extra tool, when `PYPWEXT_EVENT`
///   names an event file (`PYPWEXT_EVENT=events/sqs.json`; `-` reads standard
///   input): invokes the handler once with that event and prints the partial
///   batch response as JSON on standard output, as [`run_event_file`] does.
///   A file that cannot be read is an error that names it, and so is an empty
///   `PYPWEXT_EVENT`;
/// - otherwise, with the `local` feature (on by default), it serves the
///   handler on `PYPWEXT_LOCAL_ADDR` (default `127.0.0.1:9000`): each POSTed
///   body is an event, answered with the partial batch response (200), or with
///   `{"errorMessage": …}` (400 for an event that does not parse, 500 for a
///   failed invocation); it stops on Ctrl-C. Without the feature it fails with
///   an error that says to set `PYPWEXT_EVENT`.
///
/// It never reads the command line, which stays the program's own: a program
/// that takes the event file as an argument passes it to [`run_event_file`].
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
///     // PYPWEXT_EVENT=events/sqs.json cargo run
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
    run_outside_lambda(handler, std::env::var_os(EVENT_VARIABLE), std::io::stdin()).await
}

/// What [`run`] does without the Lambda runtime, given the value of
/// `PYPWEXT_EVENT` and what `-` reads.
async fn run_outside_lambda<E, H, Fut>(handler: H, event: Option<OsString>, stdin: impl Read) -> Result<(), Error>
where
    E: BatchEvent,
    H: Fn(LambdaEvent<E>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<E::Response, Error>> + Send + 'static,
{
    match event {
        Some(path) if path.is_empty() => Err(format!(
            "the environment variable {EVENT_VARIABLE} is empty: set it to the event file to run the handler on (`{EVENT_VARIABLE}=event.json`; `-` reads standard input)"
        )
        .into()),
        Some(path) => {
            let json = read_event(Path::new(&path), Some(EVENT_VARIABLE), stdin)?;
            print_response(&handler, &json).await
        }
        #[cfg(feature = "local")]
        None => serve_until_ctrl_c(handler).await,
        #[cfg(not(feature = "local"))]
        None => Err(NO_EVENT.into()),
    }
}

/// The error of [`run`] outside Lambda with no event to run on and no local server.
#[cfg(not(feature = "local"))]
const NO_EVENT: &str = "not under the Lambda runtime (AWS_LAMBDA_RUNTIME_API is not set), and no event to run the handler on locally: set PYPWEXT_EVENT to an event file (`PYPWEXT_EVENT=event.json`; `-` reads standard input)";

/// Invokes `handler` once, locally, on the event in the file at `path` (`-`
/// reads standard input), and prints the partial batch response as JSON on
/// standard output: what [`run`] does with `PYPWEXT_EVENT`, for a program
/// that reads the event file's name itself (from its own command line, say).
///
/// The handler runs as under Lambda, with a local context (request id
/// `local`). A file that cannot be read is an error that names it; an event
/// that does not parse is an error that names the field and the reason; the
/// handler's own error is returned as it is. To get the response back
/// instead of printed, in a test say, use [`invoke_json`].
///
/// ```
/// use pypwext::batch::SqsMessage;
/// use pypwext::{batch_response, PwError};
///
/// #[batch_response]
/// async fn on_message(message: &SqsMessage) -> Result<(), PwError> {
///     tracing::info!(body = message.body.as_deref(), "received");
///     Ok(())
/// }
///
/// #[tokio::main(flavor = "current_thread")]
/// async fn main() -> Result<(), pypwext::batch::Error> {
///     # let dir = std::env::temp_dir().join(format!("pypwext-doc-{}", std::process::id()));
///     # std::fs::create_dir_all(&dir)?;
///     # let event_file = dir.join("sqs.json");
///     # std::fs::write(&event_file, r#"{"Records": [{"messageId": "m1", "body": "hello"}]}"#)?;
///     // `event_file`: from the program's own command line (`my-consumer events/sqs.json`), say.
///     pypwext::batch::run_event_file(on_message, &event_file).await?; // prints {"batchItemFailures": []}
///     # std::fs::remove_dir_all(&dir)?;
///
///     let missing = pypwext::batch::run_event_file(on_message, "no/such/event.json").await;
///     assert!(missing.unwrap_err().to_string().starts_with("cannot read the event file `no/such/event.json`: "));
///     Ok(())
/// }
/// ```
pub async fn run_event_file<E, H, Fut>(handler: H, path: impl AsRef<Path>) -> Result<(), Error>
where
    E: BatchEvent,
    H: Fn(LambdaEvent<E>) -> Fut,
    Fut: Future<Output = Result<E::Response, Error>>,
{
    let json = read_event(path.as_ref(), None, std::io::stdin())?;
    print_response(&handler, &json).await
}

/// The bytes of the event file at `path`, or of `stdin` when `path` is `-`;
/// an error names the file, and the environment `variable` that named it.
fn read_event(path: &Path, variable: Option<&str>, mut stdin: impl Read) -> Result<Vec<u8>, String> {
    let mut json = Vec::new();
    if path == Path::new("-") {
        let named = variable.map(|v| format!(" ({v}=-)")).unwrap_or_default();
        stdin
            .read_to_end(&mut json)
            .map_err(|err| format!("cannot read the event from standard input{named}: {err}"))?;
        return Ok(json);
    }
    let named = variable.map(|v| format!(" that {v} names")).unwrap_or_default();
    std::fs::File::open(path)
        .and_then(|mut file| file.read_to_end(&mut json))
        .map_err(|err| format!("cannot read the event file `{}`{named}: {err}", path.display()))?;
    Ok(json)
}

/// Invokes `handler` on the event in `json` and prints the response, pretty.
async fn print_response<E, H, Fut>(handler: &H, json: &[u8]) -> Result<(), Error>
where
    E: BatchEvent,
    H: Fn(LambdaEvent<E>) -> Fut,
    Fut: Future<Output = Result<E::Response, Error>>,
{
    let response = invoke_json(handler, json).await?;
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
    let addr = crate::lambda::local_addr(std::env::var("PYPWEXT_LOCAL_ADDR"))?;
    let server = crate::lambda::LocalServer::bind(addr).await?;
    println!(
        "pypwext: serving on http://{}: POST an event, get the partial batch response (or set PYPWEXT_EVENT=FILE to run it once on an event file; Ctrl-C to stop)",
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
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::batch::{SqsBatchResponse, SqsEvent};

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

    /// A handler that records the message ids of the events it is given and
    /// lists none of them as failed.
    fn recording(
        seen: &Arc<Mutex<Vec<String>>>,
    ) -> impl Fn(LambdaEvent<SqsEvent>) -> std::future::Ready<Result<SqsBatchResponse, Error>> + Clone + Send + Sync + 'static
    {
        let seen = Arc::clone(seen);
        move |event: LambdaEvent<SqsEvent>| {
            let ids = event.payload.records.iter().filter_map(|r| r.message_id.clone());
            seen.lock().unwrap().extend(ids);
            std::future::ready(Ok(SqsEvent::response(Vec::new())))
        }
    }

    /// A file of its own under the temporary directory holding `contents`.
    fn event_file(name: &str, contents: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("pypwext-run-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    const ONE_MESSAGE: &str = r#"{"Records":[{"messageId":"m1","body":"hello"}]}"#;

    #[tokio::test]
    async fn pypwext_event_runs_the_handler_once_on_the_file_it_names() {
        let path = event_file("named.json", ONE_MESSAGE);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stdin: &[u8] = br#"{"Records":[{"messageId":"from-stdin"}]}"#;
        run_outside_lambda(recording(&seen), Some(path.clone().into_os_string()), stdin)
            .await
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), ["m1"]);
        std::fs::remove_file(path).unwrap();
    }

    #[tokio::test]
    async fn pypwext_event_dash_reads_standard_input() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stdin: &[u8] = br#"{"Records":[{"messageId":"from-stdin"}]}"#;
        run_outside_lambda(recording(&seen), Some("-".into()), stdin)
            .await
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), ["from-stdin"]);
    }

    #[tokio::test]
    async fn a_file_that_cannot_be_read_is_an_error_that_names_it_and_the_variable() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let err = run_outside_lambda(recording(&seen), Some("/no/such/event.json".into()), &[][..])
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("cannot read the event file `/no/such/event.json` that PYPWEXT_EVENT names: "),
            "{err}"
        );
        assert!(seen.lock().unwrap().is_empty(), "the handler did not run");

        // Called directly, the path is the program's own: no variable to name.
        let err = run_event_file(recording(&seen), "/no/such/event.json")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("cannot read the event file `/no/such/event.json`: "),
            "{err}"
        );
    }

    #[tokio::test]
    async fn run_event_file_runs_the_handler_once_on_the_file() {
        let path = event_file("direct.json", ONE_MESSAGE);
        let seen = Arc::new(Mutex::new(Vec::new()));
        run_event_file(recording(&seen), &path).await.unwrap();
        assert_eq!(*seen.lock().unwrap(), ["m1"]);
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn standard_input_that_cannot_be_read_is_an_error_that_says_so() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("closed"))
            }
        }
        assert_eq!(
            read_event(Path::new("-"), Some("PYPWEXT_EVENT"), Broken).unwrap_err(),
            "cannot read the event from standard input (PYPWEXT_EVENT=-): closed"
        );
        assert_eq!(
            read_event(Path::new("-"), None, Broken).unwrap_err(),
            "cannot read the event from standard input: closed"
        );
    }

    #[tokio::test]
    async fn an_empty_pypwext_event_is_an_error_that_says_what_to_set() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let err = run_outside_lambda(recording(&seen), Some("".into()), &[][..])
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the environment variable PYPWEXT_EVENT is empty: set it to the event file to run the handler on (`PYPWEXT_EVENT=event.json`; `-` reads standard input)"
        );
    }

    /// Without the local server, no `PYPWEXT_EVENT` leaves nothing to run on.
    #[cfg(not(feature = "local"))]
    #[tokio::test]
    async fn without_pypwext_event_or_the_local_feature_the_error_says_what_to_set() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let err = run_outside_lambda(recording(&seen), None, &[][..]).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "not under the Lambda runtime (AWS_LAMBDA_RUNTIME_API is not set), and no event to run the handler on locally: set PYPWEXT_EVENT to an event file (`PYPWEXT_EVENT=event.json`; `-` reads standard input)"
        );
        assert!(seen.lock().unwrap().is_empty());
    }
}
