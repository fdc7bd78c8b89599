//! Cold start of two Lambda function binaries, side by side: from `exec` to
//! the first response posted to a Runtime API emulator on loopback, runs
//! alternated (a, b, a, b, …). `scripts/build-cost.sh` runs it on its two
//! fixtures; any binary that answers an API Gateway HTTP API (v2) event works:
//!
//! `cargo bench -p pypwext-examples --bench cold_start_pair -- BINARY_A BINARY_B`
//!
//! The last line is `cold start medians (ms): A B RATIO`, for scripts.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{RuntimeApi, lambda_env};

/// Runs of each binary.
const RUNS: usize = 25;
const EVENT: &str = include_str!("../tests/fixtures/apigw_http_v2.json");

fn main() {
    // cargo passes `--bench`; the binaries are the other arguments.
    let binaries: Vec<PathBuf> = std::env::args_os()
        .skip(1)
        .filter(|arg| !arg.to_string_lossy().starts_with("--"))
        .map(PathBuf::from)
        .collect();
    let [a, b] = binaries.as_slice() else {
        eprintln!("cold_start_pair: give two function binaries: cargo bench --bench cold_start_pair -- A B");
        std::process::exit(2);
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (mut times_a, mut times_b) = runtime.block_on(async {
        let mut times_a = Vec::with_capacity(RUNS);
        let mut times_b = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            times_a.push(cold_start(a).await);
            times_b.push(cold_start(b).await);
        }
        (times_a, times_b)
    });
    times_a.sort();
    times_b.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("\n== cold start: exec to first response through the Runtime API emulator ({RUNS} runs each) ==");
    for (binary, times) in [(a, &times_a), (b, &times_b)] {
        println!(
            "{}: median {:.2} ms, fastest {:.2} ms, 90th percentile {:.2} ms",
            binary.display(),
            ms(times[RUNS / 2]),
            ms(times[0]),
            ms(times[RUNS * 9 / 10])
        );
    }
    let (median_a, median_b) = (ms(times_a[RUNS / 2]), ms(times_b[RUNS / 2]));
    println!(
        "cold start medians (ms): {median_a:.3} {median_b:.3} {:.3}",
        median_a / median_b
    );
}

/// Starts `binary` as the Lambda service would, against a fresh emulator
/// holding one event, and times it to its first response.
async fn cold_start(binary: &PathBuf) -> Duration {
    let api = RuntimeApi::start().await;
    api.push("cold-start", EVENT);
    let started = Instant::now();
    let mut child = Command::new(binary)
        .envs(lambda_env(&api))
        .env("AWS_LAMBDA_LOG_LEVEL", "INFO")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|err| panic!("{} does not start: {err}", binary.display()));
    let outcomes = api.outcomes(1, Duration::from_secs(30)).await;
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(outcomes.len(), 1, "{} answered", binary.display());
    assert_eq!(
        outcomes[0].kind,
        "response",
        "{} answered: {:?}",
        binary.display(),
        outcomes[0]
    );
    elapsed
}
