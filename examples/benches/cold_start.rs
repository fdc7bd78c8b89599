//! Cold start: from `exec` of the `order-service` binary to its first
//! response posted to a Runtime API emulator on loopback, over 25 runs.
//! Prints the median (goal: 10 ms or less), the fastest and the 90th percentile.
//!
//! Run with `cargo bench -p pypwext-examples --bench cold_start`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use support::{RuntimeApi, start_function};

const RUNS: usize = 25;
const EVENT: &str = include_str!("../tests/fixtures/apigw_http_v2.json");

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut times = runtime.block_on(async {
        let api = RuntimeApi::start().await;
        let mut times = Vec::with_capacity(RUNS);
        for run in 0..RUNS {
            api.push(&format!("cold-{run}"), EVENT);
            let started = Instant::now();
            let mut child = start_function(&api, "WARN", Stdio::null());
            let outcomes = api.outcomes(run + 1, Duration::from_secs(30)).await;
            let elapsed = started.elapsed();
            let _ = child.kill();
            let _ = child.wait();
            assert_eq!(outcomes.len(), run + 1, "run {run} answered");
            assert_eq!(outcomes[run].kind, "response");
            times.push(elapsed);
        }
        times
    });
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("\n== cold start: exec to first response through the Runtime API emulator ({RUNS} runs) ==");
    println!("median: {:.2} ms (goal <= 10 ms)", ms(times[RUNS / 2]));
    println!(
        "fastest: {:.2} ms, 90th percentile: {:.2} ms",
        ms(times[0]),
        ms(times[RUNS * 9 / 10])
    );
}
