//! A child process for the metrics tests: the environment and the cold start
//! are process-global, so each scenario runs in a process of its own, with
//! the pypwext logger on stdout (EMF lines and log lines alike).
//!
//! `metrics-probe SCENARIO`:
//! - `golden`: the invocations of `tests/py/powertools_metrics.py`, in the
//!   same order, with the same metrics, dimensions and metadata (keep the two
//!   in step);
//! - `failing`: the same function failing on the first invocation (`Err`),
//!   then succeeding (as `powertools_metrics.py failing`);
//! - `env`: two invocations of a `#[metrics(capture_cold_start_metric)]`
//!   function that names no namespace or service (the environment does);
//! - `panic`: a `#[metrics]` function that adds a metric and panics (caught here);
//! - `concurrent N`: N invocations at once on four worker threads, each adding
//!   its own dimension, metadata and metric value across several awaits.

use pypwext::lambda::Invocation;
use pypwext::metrics::MetricUnit;
use pypwext::{PwError, StatusCode, metrics};

#[metrics(
    namespace = "shop",
    service = "orders",
    capture_cold_start_metric,
    default_dimensions(environment = "prod")
)]
fn golden(case: &str) -> Result<(), PwError> {
    match case {
        "rich" => {
            metrics::add_dimension("region", "eu-west-1")?;
            metrics::add_metadata("order_id", "o-42")?;
            metrics::add_metadata(
                "cart",
                serde_json::json!({"items": 3, "coupon": null, "tags": ["a", "b"]}),
            )?;
            metrics::add_metric("OrdersPlaced", MetricUnit::Count, 1.0)?;
            metrics::add_metric("OrdersPlaced", MetricUnit::Count, 2.0)?;
            metrics::add_metric("ItemsOrdered", MetricUnit::Count, 3.0)?;
            metrics::add_high_resolution_metric("Latency", MetricUnit::Milliseconds, 12.5)?;
            metrics::add_metric("Payload", MetricUnit::KilobytesPerSecond, 0.25)?;
            metrics::add_metric("Ratio", MetricUnit::NoUnit, -3.0)?;
        }
        "warm" => {
            metrics::add_dimension("region", "us-east-1")?;
            metrics::add_metric("ItemsOrdered", MetricUnit::Count, 5.0)?;
        }
        "many_metrics" => {
            metrics::add_metadata("batch", 7)?;
            for i in 0..120u32 {
                metrics::add_metric(&format!("m{i}"), MetricUnit::Count, f64::from(i))?;
            }
        }
        "fail" => {
            metrics::add_metric("Attempts", MetricUnit::Count, 1.0)?;
            return Err(PwError::new(StatusCode::INTERNAL_SERVER_ERROR, "the order failed"));
        }
        "many_values" => {
            for i in 0..150u32 {
                metrics::add_metric("Batch", MetricUnit::Bytes, f64::from(i) * 1.5)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[metrics(capture_cold_start_metric)]
fn from_env(n: u32) -> Result<(), PwError> {
    metrics::add_metric("Hits", MetricUnit::Count, f64::from(n))
}

#[metrics(namespace = "shop")]
fn panics() {
    let _ = metrics::add_metric("BeforePanic", MetricUnit::Count, 1.0);
    panic!("the handler failed");
}

#[metrics(namespace = "shop")]
async fn concurrent(i: u32) -> Result<(), PwError> {
    metrics::add_dimension("invocation", &i.to_string())?;
    for step in 0..4u32 {
        metrics::add_metric("Work", MetricUnit::Count, f64::from(i * 10 + step))?;
        tokio::task::yield_now().await;
    }
    metrics::add_metadata("request", format!("req-{i}"))
}

fn run_concurrent(n: u32) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let tasks: Vec<_> = (0..n)
            .map(|i| tokio::spawn(Invocation::new(format!("req-{i}")).scope(concurrent(i))))
            .collect();
        for task in tasks {
            task.await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

fn invocation(i: usize) -> Invocation {
    Invocation::new(format!("req-{i}")).with_function(
        "orders-fn",
        512,
        "arn:aws:lambda:eu-west-1:123456789012:function:orders-fn",
    )
}

fn main() {
    pypwext::logging::builder().init();
    let scenario = std::env::args().nth(1).unwrap_or_default();
    match scenario.as_str() {
        "golden" => {
            for (i, case) in ["rich", "warm", "many_metrics", "many_values", "none"]
                .into_iter()
                .enumerate()
            {
                if let Err(err) = invocation(i).sync_scope(|| golden(case)) {
                    eprintln!("metrics-probe: {case}: {err}");
                    std::process::exit(1);
                }
            }
        }
        "failing" => {
            let first = invocation(0).sync_scope(|| golden("fail"));
            let second = invocation(1).sync_scope(|| golden("warm"));
            if first.is_ok() || second.is_err() {
                eprintln!("metrics-probe: failing: {first:?} then {second:?}");
                std::process::exit(1);
            }
        }
        "env" => {
            for i in 0..2 {
                if let Err(err) = Invocation::new(format!("req-{i}")).sync_scope(|| from_env(7)) {
                    eprintln!("metrics-probe: env: {err}");
                    std::process::exit(1);
                }
            }
        }
        "panic" => {
            std::panic::set_hook(Box::new(|_| {}));
            let caught = std::panic::catch_unwind(panics);
            if caught.is_ok() {
                eprintln!("metrics-probe: the panic did not go on");
                std::process::exit(1);
            }
        }
        "concurrent" => {
            let n = std::env::args().nth(2).and_then(|n| n.parse().ok()).unwrap_or(100);
            if let Err(err) = run_concurrent(n) {
                eprintln!("metrics-probe: concurrent: {err}");
                std::process::exit(1);
            }
        }
        other => {
            eprintln!("metrics-probe: unknown scenario {other:?}: golden, failing, env, panic or concurrent");
            std::process::exit(2);
        }
    }
}
