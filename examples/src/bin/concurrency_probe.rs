//! The function `examples/tests/concurrency.rs` runs under the real runtime
//! loop with `AWS_LAMBDA_MAX_CONCURRENCY`, through `pypwext::lambda::run`.
//! Every invocation appends its own log key, logs a line per step, collects
//! an error on every odd step and answers with its collected errors, and
//! awaits between its steps, so that invocations in flight at once
//! interleave: whatever one of them sees that is not its own shows in its
//! lines, its metrics or its answer. Each step counts a `Steps` metric, and
//! the invocation's EMF line carries its id as metadata. The handler and each
//! step are traced, each step annotated with the invocation's id
//! (`examples/tests/tracer_concurrency.rs` gives each invocation its own
//! sampled trace header).

use std::process::ExitCode;
use std::time::Duration;

use pypwext::metrics::MetricUnit;
use pypwext::{
    ErrorAction, Json, PwError, PwResponse, StatusCode, collect_errors, logging, metrics, service_response, traced,
    tracer,
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Work {
    /// The invocation's own name, in its key, lines, errors and answer.
    id: String,
    steps: u32,
}

/// One step: a line, then an error collected on odd steps, with awaits in
/// between.
#[traced]
#[collect_errors]
async fn step(id: &str, n: u32) -> Result<Option<u32>, PwError> {
    tracer::put_annotation("work_id", id)?;
    tokio::task::yield_now().await;
    tracing::info!(step = n, "step {n} of {id}");
    metrics::add_metric("Steps", MetricUnit::Count, 1.0)?;
    tokio::time::sleep(Duration::from_millis(1)).await;
    if n % 2 == 1 {
        return Err(
            PwError::new(StatusCode::CONFLICT, format!("step {n} of {id} failed")).with_action(ErrorAction::Continue)
        );
    }
    Ok(Some(n))
}

#[traced]
#[metrics(namespace = "probe")]
#[collect_errors(root)]
#[service_response(just_status_code = false)]
async fn work(Json(work): Json<Work>) -> Result<PwResponse, PwError> {
    logging::append_key("work_id", &work.id)?;
    tracer::put_annotation("work_id", &work.id)?;
    metrics::add_metadata("work_id", &work.id)?;
    tokio::task::yield_now().await;
    let mut done = Vec::new();
    for n in 0..work.steps {
        if let Some(n) = step(&work.id, n).await? {
            done.push(n);
        }
    }
    tracing::info!("done with {}", work.id);
    Ok(PwResponse::ok().with_field("id", work.id).with_field("done", done))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    logging::builder().service("concurrency-probe").init();
    match pypwext::lambda::run(work).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("concurrency-probe: {err}");
            ExitCode::FAILURE
        }
    }
}
