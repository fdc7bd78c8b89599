//! # pypwext
//!
//! Attribute macros that make an AWS Lambda function in Rust log, collect
//! errors, call other services and answer API Gateway the way a well-run
//! µservice fleet should, checked by the compiler.
//!
//! ## Collecting errors: `#[collect_errors]`
//!
//! A function annotated `#[collect_errors]` that returns
//! `Result<Option<T>, PwError>` (or `Result<(), PwError>`, or
//! `Result<Option<T>, ErrorWithReturn<T>>`) hands an error whose
//! action is [`ErrorAction::Continue`] to the current [`ErrorCollector`] and
//! returns `Ok(None)` (or `Ok(())`) instead, so the caller goes on with the rest
//! of the batch. Errors with any other action, and every error when no collector
//! is installed, are returned unchanged. `#[collect_errors(root)]` installs a
//! fresh collector for the duration of the call when none is current.
//!
//! ```
//! use pypwext::{collect_errors, current_collector, ErrorAction, PwError, StatusCode};
//!
//! #[collect_errors]
//! fn price(item: &str) -> Result<Option<u32>, PwError> {
//!     match item {
//!         "apple" => Ok(Some(3)),
//!         "bomb" => Err(PwError::new(StatusCode::FORBIDDEN, "not for sale")),
//!         other => Err(PwError::new(StatusCode::NOT_FOUND, format!("no price for {other}"))
//!             .with_action(ErrorAction::Continue)),
//!     }
//! }
//!
//! #[collect_errors(root)]
//! fn total(items: &[&str]) -> Result<Option<(u32, usize)>, PwError> {
//!     let mut sum = 0;
//!     for item in items {
//!         // `?` still returns a `Raise` error at once.
//!         sum += price(item)?.unwrap_or(0);
//!     }
//!     let collected = current_collector().map_or(0, |c| c.len());
//!     Ok(Some((sum, collected)))
//! }
//!
//! assert_eq!(total(&["apple", "pear", "apple", "plum"]).unwrap(), Some((6, 2)));
//! assert_eq!(total(&["apple", "bomb"]).unwrap_err().code(), StatusCode::FORBIDDEN);
//! // Outside the root no collector is installed: the error comes back to the caller.
//! assert_eq!(price("pear").unwrap_err().code(), StatusCode::NOT_FOUND);
//! ```
//!
//! A collected error can carry the value the function returns in its place
//! (the Python `PyPwExtErrorWithReturn`): a function returning
//! `Result<Option<T>, ErrorWithReturn<T>>` answers
//! `Err(PwError::new(..).with_return(value))` with `Ok(Some(value))` once the
//! error is collected, and a `value` of another type than `T` does not
//! compile. [`ErrorWithReturn`] shows the seed's `send_offer` written with it.
//!
//! The same works on `async fn`, across `.await` points and across futures
//! joined in one task; see [`ErrorCollector`] for carrying the collector into a
//! spawned task.
//!
//! ## Logging: `#[logged]`
//!
//! `#[logged]` writes a structured line when the function is entered (its
//! arguments), when it returns (its return value, or the `Ok` value of a
//! `Result`) and when it fails (an `Err` or a panic, at ERROR, with
//! `exception` and `exception_name`). Values are rendered with their
//! [`LogView`](logging::LogView), else `Serialize`, else `Debug`; a type with
//! none of them is a compile error on that parameter. Nothing is rendered for
//! a line that is not written: with the entry line off, the exception line
//! renders the arguments it can still reach when the failure happens (those
//! taken by reference, plain numbers, `bool`, `char`) and names the others
//! under `moved_args`. With the [`logging`] subscriber each line is one
//! Powertools JSON object.
//!
//! ```
//! use pypwext::{logged, logging, PwError, StatusCode};
//!
//! #[derive(serde::Serialize)]
//! struct Customer { name: String }
//!
//! #[logged(level = "info", operation = "greet", redact(token), classification = Pii)]
//! fn greet(customer: &Customer, token: &str) -> Result<String, PwError> {
//!     if token.is_empty() {
//!         return Err(PwError::new(StatusCode::UNAUTHORIZED, "no token"));
//!     }
//!     Ok(format!("hello {}", customer.name))
//! }
//!
//! let sink = logging::MemoryWriter::new();
//! let subscriber = logging::builder().service("greeter").writer(sink.clone()).build();
//! tracing::subscriber::with_default(subscriber, || {
//!     greet(&Customer { name: "Ada".into() }, "t0ken").unwrap();
//!     greet(&Customer { name: "Bob".into() }, "").unwrap_err();
//! });
//!
//! let lines: Vec<serde_json::Value> =
//!     sink.lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect();
//! assert_eq!(lines[0]["message"]["msg"], "Entering greet");
//! assert_eq!(lines[0]["message"]["args"]["token"], "*****");
//! assert_eq!(lines[0]["classification"], "PII");
//! assert_eq!(lines[1]["message"]["return"], "hello Ada");
//! assert_eq!(lines[3]["level"], "ERROR");
//! assert_eq!(lines[3]["message"]["msg"], "Exception in greet");
//! assert_eq!(lines[3]["exception"], "no token");
//! assert_eq!(lines[3]["exception_name"], "PwError");
//! ```
//!
//! On a Lambda handler, `inject_lambda_context` (with `correlation_id_path`
//! and `log_event`) puts the invocation's keys (`function_request_id`,
//! `cold_start`, `correlation_id`, …) on every line of the invocation, as
//! Powertools' `inject_lambda_context` does:
//!
//! ```
//! use pypwext::{logged, logging::correlation_paths};
//! use lambda_runtime::LambdaEvent;
//!
//! #[logged(inject_lambda_context, correlation_id_path = correlation_paths::EVENT_BRIDGE, log_event)]
//! async fn handler(event: LambdaEvent<serde_json::Value>) -> Result<(), lambda_runtime::Error> {
//!     tracing::info!("order placed"); // carries function_request_id, correlation_id = the event's id, …
//!     Ok(())
//! }
//! # let _ = handler;
//! ```
//!
//! ## µservices: `#[service_response]`, and calls: `#[http_method]`
//!
//! `#[service_response]` turns an `async fn` taking extractors and returning
//! `Result<PwResponse, PwError>` into a `lambda_http` handler that answers API
//! Gateway and ALB; see [`service`]. `#[http_method]` turns a signature into a
//! typed HTTP call; see [`http`]. Whatever the return type (`HttpResponse`,
//! `String`, `()`, a `DeserializeOwned` type, or `HttpStream` for a body read
//! chunk by chunk), a status of 300 or more is a
//! `PwError` with the status and the body; a function that declares a
//! `response` parameter sees every status itself. [`HttpSession`],
//! [`HttpResponse`] and [`LambdaResponse`] are at the crate root. Here one
//! calls the other over loopback:
//!
//! ```
//! use pypwext::{http_method, service_response, Json, PwError, PwResponse, StatusCode};
//!
//! #[derive(serde::Deserialize, serde::Serialize)]
//! struct Greeting { name: String }
//!
//! #[derive(serde::Deserialize, Debug)]
//! struct Answer { hello: String }
//!
//! #[service_response]
//! async fn greeter(Json(greeting): Json<Greeting>) -> Result<PwResponse, PwError> {
//!     if greeting.name.is_empty() {
//!         return Err(PwError::new(StatusCode::BAD_REQUEST, "a greeting needs a name"));
//!     }
//!     Ok(PwResponse::ok().with_field("hello", greeting.name))
//! }
//!
//! #[http_method(method = "POST", url = "http://localhost:{port}/greet", body = greeting)]
//! async fn greet(port: u16, greeting: &Greeting) -> Result<Answer, PwError> {}
//!
//! // Every status, seen by the function itself.
//! #[http_method(method = "POST", url = "http://localhost:{port}/greet", body = greeting)]
//! async fn greet_any(port: u16, greeting: &Greeting, response: pypwext::HttpResponse) -> Result<u16, PwError> {
//!     Ok(response.status().as_u16())
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let server = pypwext::lambda::LocalServer::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
//! let port = server.local_addr().port();
//! tokio::spawn(server.serve(greeter, std::future::pending()));
//!
//! let answer = greet(port, &Greeting { name: "Ada".into() }).await.unwrap();
//! assert_eq!(answer.hello, "Ada");
//! let refused = greet(port, &Greeting { name: String::new() }).await.unwrap_err();
//! assert_eq!(refused.code(), StatusCode::BAD_REQUEST);
//! assert_eq!(refused.details().unwrap()["body"]["error"]["msg"], "a greeting needs a name");
//! assert_eq!(greet_any(port, &Greeting { name: String::new() }).await.unwrap(), 400);
//! # });
//! ```
//!
//! ## Event sources: `#[batch_response]`
//!
//! `#[batch_response]` turns an `async fn` that handles **one record** of an
//! SQS queue, a Kinesis stream or a DynamoDB stream into a Lambda handler that
//! answers the partial batch response, so only the records that failed come
//! back; see [`batch`] for the rules (FIFO queues, streams, `concurrency`,
//! batches that failed whole). Here a Kinesis stream stops at its first
//! failure, which is the one record reported:
//!
//! ```
//! use pypwext::batch::{KinesisEvent, KinesisEventRecord, LambdaEvent};
//! use pypwext::{batch_response, Json, PwError, StatusCode};
//!
//! #[derive(serde::Deserialize)]
//! struct Reading { sensor: String, celsius: f64 }
//!
//! #[batch_response]
//! async fn on_reading(Json(reading): Json<Reading>, record: &KinesisEventRecord) -> Result<(), PwError> {
//!     if reading.celsius < -273.15 {
//!         return Err(PwError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("{} is broken", reading.sensor)));
//!     }
//!     let _ = record.kinesis.partition_key.as_str();
//!     Ok(())
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // Kinesis data is base64 on the wire; `Json<T>` parses it decoded.
//! let event: KinesisEvent = serde_json::from_value(serde_json::json!({"Records": [
//!     {"kinesis": {"sequenceNumber": "1", "data": "eyJzZW5zb3IiOiJhIiwiY2Vsc2l1cyI6MjEuNX0=", "approximateArrivalTimestamp": 1.5e9}},
//!     {"kinesis": {"sequenceNumber": "2", "data": "eyJzZW5zb3IiOiJiIiwiY2Vsc2l1cyI6LTMwMH0=", "approximateArrivalTimestamp": 1.5e9}},
//!     {"kinesis": {"sequenceNumber": "3", "data": "eyJzZW5zb3IiOiJjIiwiY2Vsc2l1cyI6MTl9", "approximateArrivalTimestamp": 1.5e9}},
//! ]})).unwrap();
//! let response = on_reading(LambdaEvent::new(event, Default::default())).await.unwrap();
//! // Lambda resumes the stream at record 2; record 3 was not processed.
//! assert_eq!(
//!     serde_json::to_value(&response).unwrap(),
//!     serde_json::json!({"batchItemFailures": [{"itemIdentifier": "2"}]})
//! );
//! # });
//! ```
//!
//! ## Metrics: `#[metrics]`
//!
//! `#[metrics(...)]` gives each call of a function its own set of CloudWatch
//! metrics; [`metrics::add_metric`] and its siblings add to it from anywhere
//! below, and the set is written as embedded metric format (EMF) lines, in
//! Powertools' shape, to the logger's writer when the call returns — on `Ok`,
//! on `Err` and on a panic. See [`metrics`](mod@metrics) for the arguments, the rules and
//! the environment variables.
//!
//! ```
//! use pypwext::metrics::MetricUnit;
//! use pypwext::{collect_errors, logging, metrics, ErrorAction, PwError, StatusCode};
//!
//! #[collect_errors]
//! fn reserve(sku: &str) -> Result<Option<u32>, PwError> {
//!     metrics::add_metric("Reservations", MetricUnit::Count, 1.0)?; // counted by the caller's set
//!     match sku {
//!         "KIWI" => Err(PwError::new(StatusCode::NOT_FOUND, "sold out").with_action(ErrorAction::Continue)),
//!         _ => Ok(Some(1)),
//!     }
//! }
//!
//! #[metrics(namespace = "shop", service = "orders", capture_cold_start_metric)]
//! #[collect_errors(root)]
//! fn place_order(skus: &[&str]) -> Result<Option<u32>, PwError> {
//!     metrics::add_metric("OrdersPlaced", MetricUnit::Count, 1.0)?;
//!     let mut reserved = 0;
//!     for sku in skus {
//!         reserved += reserve(sku)?.unwrap_or(0);
//!     }
//!     Ok(Some(reserved))
//! }
//!
//! let sink = logging::MemoryWriter::new();
//! let logger = logging::builder().writer(sink.clone()).build();
//! let reserved = tracing::subscriber::with_default(logger, || place_order(&["APPLE", "KIWI"]));
//! assert_eq!(reserved.unwrap(), Some(1));
//!
//! let emf: Vec<serde_json::Value> = sink
//!     .lines()
//!     .iter()
//!     .map(|l| serde_json::from_str(l).unwrap())
//!     .filter(|l: &serde_json::Value| l.get("_aws").is_some())
//!     .collect();
//! assert_eq!(emf[0]["ColdStart"], serde_json::json!([1.0])); // the process's first call
//! assert_eq!(emf[1]["OrdersPlaced"], serde_json::json!([1.0]));
//! assert_eq!(emf[1]["Reservations"], serde_json::json!([1.0, 1.0]));
//! assert_eq!(emf[1]["service"], "orders");
//! ```
//!
//! ## Stacking attributes
//!
//! pypwext attributes compose: the one written on top runs first and returns
//! last, and the topmost one reads and checks the whole stack, so a stack that
//! cannot work is a compile error. pypwext recognizes its attributes by name
//! (`collect_errors` or `pypwext::collect_errors`); do not rename them on import.
//!
//! ```
//! use pypwext::{collect_errors, logged, PwError};
//!
//! #[logged(level = "info")]     // 1st in, last out: logs the collected outcome
//! #[collect_errors(root)]       // 2nd: installs the collector for the body
//! fn batch(items: &[u32]) -> Result<Option<usize>, PwError> {
//!     Ok(Some(items.len()))
//! }
//! # assert_eq!(batch(&[1, 2]).unwrap(), Some(2));
//! ```

#![doc(html_root_url = "https://docs.rs/pypwext/0.1.0")]

#[cfg(feature = "batch")]
pub mod batch;
mod env;
pub mod errors;
#[cfg(feature = "http")]
pub mod http;
#[cfg(any(feature = "service", feature = "batch"))]
mod json;
pub mod lambda;
pub mod logging;
#[cfg(feature = "metrics")]
pub mod metrics;
mod probe;
mod random;
#[cfg(feature = "service")]
pub mod service;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[cfg(feature = "http")]
pub use crate::http::{HttpResponse, HttpSession, LambdaResponse};
/// The HTTP status code type every [`PwError`] carries (from the `http` crate).
pub use ::http::StatusCode;
pub use errors::{
    CollectorFutureExt, CollectorScope, ErrorAction, ErrorCollector, ErrorWithReturn, InfoClassification, LogEntryType,
    PwError, UnknownVariant, current_collector,
};
#[cfg(any(feature = "service", feature = "batch"))]
pub use json::Json;
pub use pypwext_macros::{batch_response, collect_errors, http_method, logged, metrics, service_response};
#[cfg(feature = "service")]
pub use service::PwResponse;

// The README's Rust snippets, compiled as doctests. `cfg(doctest)`: the
// packaged crate has no ../../README.md, and only rustdoc reads this.
#[cfg(all(doctest, feature = "service", feature = "metrics"))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
