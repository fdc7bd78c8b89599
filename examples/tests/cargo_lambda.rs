//! End to end against an independent Runtime API emulator: cargo-lambda's.
//! `cargo lambda watch --only-lambda-apis` serves the Runtime API on a free
//! loopback port without building or starting anything; the test starts the
//! example binaries itself, pointed at it, and sends the fixtures with
//! `cargo lambda invoke`, as a developer would at their desk. Our own
//! emulator (`support/mod.rs`) is written from the same documentation as
//! the code under test; this one is not.
//!
//! `./scripts/test.sh` installs cargo-lambda into `target/python-venv`
//! (`pip install --no-deps cargo-lambda`) and names it in
//! `PYPWEXT_CARGO_LAMBDA`.

use std::io::Read as _;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long a `cargo lambda` process or the emulator's start may take.
const PATIENCE: Duration = Duration::from_secs(60);

/// The cargo-lambda binary: `PYPWEXT_CARGO_LAMBDA`, else the test venv's.
fn cargo_lambda() -> PathBuf {
    let path = std::env::var_os("PYPWEXT_CARGO_LAMBDA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/python-venv/bin/cargo-lambda"));
    assert!(
        path.is_file(),
        "cargo-lambda is missing at {}: run ./scripts/test.sh, which installs it into target/python-venv \
         (pip install --no-deps cargo-lambda), or set PYPWEXT_CARGO_LAMBDA to a cargo-lambda binary",
        path.display()
    );
    path
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A child process killed (and reaped) on drop, whatever the test did.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The emulator and the file it logs to, both gone on drop.
struct Emulator {
    process: Killed,
    log: PathBuf,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A port that was free a moment ago on loopback.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind loopback");
    listener.local_addr().expect("local addr").port()
}

/// `cargo lambda watch --only-lambda-apis` on `port`, once it accepts connections.
fn start_emulator(port: u16) -> Emulator {
    let log = std::env::temp_dir().join(format!("pypwext-cargo-lambda-watch-{port}.log"));
    let log_file = std::fs::File::create(&log).expect("a log file for cargo lambda watch");
    let child = Command::new(cargo_lambda())
        .args([
            "lambda",
            "watch",
            "--only-lambda-apis",
            "--invoke-address",
            "127.0.0.1",
            "--invoke-port",
        ])
        .arg(port.to_string())
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().expect("the log file, twice"))
        .stderr(log_file)
        .spawn()
        .expect("cargo lambda watch starts");
    let mut emulator = Emulator {
        process: Killed(child),
        log: log.clone(),
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let started = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if let Ok(Some(status)) = emulator.process.0.try_wait() {
            panic!(
                "cargo lambda watch stopped ({status}) before serving: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        assert!(
            started.elapsed() < PATIENCE,
            "cargo lambda watch did not serve on {addr} within {PATIENCE:?}: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    emulator
}

/// Starts an example binary as cargo-lambda says a function must be started
/// under `--only-lambda-apis`: with the Runtime API's URL and the function's
/// environment.
fn start_function(binary: &str, port: u16) -> Killed {
    let child = Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", format!("http://127.0.0.1:{port}/.rt"))
        .env("AWS_LAMBDA_FUNCTION_NAME", "_")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_LAMBDA_LOG_LEVEL", "WARN")
        .env_remove("AWS_LAMBDA_MAX_CONCURRENCY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|err| panic!("{binary} starts: {err}"));
    Killed(child)
}

/// [`invoke_once`], with the emulator's state and log added to a failure (a
/// refused connection means the emulator went away after it first served).
fn invoke(emulator: &mut Emulator, port: u16, fixture_name: &str) -> Result<Value, String> {
    invoke_once(port, fixture_name).map_err(|err| {
        let state = match emulator.process.0.try_wait() {
            Ok(Some(status)) => format!("stopped: {status}"),
            Ok(None) => "still running".to_owned(),
            Err(err) => format!("unknown: {err}"),
        };
        let log = std::fs::read_to_string(&emulator.log).unwrap_or_default();
        format!("{err}\n-- cargo lambda watch ({state}), its log:\n{log}")
    })
}

/// `cargo lambda invoke --data-file <fixture> --output-format json`: the
/// function's answer, or what cargo-lambda said when it failed.
fn invoke_once(port: u16, fixture_name: &str) -> Result<Value, String> {
    let child = Command::new(cargo_lambda())
        .args(["lambda", "invoke", "--invoke-address", "127.0.0.1", "--invoke-port"])
        .arg(port.to_string())
        .arg("--data-file")
        .arg(fixture(fixture_name))
        .args(["--output-format", "json", "--color", "never"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo lambda invoke starts");
    let mut child = Killed(child);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("cargo lambda invoke runs") {
            break status;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "cargo lambda invoke of {fixture_name} did not finish within {PATIENCE:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    if let Some(mut out) = child.0.stdout.take() {
        out.read_to_string(&mut stdout).expect("invoke's stdout");
    }
    if let Some(mut err) = child.0.stderr.take() {
        err.read_to_string(&mut stderr).expect("invoke's stderr");
    }
    if !status.success() {
        return Err(format!("{status}: {stdout}{stderr}"));
    }
    serde_json::from_str(&stdout).map_err(|err| format!("the answer is not JSON ({err}): {stdout}"))
}

fn body_of(response: &Value) -> Value {
    let text = response["body"]
        .as_str()
        .unwrap_or_else(|| panic!("a text body: {response}"));
    serde_json::from_str(text).unwrap_or_else(|err| panic!("a JSON body ({err}): {text}"))
}

#[test]
fn rest_http_and_alb_events_through_cargo_lambda() {
    let port = free_port();
    let mut emulator = start_emulator(port);
    let _function = start_function(env!("CARGO_BIN_EXE_order-service"), port);

    // REST v1: a partly failing order, answered 201 with every header in
    // multiValueHeaders and the collected error in the body.
    let rest = invoke(&mut emulator, port, "apigw_rest_v1.json").expect("the REST v1 event is answered");
    assert_eq!(rest["statusCode"], 201, "{rest}");
    assert_eq!(rest["isBase64Encoded"], false, "{rest}");
    assert_eq!(
        rest["multiValueHeaders"]["content-type"],
        json!(["application/json"]),
        "{rest}"
    );
    let body = body_of(&rest);
    assert_eq!(body["lines"][0]["sku"], "APPLE", "{body}");
    assert_eq!(body["error"]["msg"], "unknown product KIWI", "{body}");
    assert_eq!(body["error"]["code"], 404, "{body}");
    assert!(body["error"].get("action").is_none(), "no action on the wire: {body}");

    // HTTP API v2: single-valued headers, cookies on their own.
    let http = invoke(&mut emulator, port, "apigw_http_v2.json").expect("the HTTP v2 event is answered");
    assert_eq!(http["statusCode"], 200, "{http}");
    assert_eq!(http["headers"]["content-type"], "application/json", "{http}");
    assert_eq!(http["cookies"], json!([]), "{http}");
    assert_eq!(body_of(&http)["offer_cents"], 808, "{http}");

    // ALB: a base64 body with a field of the wrong type: a 400 naming it, with
    // the ALB's status description.
    let alb = invoke(&mut emulator, port, "alb.json").expect("the ALB event is answered");
    assert_eq!(alb["statusCode"], 400, "{alb}");
    assert_eq!(alb["statusDescription"], "400 Bad Request", "{alb}");
    assert_eq!(body_of(&alb)["error"]["details"]["field"], "items[0].quantity", "{alb}");

    // An event that is no HTTP request at all fails the invocation, and the
    // function goes on to answer the next one.
    let sqs = invoke(&mut emulator, port, "sqs_orders.json").expect_err("an SQS event is no request for order-service");
    assert!(sqs.contains("deserialize"), "cargo-lambda names the failure: {sqs}");
    let again = invoke(&mut emulator, port, "apigw_http_v2.json").expect("the function still answers");
    assert_eq!(again["statusCode"], 200, "{again}");
}

#[test]
fn an_sqs_batch_through_cargo_lambda() {
    let port = free_port();
    let mut emulator = start_emulator(port);
    let _function = start_function(env!("CARGO_BIN_EXE_order-events"), port);

    let answer = invoke(&mut emulator, port, "sqs_orders.json").expect("the SQS batch is answered");
    // order-events (#[batch_response]): msg-3's body does not parse, msg-4 is refused.
    assert_eq!(
        answer,
        json!({ "batchItemFailures": [{ "itemIdentifier": "msg-3" }, { "itemIdentifier": "msg-4" }] }),
    );
}
