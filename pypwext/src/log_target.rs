//! The `tracing` targets of the lines pypwext writes itself, one for each part
//! that writes them, for filters such as tracing-subscriber's `Targets` or
//! `EnvFilter` (`pypwext::http=warn`). Plain `tracing` events of your own keep
//! your module's path as their target.
//!
//! ```
//! use tracing_subscriber::filter::Targets;
//!
//! // Everything at INFO, but pypwext's HTTP calls only when they go wrong.
//! let filter = Targets::new()
//!     .with_default(tracing::Level::INFO)
//!     .with_target(pypwext::log_target::HTTP, tracing::Level::WARN);
//! # let _ = filter;
//! ```

/// A `Continue` error collected by `#[collect_errors]` (WARNING).
pub const ERRORS: &str = "pypwext::errors";
/// The runner: the local server and the Lambda runtime loop.
pub const LAMBDA: &str = "pypwext::lambda";
/// `#[logged]`: entry, exit and exception lines, and `log_event`.
pub const LOGGED: &str = "pypwext::logged";
/// The log buffer's own notices (lines dropped when it was full).
pub const BUFFER: &str = "pypwext::logging::buffer";
/// `#[service_response]`: failures answered 500, responses that cannot be built.
pub const SERVICE: &str = "pypwext::service";
/// `#[http_method]` and `HttpSession`: calls, retries, failures.
pub const HTTP: &str = "pypwext::http";
/// `#[batch_response]`: the record spans and failed records.
pub const BATCH: &str = "pypwext::batch";
/// `#[metrics]`: the WARNING of a call that added no metric, refused metrics.
pub const METRICS: &str = "pypwext::metrics";
/// `#[traced]`: documents that could not be sent, or were sent without their metadata.
pub const TRACER: &str = "pypwext::tracer";
/// `#[idempotent]`: a key that is null, a record that could not be deleted.
pub const IDEMPOTENCY: &str = "pypwext::idempotency";
/// `pypwext::parameters`: reads tried again, stores that failed.
pub const PARAMETERS: &str = "pypwext::parameters";
