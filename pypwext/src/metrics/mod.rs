//! CloudWatch metrics in the embedded metric format (EMF), as Powertools'
//! `Metrics` writes them, per invocation.
//!
//! `#[metrics(...)]` on a function gives each call of it a fresh set of
//! metrics; [`add_metric`], [`add_high_resolution_metric`],
//! [`add_dimension`] and [`add_metadata`], called anywhere below it (in the
//! function, in what it calls and awaits, in the layers below it in the
//! stack), add to that set. When the function returns — `Ok`, `Err` or a
//! panic (which goes on after the lines are written) — the set is written
//! as EMF lines to the logger's writer (stdout when no pypwext logger is the
//! current subscriber), one line per at most 100 metrics and 100 values a
//! metric:
//!
//! ```json
//! {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"shop","Dimensions":[["environment","service"]],"Metrics":[{"Name":"OrdersPlaced","Unit":"Count"}]}]},"environment":"prod","service":"orders","OrdersPlaced":[1.0]}
//! ```
//!
//! ```
//! use pypwext::metrics::MetricUnit;
//! use pypwext::{metrics, PwError}; // the attribute and the module
//!
//! #[metrics(namespace = "shop", service = "orders", default_dimensions(environment = "prod"))]
//! fn place_order(items: u32) -> Result<(), PwError> {
//!     metrics::add_metric("OrdersPlaced", MetricUnit::Count, 1.0)?;
//!     metrics::add_metric("ItemsOrdered", MetricUnit::Count, f64::from(items))?;
//!     metrics::add_metadata("order_id", "o-42")?; // searchable in the logs, not a dimension
//!     Ok(())
//! }
//!
//! let sink = pypwext::logging::MemoryWriter::new();
//! let logger = pypwext::logging::builder().writer(sink.clone()).build();
//! tracing::subscriber::with_default(logger, || place_order(3)).unwrap();
//!
//! let line: serde_json::Value = serde_json::from_str(&sink.lines()[0]).unwrap();
//! assert_eq!(line["_aws"]["CloudWatchMetrics"][0]["Namespace"], "shop");
//! assert_eq!(line["OrdersPlaced"], serde_json::json!([1.0]));
//! assert_eq!(line["ItemsOrdered"], serde_json::json!([3.0]));
//! assert_eq!(line["environment"], "prod");
//! assert_eq!(line["order_id"], "o-42");
//! // The set belonged to that call: outside it there is none.
//! assert!(metrics::add_metric("OrdersPlaced", MetricUnit::Count, 1.0).is_err());
//! ```
//!
//! Arguments of `#[metrics]`: `namespace = "…"` (else
//! `POWERTOOLS_METRICS_NAMESPACE`), `service = "…"` (else
//! `POWERTOOLS_SERVICE_NAME`; the `service` dimension of every metric, left
//! out when neither is set), `capture_cold_start_metric` (a separate
//! `ColdStart` line, with the dimensions `function_name` and `service`, on
//! the process's first invocation only) and `default_dimensions(k = "v", …)`.
//!
//! | variable | effect |
//! |---|---|
//! | `POWERTOOLS_METRICS_NAMESPACE` | the namespace when the attribute names none |
//! | `POWERTOOLS_SERVICE_NAME` | the `service` dimension when the attribute names none |
//! | `POWERTOOLS_METRICS_FUNCTION_NAME` | the `function_name` of `ColdStart` (else the invocation's function, else `AWS_LAMBDA_FUNCTION_NAME`, else the Rust function's name) |
//! | `POWERTOOLS_METRICS_DISABLED` | `true`: nothing is written (metrics are still checked as they are added) |
//! | `POWERTOOLS_DEV` | `true` without `POWERTOOLS_METRICS_DISABLED`: nothing is written, as in Powertools |
//!
//! The variables are read once per process.
//!
//! **Rules.** Every `add_*` that breaks a rule returns a [`PwError`] (500)
//! that names the rule, and adds nothing: metric names of 1 to 255
//! characters without surrounding whitespace; finite values within ±2^360;
//! one unit and one resolution per metric; at most 29 dimensions besides
//! `service`; dimension names (1–255) and values (1–1024) of printable ASCII
//! not starting with `:`; no two metrics, dimensions or metadata keys (nor
//! `_aws`) sharing a key of the line. More than 100 metrics, or more than
//! 100 values of one metric, are not an error: they are split over lines.
//!
//! **Per invocation.** The set lives in a task-local of the annotated call:
//! concurrent invocations never see each other's metrics and nothing is left
//! for the next call. Outside any `#[metrics]` function (or in a task started
//! with `tokio::spawn`, which does not inherit task-locals) every function
//! here returns an error that says to annotate the handler; nothing is ever
//! dropped silently. A `#[metrics]` function called inside another one has
//! its own set, written when it returns.
//!
//! A call that adds no metric writes a WARNING line instead of EMF (as
//! Powertools warns), unless metrics are disabled.

pub(crate) mod layer;
pub(crate) mod rules;
mod set;
mod unit;

use serde::Serialize;

use crate::errors::PwError;

pub use unit::{MetricUnit, UnknownUnit};

/// Adds one value of a standard-resolution (60 s) metric to the current
/// `#[metrics]` call. Values of one name go into one array, in order; a name
/// keeps the unit it was first added with.
pub fn add_metric(name: &str, unit: MetricUnit, value: f64) -> Result<(), PwError> {
    layer::add(name, unit, value, false)
}

/// Adds one value of a high-resolution (1 s) metric: `"StorageResolution":1`.
pub fn add_high_resolution_metric(name: &str, unit: MetricUnit, value: f64) -> Result<(), PwError> {
    layer::add(name, unit, value, true)
}

/// Adds a dimension to every metric of the current `#[metrics]` call, or
/// gives a dimension already there a new value.
pub fn add_dimension(name: &str, value: &str) -> Result<(), PwError> {
    layer::with_current(format_args!("`add_dimension(\"{name}\", …)`"), |_, set| {
        set.add_dimension(name, value)
    })
}

/// Adds a metadata key to the lines of the current `#[metrics]` call:
/// searchable in the logs, not a dimension. A key already there gets the
/// new value.
pub fn add_metadata(key: &str, value: impl Serialize) -> Result<(), PwError> {
    // Serialized before the set is locked: a value's `Serialize` may log.
    let value = serde_json::value::to_raw_value(&value).map_err(|err| {
        rules::metric_error(format!(
            "metadata `{key}` cannot be written as JSON: {err}; give it a value that serializes"
        ))
    })?;
    layer::with_current(format_args!("`add_metadata(\"{key}\", …)`"), |_, set| {
        set.add_metadata(key, value)
    })
}

/// Writes the current `#[metrics]` call's metrics now, and starts it afresh:
/// no metrics, no metadata, the default dimensions. Writes nothing when no
/// metric was added since the last flush.
pub fn flush() -> Result<(), PwError> {
    layer::flush_current()
}
