//! The order events function: handles an SQS batch of orders with
//! `#[batch_response]` and answers Lambda's partial batch response.
//!
//! How it runs:
//!
//! - under the Lambda runtime when `AWS_LAMBDA_RUNTIME_API` is set (deployed,
//!   or driven by the runtime emulator in the tests);
//! - `PYPWEXT_EVENT=FILE order-events`: once, locally, on the SQS event in
//!   FILE (`PYPWEXT_EVENT=-` reads standard input), printing the partial batch
//!   response;
//! - `order-events --serve`: on `PYPWEXT_LOCAL_ADDR` (default
//!   `127.0.0.1:9000`), each POSTed SQS event answered with the partial batch
//!   response, for `curl`;
//! - `order-events` (the demo): handles a batch of four orders, one malformed
//!   and one refused, and prints the response with its log lines.

#[path = "../order_events.rs"]
mod order_events;

use pypwext::logging::{self, MemoryWriter};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // `pypwext::batch::run` reads AWS_LAMBDA_RUNTIME_API and PYPWEXT_EVENT
    // itself; `--serve` is this program's own flag, that picks the local
    // server over the demo.
    let run = ["AWS_LAMBDA_RUNTIME_API", "PYPWEXT_EVENT"]
        .iter()
        .any(|variable| std::env::var_os(variable).is_some())
        || std::env::args().skip(1).any(|arg| arg == "--serve");
    let outcome = if run {
        logging::builder().service("order-events").init();
        pypwext::batch::run(order_events::on_order).await
    } else {
        let sink = MemoryWriter::new();
        logging::builder().service("order-events").writer(sink.clone()).init();
        order_events::demo(&sink).await
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("order-events: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
