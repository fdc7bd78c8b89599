//! The function the end-to-end bench (`examples/benches/e2e.rs`) runs under
//! the real `lambda_http` loop, in one of two forms doing the same work:
//!
//! - `bench-e2e-function stack`: the pypwext stack (`#[logged]`,
//!   `#[collect_errors(root)]`, `#[service_response]`), run by
//!   `pypwext::lambda::run`;
//! - `bench-e2e-function by-hand`: the same work written by hand on
//!   `lambda_http`, writing the same two INFO lines (request and response)
//!   through the same pypwext logger;
//! - `bench-e2e-function by-hand-fmt`: the same hand-written function, its
//!   lines written by tracing-subscriber's own JSON formatter (what a function
//!   without pypwext would use);
//! - `bench-e2e-function traced`: the pypwext stack with `#[traced]` on top
//!   (compared with `stack` when the bench runs with `PYPWEXT_BENCH_TRACER`);
//! - `bench-e2e-function xray-by-hand`: the stack with the same subsegment
//!   written and sent by hand ([`xray_by_hand`]);
//! - `bench-e2e-function datagram-only`: the stack sending a fixed datagram
//!   of the same size.
//!
//! Both price an order and answer 201 with the customer and the total.

use std::process::ExitCode;

// The same work as the in-process service bench's, from the same file.
#[path = "../../../tests/benches/common/order_work.rs"]
mod order_work;

#[path = "bench_e2e_function/xray_by_hand.rs"]
mod xray_by_hand;

use order_work::{by_hand_logged, with_pypwext, with_pypwext_traced};

// One thread, as the function's one CPU: with tokio's multi-thread runtime
// squeezed onto one CPU, the runtime client's next request often goes out
// before its last connection is back in the pool and opens a new one, which
// measures that race rather than the handler. The bench
// (`cargo bench -p pypwext-examples --bench e2e`) prints the connections a
// run for each form: one when the client keeps its connection.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let form = std::env::args().nth(1);
    if form.as_deref() == Some("by-hand-fmt") {
        tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::INFO)
            .init();
    } else {
        pypwext::logging::builder().service("bench-e2e").init();
    }
    let outcome = match form.as_deref() {
        Some("stack") => pypwext::lambda::run(with_pypwext).await,
        Some("traced") => pypwext::lambda::run(with_pypwext_traced).await,
        Some("xray-by-hand") => pypwext::lambda::run(xray_by_hand::with_pypwext_xray_by_hand).await,
        Some("datagram-only") => pypwext::lambda::run(xray_by_hand::with_pypwext_datagram_only).await,
        Some("by-hand" | "by-hand-fmt") => lambda_http::run(lambda_http::service_fn(by_hand_logged)).await,
        _ => Err(
            "say which function to run: bench-e2e-function stack|traced|xray-by-hand|datagram-only|by-hand|by-hand-fmt"
                .into(),
        ),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench-e2e-function: {err}");
            ExitCode::FAILURE
        }
    }
}
