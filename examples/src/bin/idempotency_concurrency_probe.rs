//! The function `examples/tests/idempotency_concurrency.rs` runs under the
//! real runtime loop with `AWS_LAMBDA_MAX_CONCURRENCY`: an order service
//! whose creation is `#[idempotent]` on the order id, against the DynamoDB
//! table `IDEMPOTENCY_TABLE` (the client from the environment, as in
//! Lambda: `AWS_ENDPOINT_URL` points it at moto). Its body logs
//! `charging <id>` once per run and takes a while, so that repeats arrive
//! while it is in progress.

use std::process::ExitCode;
use std::sync::LazyLock;
use std::time::Duration;

use pypwext::idempotency::Idempotency;
use pypwext::{Json, PwError, PwResponse, StatusCode, idempotent, logging, service_response};
use serde::Deserialize;

static ORDERS: LazyLock<Idempotency> = LazyLock::new(|| {
    Idempotency::dynamodb(std::env::var("IDEMPOTENCY_TABLE").unwrap_or_else(|_| "idempotency".to_owned()))
});

#[derive(Debug, Deserialize)]
struct Order {
    id: String,
    total: f64,
}

#[service_response]
#[idempotent(store = ORDERS, key = order.id, validate = order.total)]
async fn create(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
    tracing::info!("charging {}", order.id);
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(PwResponse::new(StatusCode::CREATED)
        .with_field("order", order.id)
        .with_field("charged", order.total)
        .with_header("x-charge-id", "ch-1"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    logging::builder().service("idempotency-concurrency-probe").init();
    match pypwext::lambda::run(create).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("idempotency-concurrency-probe: {err}");
            ExitCode::FAILURE
        }
    }
}
