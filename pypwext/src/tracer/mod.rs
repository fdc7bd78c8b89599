//! X-Ray tracing as Powertools' Tracer does it: each `#[traced]` call is a
//! subsegment sent to the X-Ray daemon over UDP, a child of the traced call
//! it runs in, and the outermost one a child of Lambda's own segment for the
//! invocation.
//!
//! ```
//! use pypwext::{traced, tracer, PwError};
//!
//! #[traced]
//! async fn handler(order_id: String) -> Result<u32, PwError> {
//!     tracer::put_annotation("order_id", order_id.as_str())?; // indexed: searchable in X-Ray
//!     let total = price(&order_id).await?;                    // a nested subsegment "## price"
//!     tracer::put_metadata("total", &total)?;                 // under the service's namespace
//!     Ok(total)
//! }
//!
//! #[traced(capture_response = false)]
//! async fn price(_order_id: &str) -> Result<u32, PwError> {
//!     Ok(42)
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // Outside Lambda (no sampled trace header) nothing is sent and nothing fails.
//! assert_eq!(handler("o-1".into()).await.unwrap(), 42);
//! # });
//! ```
//!
//! **What is sent.** Only inside an invocation whose trace header
//! (`Invocation::xray_trace_id`, from the invocation's own Lambda context,
//! never the process-wide `_X_AMZN_TRACE_ID` when a context gave the
//! invocation) says `Sampled=1`. Each call is one document, sent when the
//! call ends, in the daemon's framing (`{"format":"json","version":1}` and a
//! newline, then the document) to `AWS_XRAY_DAEMON_ADDRESS` (default
//! `127.0.0.1:2000`):
//!
//! ```json
//! {"type":"subsegment","id":"6bd1c7a5c2f54e3d","trace_id":"1-5759e988-bd862e3fe1be46a994272793",
//!  "parent_id":"53995c3f42cd8ad8","name":"## handler","start_time":1700000000.123456,"end_time":1700000000.125,
//!  "annotations":{"ColdStart":true,"Service":"orders","order_id":"o-1"},
//!  "metadata":{"orders":{"total":42,"handler response":42}}}
//! ```
//!
//! - `name` is `## <function>` (or the attribute's `name = "…"`).
//! - The outermost traced call of an invocation carries the annotations
//!   `ColdStart` and `Service` (`POWERTOOLS_SERVICE_NAME`, else
//!   `SERVICE_NAME`, else `service_undefined`: the logger's and metrics'
//!   service); metadata goes under that service's namespace.
//! - A call's value is the metadata `<function> response` (rendered as
//!   `#[logged]` renders it: `LogView`, else `Serialize`, else `Debug`; not
//!   at all for a type with none), its error `<function> error`, unless
//!   `capture_response = false` / `capture_error = false`, or
//!   `POWERTOOLS_TRACER_CAPTURE_RESPONSE` / `_ERROR` say `false` (the
//!   attribute's choice wins over the variable's, as in Powertools).
//! - A failed call (an `Err`, or a panic) is `fault: true`, with the error's
//!   text and type in `cause.exceptions`.
//! - A document over 64 kB is sent without its metadata, with a WARNING line
//!   (target [`log_target::TRACER`](crate::log_target::TRACER)); it is never cut.
//! - Whatever is still open when the outermost call ends (a child future
//!   still pending) is sent then, with `in_progress: true`: nothing is sent
//!   after the response.
//! - `POWERTOOLS_TRACE_DISABLED=true`: nothing is sent.
//!
//! **Nesting** follows the calls: the traced call is a task-local of the
//! call's future, so a `#[traced]` function awaited or joined
//! (`tokio::join!`) inside another is its child, and concurrent invocations
//! in one process (Lambda Managed Instances) never mix. A task started with
//! `tokio::spawn` does not inherit it: a traced call there is the outermost
//! of its own.
//!
//! **Calls join the trace.** With the `http` feature, each `#[http_method]`
//! call and [`HttpSession`](crate::HttpSession) request made inside a
//! recorded call is a `remote` subsegment (method, URL without its query
//! string, status, attempts) and sends `X-Amzn-Trace-Id` with that
//! subsegment as the parent, so the called service joins the trace. In a
//! traced call of an invocation that is not sampled, the request carries
//! the invocation's header with `Sampled=0`, so the called service does not
//! record it either.
//!
//! **OpenTelemetry** (feature `otel`, opt-in). With
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
//! set — the ADOT collector extension listens on `http://localhost:4318` —
//! each document goes out as an OpenTelemetry span over OTLP/HTTP
//! (protobuf) instead of a UDP datagram; without the variable, X-Ray's
//! daemon still gets the documents. Sending both would show every call
//! twice once the collector forwards the spans to X-Ray.
//!
//! - The ids are X-Ray's: the trace id is the root's 32 hex digits
//!   (`1-5759e988-bd862e3f…` is `5759e988bd862e3f…`), a span's id is its
//!   subsegment's, the outermost span's parent is Lambda's segment (a
//!   remote parent). So the `X-Amzn-Trace-Id` header a call sends names
//!   the call's span, and the collector's X-Ray exporter rebuilds the same
//!   trace.
//! - Annotations are attributes listed in `aws.xray.annotations`, each
//!   metadata namespace the attribute `aws.xray.metadata.<namespace>` (its
//!   JSON as text), as the collector's X-Ray exporter reads them; a call is
//!   a `CLIENT` span with `http.request.method`, `url.full`,
//!   `http.response.status_code` and `http.request.resend_count`; a failure
//!   is the `ERROR` status with an `exception` event.
//! - The resource says `service.name` (the service above),
//!   `cloud.provider`, `cloud.platform` and `faas.name`.
//! - The protocol is `http/protobuf` (another `OTEL_EXPORTER_OTLP_PROTOCOL`
//!   is reported on stderr at start); `OTEL_EXPORTER_OTLP_HEADERS` and
//!   `OTEL_EXPORTER_OTLP_TIMEOUT` apply as OpenTelemetry's exporter reads
//!   them.
//! - Spans are exported by the SDK's batch processor, on a thread of its
//!   own; the outermost call's end waits until they are out (at most 5 s;
//!   one retry after 10 ms), so nothing is left to send when Lambda
//!   freezes the process. A collector that cannot be reached costs that
//!   wait and one WARNING line (later failures at DEBUG); the function's
//!   answer is unchanged.

mod annotate;
mod context;
mod document;
mod emitter;
mod header;
#[cfg(feature = "otel")]
mod otlp;
#[cfg(feature = "http")]
pub(crate) mod remote;
pub(crate) mod traced;

pub use annotate::{AnnotationValue, put_annotation, put_metadata};
