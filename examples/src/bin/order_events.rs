//! The order events function: handles an SQS batch of orders with
//! `#[batch_response]` and answers Lambda's partial batch response.
//!
//! How it runs:
//!
//! - under the Lambda runtime when `AWS_LAMBDA_RUNTIME_API` is set (deployed,
//!   or driven by the runtime emulator in the tests);
//! - `order-events --event FILE`: once, locally, on the SQS event in FILE
//!   (`-` reads standard input), printing the partial batch response;
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
    let local_event = std::env::args().any(|a| a == "--event" || a.starts_with("--event=") || a == "--serve");
    let outcome = if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() || local_event {
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
