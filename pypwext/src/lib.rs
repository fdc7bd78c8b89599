//! # pypwext
//!
//! Attribute macros that make an AWS Lambda function in Rust log, collect
//! errors, call other services and answer API Gateway the way a well-run
//! µservice fleet should, checked by the compiler.
//!
//! | attribute | what it does | cargo feature |
//! |---|---|---|
//! | [`#[collect_errors]`](macro@collect_errors) | collects recoverable errors into the invocation's collector instead of aborting | always there |
//! | [`#[logged]`](macro@logged) | logs entry, exit and failure of a function as Powertools JSON lines | always there |
//! | [`#[service_response]`](macro@service_response) | turns a handler's `PwResponse` / `PwError` into an API Gateway or ALB response | `service` |
//! | [`#[http_method]`](macro@http_method) | turns a signature into a typed HTTP call or Lambda invocation | `http` |
//! | [`#[batch_response]`](macro@batch_response) | turns a function that handles one SQS, Kinesis or DynamoDB record into a partial batch response | `batch` |
//! | [`#[metrics]`](macro@metrics) | writes each call's CloudWatch metrics in the embedded metric format | `metrics` |
//! | [`#[traced]`](macro@traced) | sends each call as an X-Ray subsegment, Powertools Tracer's way; calls join the trace | `tracer` |
//! | [`#[idempotent]`](macro@idempotent) | runs a repeated request or record once, with records a Powertools function can share | `idempotency` |
//!
//! Each attribute's page is its reference: its arguments and their defaults,
//! what it answers, where it stands in a stack, the compile errors it gives,
//! and a full example. Below, one small example of each.
//!
//! ## Collecting errors: `#[collect_errors]`
//!
//! An error whose action is [`ErrorAction::Continue`] goes into the current
//! [`ErrorCollector`], and the function returns `Ok(None)` in its place, so
//! the caller goes on; `#[collect_errors(root)]` installs the collector. See
//! [`collect_errors`](macro@collect_errors).
//!
//! ```
//! use pypwext::{collect_errors, current_collector, ErrorAction, PwError, StatusCode};
//!
//! #[collect_errors]
//! fn price(item: &str) -> Result<Option<u32>, PwError> {
//!     match item {
//!         "apple" => Ok(Some(3)),
//!         other => Err(PwError::new(StatusCode::NOT_FOUND, format!("no price for {other}"))
//!             .with_action(ErrorAction::Continue)),
//!     }
//! }
//!
//! #[collect_errors(root)]
//! fn total(items: &[&str]) -> Result<Option<(u32, usize)>, PwError> {
//!     let mut sum = 0;
//!     for item in items {
//!         sum += price(item)?.unwrap_or(0);
//!     }
//!     Ok(Some((sum, current_collector().map_or(0, |c| c.len()))))
//! }
//!
//! assert_eq!(total(&["apple", "pear", "apple"]).unwrap(), Some((6, 1)));
//! ```
//!
//! ## Logging: `#[logged]`
//!
//! A line when the function is entered (its arguments), when it returns (its
//! value) and when it fails; with the [`logging`] subscriber each is one
//! Powertools JSON line. See [`logged`](macro@logged).
//!
//! ```
//! use pypwext::{logged, logging};
//!
//! #[logged(level = "info")]
//! fn add(a: u32, b: u32) -> u32 {
//!     a + b
//! }
//!
//! let sink = logging::MemoryWriter::new();
//! let logger = logging::builder().service("calculator").writer(sink.clone()).build();
//! tracing::subscriber::with_default(logger, || add(2, 3));
//!
//! let lines: Vec<serde_json::Value> = sink.lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect();
//! assert_eq!(lines[0]["message"], serde_json::json!({"msg": "Entering add", "args": {"a": 2, "b": 3}}));
//! assert_eq!(lines[1]["message"], serde_json::json!({"msg": "Exiting add", "return": 5}));
//! assert_eq!(lines[1]["service"], "calculator");
//! ```
//!
//! ## µservices: `#[service_response]`
//!
//! An `async fn` taking extractors and returning `Result<PwResponse, PwError>`
//! becomes a `lambda_http` handler that answers API Gateway and ALB; see
//! [`service_response`](macro@service_response) and [`service`].
//!
//! ```
//! use pypwext::{service_response, Json, PwError, PwResponse};
//!
//! #[derive(serde::Deserialize)]
//! struct Greeting { name: String }
//!
//! #[service_response]
//! async fn greet(Json(greeting): Json<Greeting>) -> Result<PwResponse, PwError> {
//!     Ok(PwResponse::ok().with_field("hello", greeting.name))
//! }
//!
//! // `greet` now takes a `lambda_http::Request`; `pypwext::lambda::run(greet)` serves it.
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let request = http::Request::builder().body(lambda_http::Body::from(r#"{"name": "Ada"}"#)).unwrap();
//! let response = greet(request).await.unwrap();
//! assert_eq!(response.status(), 200);
//! assert_eq!(&response.body()[..], br#"{"hello":"Ada"}"#);
//! # });
//! ```
//!
//! ## Calls: `#[http_method]`
//!
//! A signature becomes a typed HTTP call (or a Lambda invocation): the URL
//! template is checked against the parameters at compile time, the answer
//! becomes the return type, and a status of 300 or more is a `PwError`; see
//! [`http_method`](macro@http_method) and [`http`]. [`HttpSession`],
//! [`HttpResponse`] and [`LambdaResponse`] are at the crate root. Here a
//! call to a local handler:
//!
//! ```
//! use pypwext::{http_method, service_response, PwError, PwResponse};
//!
//! #[service_response]
//! async fn ping() -> Result<PwResponse, PwError> {
//!     Ok(PwResponse::ok().with_field("pong", true))
//! }
//!
//! #[derive(serde::Deserialize)]
//! struct Pong { pong: bool }
//!
//! #[http_method(url = "http://127.0.0.1:{port}/ping")]
//! async fn call_ping(port: u16) -> Result<Pong, PwError> {}
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let server = pypwext::lambda::LocalServer::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
//! let port = server.local_addr().port();
//! tokio::spawn(server.serve(ping, std::future::pending()));
//! assert!(call_ping(port).await.unwrap().pong);
//! # });
//! ```
//!
//! ## Event sources: `#[batch_response]`
//!
//! An `async fn` that handles **one record** of an SQS queue, a Kinesis
//! stream or a DynamoDB stream becomes a handler that answers Lambda's
//! partial batch response, so only the records that failed come back; see
//! [`batch_response`](macro@batch_response) and [`batch`]. A stream stops at
//! its first failure, the one record reported:
//!
//! ```
//! use pypwext::batch::{KinesisEvent, KinesisEventRecord, LambdaEvent};
//! use pypwext::{batch_response, Json, PwError, StatusCode};
//!
//! #[derive(serde::Deserialize)]
//! struct Reading { celsius: f64 }
//!
//! #[batch_response]
//! async fn on_reading(Json(reading): Json<Reading>, _record: &KinesisEventRecord) -> Result<(), PwError> {
//!     if reading.celsius < -273.15 {
//!         return Err(PwError::new(StatusCode::UNPROCESSABLE_ENTITY, "below absolute zero"));
//!     }
//!     Ok(())
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // Kinesis data is base64: {"celsius":21.5}, {"celsius":-300}, {"celsius":19}.
//! let event: KinesisEvent = serde_json::from_value(serde_json::json!({"Records": [
//!     {"kinesis": {"sequenceNumber": "1", "data": "eyJjZWxzaXVzIjoyMS41fQ==", "approximateArrivalTimestamp": 1.5e9}},
//!     {"kinesis": {"sequenceNumber": "2", "data": "eyJjZWxzaXVzIjotMzAwfQ==", "approximateArrivalTimestamp": 1.5e9}},
//!     {"kinesis": {"sequenceNumber": "3", "data": "eyJjZWxzaXVzIjoxOX0=", "approximateArrivalTimestamp": 1.5e9}},
//! ]})).unwrap();
//! let response = on_reading(LambdaEvent::new(event, Default::default())).await.unwrap();
//! assert_eq!(
//!     serde_json::to_value(&response).unwrap(),
//!     serde_json::json!({"batchItemFailures": [{"itemIdentifier": "2"}]})
//! );
//! # });
//! ```
//!
//! ## Metrics: `#[metrics]`
//!
//! Each call of the function gets its own set of CloudWatch metrics,
//! written in the embedded metric format when the call returns; see
//! [`metrics`](macro@metrics) and [`metrics`](mod@metrics).
//!
//! ```
//! use pypwext::metrics::MetricUnit;
//! use pypwext::{logging, metrics, PwError};
//!
//! #[metrics(namespace = "auth")]
//! fn login(user: &str) -> Result<bool, PwError> {
//!     metrics::add_metric("Logins", MetricUnit::Count, 1.0)?;
//!     Ok(!user.is_empty())
//! }
//!
//! let sink = logging::MemoryWriter::new();
//! let logger = logging::builder().writer(sink.clone()).build();
//! assert!(tracing::subscriber::with_default(logger, || login("ada")).unwrap());
//!
//! let emf: serde_json::Value = serde_json::from_str(&sink.lines()[0]).unwrap();
//! assert_eq!(emf["_aws"]["CloudWatchMetrics"][0]["Namespace"], "auth");
//! assert_eq!(emf["Logins"], serde_json::json!([1.0]));
//! ```
//!
//! ## Tracing: `#[traced]`
//!
//! Each call is an X-Ray subsegment, sent to the X-Ray daemon when the
//! invocation's trace header is sampled (as under Lambda's active tracing),
//! with Powertools Tracer's names, annotations and metadata; outside Lambda
//! nothing is sent and nothing fails. See [`traced`](macro@traced) and
//! [`tracer`].
//!
//! ```
//! use pypwext::{traced, tracer, PwError};
//!
//! #[traced(capture_response = false)]
//! fn reserve(sku: &str, quantity: u32) -> Result<u32, PwError> {
//!     tracer::put_annotation("sku", sku)?; // searchable in X-Ray
//!     Ok(quantity)
//! }
//!
//! assert_eq!(reserve("APPLE", 3).unwrap(), 3);
//! ```
//!
//! ## Stacking attributes
//!
//! pypwext attributes compose: the one written on top runs first and returns
//! last, and the topmost one reads and checks the whole stack, so a stack that
//! cannot work is a compile error. pypwext recognizes its attributes by name
//! (`collect_errors` or `pypwext::collect_errors`). Another attribute macro
//! (`#[tracing::instrument]`, a pypwext attribute imported under another name)
//! goes above the topmost pypwext attribute: below it, it would end up outside
//! the stack, so it is a compile error that says where to write it. Inert
//! attributes (`doc`, `allow`, `inline`, …) may stand anywhere.
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
//!
//! ## Cargo features
//!
//! | feature | what it adds | default |
//! |---|---|---|
//! | `service` | `#[service_response]`, [`PwResponse`], [`Json`], [`service`] (lambda_http) | on |
//! | `local` | the local HTTP runner of `pypwext::lambda::run`, for `curl` without AWS (implies `service`) | on |
//! | `http` | `#[http_method]`, [`HttpSession`], [`http`] (reqwest, rustls, aws-sigv4) | on |
//! | `batch` | `#[batch_response]`, [`batch`] (the event types of `aws_lambda_events`) | on |
//! | `metrics` | `#[metrics]`, [`metrics`](mod@metrics) (no dependency of its own) | on |
//! | `tracer` | `#[traced]`, [`tracer`] (X-Ray over UDP; no dependency of its own) | on |
//! | `idempotency` | `#[idempotent]`, `idempotency` (the in-memory and DynamoDB stores; aws-sdk-dynamodb) | off |
//! | `parameters` | `pypwext::parameters`: SSM, Secrets Manager, AppConfig and DynamoDB values, typed and cached, secrets never shown (the AWS SDK crates of those services) | off |
//!
//! Errors, `#[collect_errors]`, the logger and `#[logged]` are always there.
//! Every attribute is exported whatever the features; one whose feature is
//! off is a compile error on the attribute that names the feature to enable.

#![doc(html_root_url = "https://docs.rs/pypwext/0.1.0")]
// docs.rs: "Available on crate feature … only" on what a feature adds.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "__aws-sdk")]
mod aws_sdk;
#[cfg(feature = "batch")]
#[cfg_attr(docsrs, doc(cfg(feature = "batch")))]
pub mod batch;
mod env;
pub mod errors;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;
#[cfg(feature = "idempotency")]
#[cfg_attr(docsrs, doc(cfg(feature = "idempotency")))]
pub mod idempotency;
#[cfg(any(feature = "service", feature = "batch"))]
mod json;
pub mod lambda;
pub mod log_target;
pub mod logging;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod metrics;
#[cfg(feature = "parameters")]
#[cfg_attr(docsrs, doc(cfg(feature = "parameters")))]
pub mod parameters;
mod probe;
mod random;
#[cfg(feature = "service")]
#[cfg_attr(docsrs, doc(cfg(feature = "service")))]
pub mod service;
#[cfg(test)]
mod test_support;
#[cfg(any(feature = "http", feature = "otel"))]
mod tls;
#[cfg(feature = "tracer")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracer")))]
pub mod tracer;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use crate::http::{HttpResponse, HttpSession, LambdaResponse};
/// The HTTP status code type every [`PwError`] carries (from the `http` crate).
pub use ::http::StatusCode;
pub use errors::{
    CollectorFutureExt, CollectorScope, ErrorAction, ErrorCollector, ErrorWithReturn, InfoClassification, LogEntryType,
    PwError, UnknownVariant, current_collector,
};
#[cfg(any(feature = "service", feature = "batch"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "service", feature = "batch"))))]
pub use json::Json;
// The attributes are exported whatever the features: one whose feature is off
// is a compile error that names the feature, not an unresolved import.
#[cfg_attr(docsrs, doc(cfg(feature = "batch")))]
pub use pypwext_macros::batch_response;
pub use pypwext_macros::collect_errors;
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use pypwext_macros::http_method;
#[cfg_attr(docsrs, doc(cfg(feature = "idempotency")))]
pub use pypwext_macros::idempotent;
pub use pypwext_macros::logged;
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub use pypwext_macros::metrics;
#[cfg_attr(docsrs, doc(cfg(feature = "service")))]
pub use pypwext_macros::service_response;
#[cfg_attr(docsrs, doc(cfg(feature = "tracer")))]
pub use pypwext_macros::traced;
#[cfg(feature = "service")]
#[cfg_attr(docsrs, doc(cfg(feature = "service")))]
pub use service::PwResponse;

// The README's Rust snippets, compiled as doctests. `cfg(doctest)`: the
// packaged crate has no ../../README.md, and only rustdoc reads this.
#[cfg(all(doctest, feature = "service", feature = "metrics"))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
