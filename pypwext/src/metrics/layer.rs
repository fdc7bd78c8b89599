//! The runtime of `#[metrics]`: a fresh metric set for the annotated
//! function's call, installed as a task-local, and written when the call
//! ends — on `Ok`, on `Err`, on a panic (which goes on after the lines are
//! written) and when the call's future is dropped before it finishes.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::FutureExt as _;
use futures_util::future;

use super::MetricUnit;
use super::rules::metric_error;
use super::set::MetricSet;
use crate::env::{self, Powertools};
use crate::errors::PwError;
use crate::lambda::Invocation;

use crate::log_target::METRICS as TARGET;

/// What `#[metrics(...)]` was asked to do on one function; a `static` in
/// the generated code.
#[derive(Debug)]
pub struct Metrics {
    /// The annotated function's name.
    pub function: &'static str,
    /// The line of the function's name, for the `location` of its log lines.
    pub line: u32,
    /// `namespace = "…"`; else `POWERTOOLS_METRICS_NAMESPACE`.
    pub namespace: Option<&'static str>,
    /// `service = "…"`; else `POWERTOOLS_SERVICE_NAME`, else `SERVICE_NAME`.
    pub service: Option<&'static str>,
    /// Write a `ColdStart` metric on the process's first invocation.
    pub capture_cold_start_metric: bool,
    /// `default_dimensions(k = "v", …)`: on every line of the call.
    pub default_dimensions: &'static [(&'static str, &'static str)],
}

tokio::task_local! {
    static CURRENT: Arc<Scope>;
}

/// One `#[metrics]` call's metrics.
#[derive(Debug)]
pub(crate) struct Scope {
    /// `Err` when the attribute's settings or the environment give no valid
    /// set (a namespace CloudWatch refuses, say): every `add_*` says why.
    set: Mutex<Result<MetricSet, PwError>>,
    /// Whether a metric was added in this call, flushed or not.
    added: AtomicBool,
    /// Set once the lines are written, so that they are written once.
    finished: AtomicBool,
}

impl Scope {
    fn new(opts: &Metrics, env: &Powertools) -> Scope {
        let namespace = opts.namespace.or(env.metrics_namespace.as_deref());
        let service = opts.service.or(env.service.as_deref());
        Scope {
            set: Mutex::new(MetricSet::new(namespace, service, opts.default_dimensions)),
            added: AtomicBool::new(false),
            finished: AtomicBool::new(false),
        }
    }

    fn with_set<R>(&self, f: impl FnOnce(&mut MetricSet) -> Result<R, PwError>) -> Result<R, PwError> {
        let mut guard = self.set.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut *guard {
            Ok(set) => f(set),
            Err(err) => Err(err.clone()),
        }
    }
}

/// Runs `f` on the current call's metric set, or says that there is none.
pub(crate) fn with_current<R>(
    what: std::fmt::Arguments<'_>,
    f: impl FnOnce(&Scope, &mut MetricSet) -> Result<R, PwError>,
) -> Result<R, PwError> {
    match CURRENT.try_with(Arc::clone) {
        Ok(scope) => scope.with_set(|set| f(&scope, set)),
        Err(_) => Err(metric_error(format!(
            "{what} outside a `#[metrics]` function; annotate the handler with `#[metrics(namespace = \"…\")]` (a task spawned with tokio::spawn does not see its metrics)"
        ))),
    }
}

/// Adds one value of a metric to the current call's set.
pub(crate) fn add(name: &str, unit: MetricUnit, value: f64, high_resolution: bool) -> Result<(), PwError> {
    with_current(format_args!("`add_metric(\"{name}\", …)`"), |scope, set| {
        set.add_metric(name, unit, value, high_resolution)?;
        scope.added.store(true, Ordering::Relaxed);
        Ok(())
    })
}

/// Writes the current call's metrics now.
pub(crate) fn flush_current() -> Result<(), PwError> {
    let lines = with_current(format_args!("`flush()`"), |_, set| Ok(set.take_lines(now_ms())))?;
    if !env::process().metrics_disabled() {
        for line in &lines {
            crate::logging::write_raw_line(line);
        }
    }
    Ok(())
}

/// Whether a `ColdStart` metric was written (or can no longer be) in this process.
static COLD_START_TAKEN: AtomicBool = AtomicBool::new(false);

/// Whether this call writes the `ColdStart` metric: the first call that asks
/// for it in the process, unless it runs in an invocation that is not the
/// process's first.
fn takes_cold_start(opts: &Metrics, taken: &AtomicBool) -> bool {
    if !opts.capture_cold_start_metric {
        return false;
    }
    let cold = Invocation::current().is_none_or(|invocation| invocation.cold_start());
    !taken.swap(true, Ordering::Relaxed) && cold
}

/// The `ColdStart` line: one metric, the `function_name` and `service`
/// dimensions only (as Powertools writes it: no default dimensions, no metadata).
fn cold_start_line(opts: &Metrics, env: &Powertools, timestamp_ms: u64) -> Result<Vec<u8>, PwError> {
    let namespace = opts.namespace.or(env.metrics_namespace.as_deref());
    let service = opts.service.or(env.service.as_deref());
    let function_name = env
        .metrics_function_name
        .clone()
        .or_else(|| Invocation::current().and_then(|i| i.function_name().map(str::to_owned)))
        .or_else(|| env.lambda_function_name.clone())
        .unwrap_or_else(|| opts.function.to_owned());
    let mut set = MetricSet::new(namespace, None, &[])?;
    set.add_dimension("function_name", &function_name)?;
    if let Some(service) = service.filter(|s| !s.is_empty()) {
        set.add_dimension(super::rules::SERVICE, service)?;
    }
    set.add_metric("ColdStart", MetricUnit::Count, 1.0, false)?;
    Ok(set.lines(timestamp_ms).into_iter().next().unwrap_or_default())
}

/// Writes what a finished call leaves: the `ColdStart` line when it is this
/// call's to write, then the metrics' lines, or a WARNING when the call
/// added no metric. Once per scope.
fn finish(opts: &Metrics, scope: &Scope) {
    if scope.finished.swap(true, Ordering::Relaxed) {
        return;
    }
    let env = env::process();
    let timestamp = now_ms();
    let cold_start = takes_cold_start(opts, &COLD_START_TAKEN);
    if env.metrics_disabled() {
        return;
    }
    if cold_start {
        match cold_start_line(opts, env, timestamp) {
            Ok(line) => crate::logging::write_raw_line(&line),
            Err(err) => refused_line(opts, &err),
        }
    }
    let lines = scope.with_set(|set| Ok(set.take_lines(timestamp)));
    match lines {
        Ok(lines) => {
            for line in &lines {
                crate::logging::write_raw_line(line);
            }
        }
        Err(err) => refused_line(opts, &err),
    }
    if !scope.added.load(Ordering::Relaxed) {
        tracing::warn!(
            target: TARGET,
            location = %format_args!("{}:{}", opts.function, opts.line),
            "no application metrics to publish from {}: the call added none (the cold-start metric may still be written); add one with pypwext::metrics::add_metric or remove #[metrics]",
            opts.function
        );
    }
}

/// An ERROR line for metrics that could not be written at all (the
/// attribute's settings were refused).
fn refused_line(opts: &Metrics, err: &PwError) {
    tracing::error!(
        target: TARGET,
        location = %format_args!("{}:{}", opts.function, opts.line),
        "the metrics of {} were not written: {}",
        opts.function,
        err.message()
    );
}

/// Milliseconds since the epoch, as EMF's `Timestamp`.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Writes the call's metrics if the call's future is dropped unfinished.
struct FinishOnDrop {
    opts: &'static Metrics,
    scope: Arc<Scope>,
}

impl Drop for FinishOnDrop {
    fn drop(&mut self) {
        finish(self.opts, &self.scope);
    }
}

/// The `#[metrics]` layer around a sync body.
pub fn metrics_sync<R>(opts: &'static Metrics, body: impl FnOnce() -> R) -> R {
    let scope = Arc::new(Scope::new(opts, env::process()));
    let outcome = CURRENT.sync_scope(Arc::clone(&scope), || catch_unwind(AssertUnwindSafe(body)));
    finish(opts, &scope);
    match outcome {
        Ok(value) => value,
        Err(panic) => resume_unwind(panic),
    }
}

/// The `#[metrics]` layer around an async body. The set is made at the
/// first poll, so a future made in one place and awaited in another gets
/// the scope where it runs. (Combinators, not an `async fn`, so that `body`
/// is held once: see `start_handler` in the service layer.)
pub fn metrics_async<F: Future>(opts: &'static Metrics, body: F) -> impl Future<Output = F::Output> {
    future::lazy(move |_| {
        let scope = Arc::new(Scope::new(opts, env::process()));
        let guard = FinishOnDrop {
            opts,
            scope: Arc::clone(&scope),
        };
        CURRENT
            .scope(scope, AssertUnwindSafe(body).catch_unwind())
            .map(move |outcome| {
                drop(guard);
                match outcome {
                    Ok(value) => value,
                    Err(panic) => resume_unwind(panic),
                }
            })
    })
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logging::MemoryWriter;
    use serde_json::Value;

    static SHOP: Metrics = Metrics {
        function: "handler",
        line: 1,
        namespace: Some("shop"),
        service: Some("orders"),
        capture_cold_start_metric: false,
        default_dimensions: &[("environment", "test")],
    };

    /// Runs `f` with a logger writing to memory; the lines it wrote.
    fn logged(f: impl FnOnce()) -> Vec<Value> {
        let sink = MemoryWriter::new();
        let subscriber = crate::logging::builder().service("orders").writer(sink.clone()).build();
        tracing::subscriber::with_default(subscriber, f);
        sink.lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    fn emf(lines: &[Value]) -> Vec<&Value> {
        lines.iter().filter(|l| l.get("_aws").is_some()).collect()
    }

    #[test]
    fn a_sync_call_writes_its_metrics_to_the_logger_s_writer_when_it_returns() {
        let lines = logged(|| {
            let out = metrics_sync(&SHOP, || {
                super::super::add_metric("OrdersPlaced", MetricUnit::Count, 1.0)?;
                super::super::add_dimension("region", "eu")?;
                super::super::add_metadata("order", serde_json::json!({"id": 7}))?;
                Ok::<_, PwError>(5)
            });
            assert_eq!(out.unwrap(), 5);
            // Nothing is left for the next call.
            assert!(super::super::add_metric("Late", MetricUnit::Count, 1.0).is_err());
        });
        let emf = emf(&lines);
        assert_eq!(emf.len(), 1, "{lines:?}");
        assert_eq!(emf[0]["OrdersPlaced"], serde_json::json!([1.0]));
        assert_eq!(emf[0]["order"]["id"], 7);
        assert_eq!(emf[0]["environment"], "test");
        assert_eq!(emf[0]["service"], "orders");
    }

    #[test]
    fn outside_a_scope_adding_says_to_annotate_the_handler() {
        let err = super::super::add_metric("Orders", MetricUnit::Count, 1.0).unwrap_err();
        assert!(
            err.message()
                .contains("`add_metric(\"Orders\", …)` outside a `#[metrics]` function; annotate the handler"),
            "{}",
            err.message()
        );
        assert!(super::super::add_dimension("a", "b").is_err());
        assert!(super::super::add_metadata("a", 1).is_err());
        assert!(super::super::flush().is_err());
    }

    #[test]
    fn a_call_without_metrics_writes_a_warning_instead() {
        let lines = logged(|| metrics_sync(&SHOP, || ()));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0]["level"], "WARNING");
        assert!(
            lines[0]["message"]
                .as_str()
                .unwrap()
                .starts_with("no application metrics to publish from handler")
        );
    }

    #[test]
    fn a_panic_is_flushed_then_goes_on() {
        let mut caught = None;
        let lines = logged(|| {
            caught = Some(catch_unwind(|| {
                metrics_sync(&SHOP, || {
                    super::super::add_metric("Before", MetricUnit::Count, 1.0).unwrap();
                    panic!("boom");
                })
            }));
        });
        assert!(caught.unwrap().is_err(), "the panic goes on");
        assert_eq!(emf(&lines)[0]["Before"], serde_json::json!([1.0]));
    }

    #[tokio::test]
    async fn async_calls_polled_in_turn_keep_their_own_metrics() {
        let sink = MemoryWriter::new();
        let subscriber = crate::logging::builder().writer(sink.clone()).build();
        let _default = tracing::subscriber::set_default(subscriber);
        async fn call(n: u32) -> Result<(), PwError> {
            metrics_async(&SHOP, async move {
                for _ in 0..3 {
                    super::super::add_metric(&format!("m{n}"), MetricUnit::Count, f64::from(n))?;
                    tokio::task::yield_now().await;
                }
                Ok(())
            })
            .await
        }
        let (a, b) = tokio::join!(call(1), call(2));
        a.unwrap();
        b.unwrap();
        let lines: Vec<Value> = sink.lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        for line in &lines {
            let names: Vec<&str> = line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["Name"].as_str().unwrap())
                .collect();
            assert_eq!(names.len(), 1, "{line}");
            assert_eq!(line[names[0]].as_array().unwrap().len(), 3);
        }
    }

    #[tokio::test]
    async fn a_dropped_call_still_writes_what_it_added() {
        let sink = MemoryWriter::new();
        let subscriber = crate::logging::builder().writer(sink.clone()).build();
        let _default = tracing::subscriber::set_default(subscriber);
        let call = metrics_async(&SHOP, async {
            super::super::add_metric("Started", MetricUnit::Count, 1.0).unwrap();
            std::future::pending::<()>().await;
        });
        let timed_out = tokio::time::timeout(std::time::Duration::from_millis(5), call).await;
        assert!(timed_out.is_err());
        assert_eq!(sink.lines().len(), 1);
        assert!(sink.lines()[0].contains("\"Started\":[1.0]"));
    }

    #[test]
    fn the_cold_start_is_taken_once_and_only_by_a_call_that_asks() {
        let taken = AtomicBool::new(false);
        let asks = Metrics {
            capture_cold_start_metric: true,
            ..SHOP
        };
        assert!(!takes_cold_start(&SHOP, &taken));
        assert!(takes_cold_start(&asks, &taken));
        assert!(!takes_cold_start(&asks, &taken));
        let env = Powertools {
            metrics_function_name: Some("orders-fn".to_owned()),
            lambda_function_name: Some("not-this-one".to_owned()),
            ..Powertools::default()
        };
        let line: Value = serde_json::from_slice(&cold_start_line(&asks, &env, 5).unwrap()).unwrap();
        assert_eq!(
            line,
            serde_json::json!({
                "_aws": {"Timestamp": 5, "CloudWatchMetrics": [{"Namespace": "shop",
                    "Dimensions": [["function_name", "service"]],
                    "Metrics": [{"Name": "ColdStart", "Unit": "Count"}]}]},
                "function_name": "orders-fn", "service": "orders", "ColdStart": [1.0]
            })
        );
    }
}
