//! End to end through the real runtime loop: the `bench-e2e-function` binary
//! runs the real `lambda_http` loop in a child process against the Runtime
//! API emulator on loopback (in this process), answering API Gateway HTTP API
//! (v2) events, in two forms doing the same work:
//!
//! - stack: `#[logged(level = "info")] #[collect_errors(root)]
//!   #[service_response]` on a `Json<Order>` handler, run by `pypwext::lambda::run`;
//! - by hand: the same work on `lambda_http`, writing the same two INFO lines
//!   (request, response) through the same pypwext logger.
//!
//! The function logs at INFO to stdout, which goes to /dev/null
//! (`PYPWEXT_BENCH_LOG_LEVEL=WARN` leaves the lines out of both forms). Runs
//! alternate (stack, by hand, stack, …); each run answers a warm-up, then
//! `INVOCATIONS` events are timed from the emulator's side: from the last
//! warm-up response to the last response. The summary gives the median of the
//! per-round ratios (stack / by hand; goal ≤ 1.05×) with the 10th and 90th
//! percentiles, and the median time per invocation of each; then the same for
//! the CPU time the function's process ran in each timed run
//! (`/proc/<pid>/schedstat`), which leaves out the emulator's share.
//!
//! The emulator and the function share one CPU (cross-core wake-ups would
//! swamp the difference): unless the process is already pinned to one CPU,
//! the bench starts itself again under `taskset -c 1` (`PYPWEXT_BENCH_CPU`
//! picks another CPU list, as taskset reads it); the function inherits the pinning.
//!
//! Run with `cargo bench -p pypwext-examples --bench e2e` (about a minute).
//! `PYPWEXT_BENCH_BASELINE=tracing-subscriber` compares the stack with the
//! hand-written function logging through tracing-subscriber's own JSON
//! formatter instead (a function without pypwext).
//!
//! `PYPWEXT_BENCH_TRACER=sampled` (or `unsampled`) compares the stack with
//! `#[traced]` on top against the same stack untraced, every event carrying
//! a trace header that says `Sampled=1` (or `Sampled=0`); the traced form
//! sends its subsegments to a UDP socket of this process, which reads them
//! (goals: sampled <= 1.10x, not sampled <= 1.02x). `PYPWEXT_BENCH_TRACER=otel`
//! is the sampled comparison with the `otel` feature's export instead: the
//! traced form posts its spans over OTLP/HTTP to a loopback stand-in for the
//! collector in this process, which reads each request and answers 200.
//!
//! `PYPWEXT_BENCH_TRACER=by-hand` compares the traced stack with the stack
//! sending the same subsegment written by hand (`serde_json::json!` and one
//! datagram, as a function without pypwext's tracer would): what `#[traced]`
//! costs over the X-Ray protocol itself. `PYPWEXT_BENCH_TRACER=by-hand-floor`
//! compares that hand-written form with the untraced stack: what one
//! subsegment costs whoever sends it. `PYPWEXT_BENCH_TRACER=datagram-floor`
//! compares the stack sending a fixed datagram of the same size with the
//! stack: the send alone. Every sampled run checks that the
//! daemon's socket got one datagram an invocation.
//!
//! With `PYPWEXT_BENCH_CACHEGRIND=<dir>` it times nothing: it runs each form
//! under valgrind's cachegrind (one run of `WARM_UP + 1` invocations, one of
//! `WARM_UP + FOOTPRINT_INVOCATIONS`), writes the reports into `<dir>` and
//! prints, per invocation (the difference of the two runs), the instructions
//! the function ran and its simulated level-1 cache misses: counts that do not
//! move with the machine's load, for judging a change to the per-invocation
//! path before timing it (`scripts/e2e-footprint.sh`).

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{RuntimeApi, lambda_env};

/// Timed invocations per run.
const INVOCATIONS: usize = 5_000;
/// Invocations answered before the timing starts, per run.
const WARM_UP: usize = 500;
/// Runs of each form.
const ROUNDS: usize = 31;
/// Invocations per cachegrind run, after the warm-up.
const FOOTPRINT_INVOCATIONS: usize = 1_000;
/// How long one run may take before the bench gives up.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);
const EVENT: &str = include_str!("../tests/fixtures/apigw_http_v2.json");

#[derive(Clone, Copy)]
enum Form {
    Stack,
    ByHand,
    Traced,
    /// The stack with the traced form's subsegment sent by hand.
    XrayByHand,
    /// The stack sending a fixed datagram of the subsegment's size.
    DatagramOnly,
}

impl Form {
    fn arg(self) -> &'static str {
        match self {
            Form::Stack => "stack",
            Form::Traced => "traced",
            Form::XrayByHand => "xray-by-hand",
            Form::DatagramOnly => "datagram-only",
            // `PYPWEXT_BENCH_BASELINE=tracing-subscriber`: the hand-written
            // function logs with tracing-subscriber's JSON formatter instead.
            Form::ByHand if std::env::var("PYPWEXT_BENCH_BASELINE").as_deref() == Ok("tracing-subscriber") => {
                "by-hand-fmt"
            }
            Form::ByHand => "by-hand",
        }
    }
}

/// The two forms compared, as the summary names them, and the goal (none
/// for a measurement of the protocol's own cost).
struct Comparison {
    forms: (Form, Form),
    names: (&'static str, &'static str),
    goal: Option<f64>,
}

/// What `PYPWEXT_BENCH_TRACER` asks the bench to compare.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TracerMode {
    /// Unset: the stack against the function by hand.
    Off,
    /// `sampled`: the traced stack against the stack, every event sampled.
    Sampled,
    /// `unsampled`: the same, no event sampled.
    Unsampled,
    /// `otel`: `sampled`, the spans exported over OTLP/HTTP.
    Otel,
    /// `by-hand`: the traced stack against the subsegment sent by hand.
    ByHand,
    /// `by-hand-floor`: the subsegment sent by hand against the stack.
    ByHandFloor,
    /// `datagram-floor`: a fixed datagram against the stack.
    DatagramFloor,
}

/// `PYPWEXT_BENCH_TRACER`, read once; a value it does not know stops the
/// bench with the ones it does.
fn tracer_mode() -> TracerMode {
    static MODE: std::sync::OnceLock<TracerMode> = std::sync::OnceLock::new();
    *MODE.get_or_init(|| match std::env::var("PYPWEXT_BENCH_TRACER").as_deref() {
        Err(_) | Ok("") => TracerMode::Off,
        Ok("sampled") => TracerMode::Sampled,
        Ok("unsampled") => TracerMode::Unsampled,
        Ok("otel") => TracerMode::Otel,
        Ok("by-hand") => TracerMode::ByHand,
        Ok("by-hand-floor") => TracerMode::ByHandFloor,
        Ok("datagram-floor") => TracerMode::DatagramFloor,
        Ok(other) => panic!(
            "PYPWEXT_BENCH_TRACER={other:?} is not a comparison; use one of: sampled, unsampled, otel, by-hand, by-hand-floor, datagram-floor"
        ),
    })
}

/// The comparison `PYPWEXT_BENCH_TRACER` asks for.
fn comparison() -> Comparison {
    let compare = |forms, names, goal| Comparison { forms, names, goal };
    match tracer_mode() {
        TracerMode::Off => compare((Form::Stack, Form::ByHand), ("stack", "by hand"), Some(1.05)),
        TracerMode::Sampled => compare((Form::Traced, Form::Stack), ("traced", "stack"), Some(1.10)),
        TracerMode::Unsampled => compare((Form::Traced, Form::Stack), ("traced", "stack"), Some(1.02)),
        TracerMode::Otel => compare((Form::Traced, Form::Stack), ("otel", "stack"), Some(1.10)),
        TracerMode::ByHand => compare((Form::Traced, Form::XrayByHand), ("traced", "by hand"), Some(1.05)),
        TracerMode::ByHandFloor => compare((Form::XrayByHand, Form::Stack), ("by hand", "stack"), None),
        TracerMode::DatagramFloor => compare((Form::DatagramOnly, Form::Stack), ("datagram", "stack"), None),
    }
}

/// Whether the traced form exports over OTLP (`PYPWEXT_BENCH_TRACER=otel`).
fn otel_mode() -> bool {
    tracer_mode() == TracerMode::Otel
}

/// Whether the events carry trace headers, and whether those say sampled:
/// `Some(sampled)` when the bench compares the tracer.
fn sampled_headers() -> Option<bool> {
    match tracer_mode() {
        TracerMode::Off => None,
        TracerMode::Unsampled => Some(false),
        _ => Some(true),
    }
}

/// The trace header of event `id`: its own trace, sampled or not, when the
/// bench compares the tracer.
fn trace_header(id: usize) -> Option<String> {
    let sampled = sampled_headers()?;
    Some(format!(
        "Root=1-6741a000-{id:024x};Parent={:016x};Sampled={}",
        0xb000_0000_0000_0000u64 + id as u64,
        u8::from(sampled)
    ))
}

/// A UDP socket standing in for the X-Ray daemon: a thread reads and drops
/// what it receives, as the daemon would take it off the socket.
fn xray_daemon() -> String {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let address = socket.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut buf = vec![0; 70_000];
        while socket.recv(&mut buf).is_ok() {
            XRAY_DATAGRAMS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    address
}

/// The datagrams the daemon stand-ins have read.
static XRAY_DATAGRAMS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The export requests the collector stand-in has answered.
static OTLP_REQUESTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A loopback stand-in for the OpenTelemetry collector: each connection
/// (the exporter keeps one) in a thread that reads each request, head and
/// `content-length` body, and answers 200 with an empty body. Returns the
/// endpoint.
fn otlp_collector() -> String {
    use std::io::{BufRead as _, Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            std::thread::spawn(move || {
                let mut reader = std::io::BufReader::new(stream);
                loop {
                    let mut length = 0;
                    let mut line = String::new();
                    // The head, line by line, to its blank line.
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let answer =
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
                    if reader.get_mut().write_all(answer).is_err() {
                        return;
                    }
                    OTLP_REQUESTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            });
        }
    });
    endpoint
}

fn main() {
    pin_to_one_cpu();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Some(dir) = std::env::var_os("PYPWEXT_BENCH_CACHEGRIND") {
        runtime.block_on(footprint(std::path::Path::new(&dir)));
        return;
    }
    let Comparison {
        forms: (first, second),
        names: (first_name, second_name),
        goal,
    } = comparison();
    let (stack, by_hand) = runtime.block_on(async {
        let (stack_answer, _) = run(first, 1, None).await;
        let (by_hand_answer, _) = run(second, 1, None).await;
        assert_eq!(
            stack_answer, by_hand_answer,
            "both forms answer the same status and body"
        );
        let mut stack = Vec::with_capacity(ROUNDS);
        let mut by_hand = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            stack.push(run(first, INVOCATIONS, None).await.1);
            by_hand.push(run(second, INVOCATIONS, None).await.1);
        }
        (stack, by_hand)
    });
    let median_connections = |runs: &[Run]| {
        let mut counts: Vec<f64> = runs.iter().map(|run| run.connections as f64).collect();
        counts.sort_by(f64::total_cmp);
        percentile(&counts, 0.5)
    };
    let connections = (median_connections(&stack), median_connections(&by_hand));
    let mut cpu_ratios: Vec<f64> = stack
        .iter()
        .zip(&by_hand)
        .filter_map(|(a, b)| Some(a.function_cpu?.as_secs_f64() / b.function_cpu?.as_secs_f64()))
        .collect();
    cpu_ratios.sort_by(f64::total_cmp);
    let cpu_per_invocation = |runs: &[Run]| {
        let mut micros: Vec<f64> = runs
            .iter()
            .filter_map(|run| Some(run.function_cpu?.as_secs_f64() * 1e6 / INVOCATIONS as f64))
            .collect();
        micros.sort_by(f64::total_cmp);
        micros
    };
    let (stack_cpu, by_hand_cpu) = (cpu_per_invocation(&stack), cpu_per_invocation(&by_hand));
    let stack: Vec<Duration> = stack.iter().map(|run| run.elapsed).collect();
    let by_hand: Vec<Duration> = by_hand.iter().map(|run| run.elapsed).collect();

    let mut ratios: Vec<f64> = stack
        .iter()
        .zip(&by_hand)
        .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let per_invocation = |runs: &[Duration]| {
        let mut micros: Vec<f64> = runs
            .iter()
            .map(|d| d.as_secs_f64() * 1e6 / INVOCATIONS as f64)
            .collect();
        micros.sort_by(f64::total_cmp);
        micros
    };
    let stack_us = per_invocation(&stack);
    let by_hand_us = per_invocation(&by_hand);

    println!(
        "\n== end to end through the real runtime loop: {INVOCATIONS} API Gateway v2 invocations per run, \
         {ROUNDS} rounds, log level {}, lines to /dev/null{} ==",
        log_level(),
        match sampled_headers() {
            Some(true) if otel_mode() => ", every event's trace header Sampled=1, spans over OTLP/HTTP",
            Some(true) => ", every event's trace header Sampled=1",
            Some(false) => ", every event's trace header Sampled=0",
            None => "",
        }
    );
    for (name, micros) in [(first_name, &stack_us), (second_name, &by_hand_us)] {
        println!(
            "{name:>8}: median {:.1} µs per invocation (p10 {:.1}, p90 {:.1})",
            percentile(micros, 0.5),
            percentile(micros, 0.1),
            percentile(micros, 0.9)
        );
    }
    println!(
        "connections to the Runtime API per run (median): {first_name} {:.0}, {second_name} {:.0}",
        connections.0, connections.1
    );
    println!(
        "e2e summary: {first_name} / {second_name} = {:.3}x median per round (p10 {:.3}x, p90 {:.3}x; {}); \
         per invocation {:.1} µs vs {:.1} µs",
        percentile(&ratios, 0.5),
        percentile(&ratios, 0.1),
        percentile(&ratios, 0.9),
        goal.map_or_else(
            || "no goal: the protocol's cost".to_owned(),
            |goal| format!("goal <= {goal:.2}x")
        ),
        percentile(&stack_us, 0.5),
        percentile(&by_hand_us, 0.5)
    );
    if !cpu_ratios.is_empty() {
        println!(
            "function process CPU: {first_name} / {second_name} = {:.3}x median per round (p10 {:.3}x, p90 {:.3}x); \
             per invocation {:.1} µs vs {:.1} µs (the wall time also counts the emulator, which shares the CPU)",
            percentile(&cpu_ratios, 0.5),
            percentile(&cpu_ratios, 0.1),
            percentile(&cpu_ratios, 0.9),
            percentile(&stack_cpu, 0.5),
            percentile(&by_hand_cpu, 0.5)
        );
    }
}

/// Runs each form under cachegrind twice (`1` and `FOOTPRINT_INVOCATIONS`
/// timed invocations after the same warm-up) and prints the difference per
/// invocation: what one more invocation costs, without start-up and warm-up.
async fn footprint(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    // Cachegrind's name of each count, and what the summary calls it.
    const EVENTS: [(&str, &str); 3] = [
        ("Ir", "instructions"),
        ("I1mr", "I1 misses"),
        ("D1mr", "D1 read misses"),
    ];
    let Comparison {
        forms: (first, second),
        names: (first_name, second_name),
        ..
    } = comparison();
    let mut per_form = Vec::new();
    for form in [first, second] {
        let mut totals = Vec::new();
        for invocations in [1, FOOTPRINT_INVOCATIONS] {
            let out = dir.join(format!("{}-{invocations}.cachegrind", form.arg()));
            let _ = std::fs::remove_file(&out);
            run(form, invocations, Some(&out)).await;
            totals.push(cachegrind_totals(&out, EVENTS.map(|(event, _)| event)));
        }
        let per_invocation: Vec<f64> = totals[1]
            .iter()
            .zip(&totals[0])
            .map(|(more, fewer)| (more - fewer) as f64 / (FOOTPRINT_INVOCATIONS - 1) as f64)
            .collect();
        per_form.push(per_invocation);
    }
    println!(
        "\n== per invocation under cachegrind, log level {}, reports in {} ==",
        log_level(),
        dir.display()
    );
    for (i, (_, name)) in EVENTS.iter().enumerate() {
        let (stack, by_hand) = (per_form[0][i], per_form[1][i]);
        println!(
            "{name:>15}: {first_name} {stack:.0}, {second_name} {by_hand:.0}, {:.3}x",
            stack / by_hand
        );
    }
}

/// The totals of `events` in a cachegrind report (its `events:` and
/// `summary:` lines).
fn cachegrind_totals<const N: usize>(path: &std::path::Path, events: [&str; N]) -> Vec<u64> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|err| panic!("no cachegrind report at {}: {err}", path.display()));
    let line = |key: &str| -> Vec<&str> {
        text.lines()
            .find_map(|line| line.strip_prefix(key))
            .unwrap_or_else(|| panic!("{} has no `{key}` line", path.display()))
            .split_whitespace()
            .collect()
    };
    let (names, totals) = (line("events:"), line("summary:"));
    events
        .iter()
        .map(|event| {
            let at = names
                .iter()
                .position(|name| name == event)
                .unwrap_or_else(|| panic!("{} counts no {event}", path.display()));
            totals[at].parse().unwrap()
        })
        .collect()
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Starts the function as `form` against a fresh emulator, lets it answer
/// `WARM_UP` events, then times `invocations` more. Returns the status and
/// body of the last answer, and the time. With `cachegrind`, the function
/// runs under cachegrind, which writes its report there.
async fn run(form: Form, invocations: usize, cachegrind: Option<&std::path::Path>) -> ((u64, String), Run) {
    let api = RuntimeApi::start().await;
    // Every event is queued before the function starts, so no push is timed.
    let total = WARM_UP + invocations;
    for id in 0..total {
        match trace_header(id) {
            Some(header) => api.push_traced(&format!("req-{id}"), EVENT, &header),
            None => api.push(&format!("req-{id}"), EVENT),
        }
    }
    let exports_before = OTLP_REQUESTS.load(std::sync::atomic::Ordering::SeqCst);
    let datagrams_before = XRAY_DATAGRAMS.load(std::sync::atomic::Ordering::SeqCst);
    let mut child = start(&api, form, cachegrind);
    let warm = api.outcomes(WARM_UP, RUN_TIMEOUT).await;
    let started = Instant::now();
    let cpu_before = cpu_ns(child.id());
    let outcomes = api.outcomes(total, RUN_TIMEOUT).await;
    let elapsed = started.elapsed();
    let function_cpu = cpu_ns(child.id())
        .zip(cpu_before)
        .map(|(after, before)| Duration::from_nanos(after.saturating_sub(before)));
    stop(&mut child, cachegrind.is_some());
    assert_eq!(warm.len(), WARM_UP, "{} answered the warm-up", form.arg());
    assert_eq!(outcomes.len(), total, "{} answered every event", form.arg());
    if let Some(failed) = outcomes.iter().find(|o| o.kind != "response") {
        panic!("{} failed an invocation: {failed:?}", form.arg());
    }
    if otel_mode() && matches!(form, Form::Traced) {
        // One span an invocation, exported before its response: one request each.
        let exports = OTLP_REQUESTS.load(std::sync::atomic::Ordering::SeqCst) - exports_before;
        assert_eq!(exports, total, "the traced form exported each invocation's span");
    }
    if sends_datagrams(form) {
        // Each sent before its response; the reader shares the CPU, so it
        // may still be taking the last ones off the socket (bounded wait).
        let deadline = Instant::now() + Duration::from_secs(5);
        let read = || XRAY_DATAGRAMS.load(std::sync::atomic::Ordering::SeqCst) - datagrams_before;
        while read() < total && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(read(), total, "{} sent one subsegment an invocation", form.arg());
    }
    let last: Value = serde_json::from_str(&outcomes[total - 1].body).unwrap();
    let answer = (
        last["statusCode"].as_u64().unwrap(),
        last["body"].as_str().unwrap().to_owned(),
    );
    let connections = api.connections();
    (
        answer,
        Run {
            elapsed,
            connections,
            function_cpu,
        },
    )
}

/// Whether `form` sends one X-Ray datagram an invocation in this bench.
fn sends_datagrams(form: Form) -> bool {
    match form {
        Form::Traced => sampled_headers() == Some(true) && !otel_mode(),
        Form::XrayByHand | Form::DatagramOnly => true,
        Form::Stack | Form::ByHand => false,
    }
}

/// The CPU time process `pid` has run, in ns (`/proc/<pid>/schedstat`).
fn cpu_ns(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/schedstat")).ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// One timed run: how long it took, and how many connections the function's
/// runtime client opened to the emulator (one, when it keeps its connection;
/// more when a request goes out before the last one's connection is back in
/// its pool, which costs a connect of its own: the slower the handler, the
/// more often, by-hand and stack alike).
struct Run {
    elapsed: Duration,
    connections: usize,
    /// The CPU time the function's process ran meanwhile (its own code and
    /// the kernel's work on its behalf), when `/proc` tells.
    function_cpu: Option<Duration>,
}

/// The functions' log level: `PYPWEXT_BENCH_LOG_LEVEL`, INFO by default (WARN
/// leaves both forms' lines out, to see what the lines cost).
fn log_level() -> String {
    std::env::var("PYPWEXT_BENCH_LOG_LEVEL").unwrap_or_else(|_| "INFO".to_owned())
}

/// Starts the function as the Lambda service would, logging to /dev/null;
/// under cachegrind when it is given a report to write.
fn start(api: &RuntimeApi, form: Form, cachegrind: Option<&std::path::Path>) -> Child {
    let function = env!("CARGO_BIN_EXE_bench-e2e-function");
    let mut command = match cachegrind {
        None => Command::new(function),
        Some(out) => {
            let mut valgrind = Command::new("valgrind");
            valgrind
                .args(["--tool=cachegrind", "--cache-sim=yes", "--quiet"])
                .arg(format!("--cachegrind-out-file={}", out.display()))
                .arg(function);
            valgrind
        }
    };
    if sampled_headers().is_some() {
        command.env("AWS_XRAY_DAEMON_ADDRESS", xray_daemon());
    }
    if otel_mode() {
        command.env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp_collector());
    }
    command
        .arg(form.arg())
        .envs(lambda_env(api))
        .env("AWS_LAMBDA_LOG_LEVEL", log_level())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|err| match cachegrind {
            Some(_) => panic!("cannot start valgrind ({err}): install it (Debian: apt-get install valgrind)"),
            None => panic!("cannot start {function}: {err}"),
        })
}

/// Stops the function: at once, or (under cachegrind) with SIGTERM, on which
/// valgrind writes its report before it exits.
fn stop(child: &mut Child, gently: bool) {
    if gently {
        let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    } else {
        let _ = child.kill();
    }
    let _ = child.wait();
}

/// Starts this bench again under `taskset` unless it runs on one CPU already
/// or is that second start.
fn pin_to_one_cpu() {
    const STARTED_UNDER_TASKSET: &str = "PYPWEXT_BENCH_UNDER_TASKSET";
    if std::env::var_os(STARTED_UNDER_TASKSET).is_some()
        || std::thread::available_parallelism().is_ok_and(|n| n.get() == 1)
    {
        return;
    }
    let cpu = std::env::var("PYPWEXT_BENCH_CPU").unwrap_or_else(|_| "1".to_owned());
    let status = Command::new("taskset")
        .arg("-c")
        .arg(&cpu)
        .arg(std::env::current_exe().unwrap())
        .args(std::env::args_os().skip(1))
        .env(STARTED_UNDER_TASKSET, &cpu)
        .status();
    match status {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(err) => eprintln!(
            "e2e: could not start under `taskset -c {cpu}` ({err}); running unpinned, the ratio will be noisier"
        ),
    }
}
