//! `#[batch_response]` end to end through the real runtime: the
//! `batch-sources` and `order-events` binaries, built by cargo, run the real
//! `lambda_runtime` loop against the Runtime API emulator on loopback. The
//! events are the SQS, Kinesis and DynamoDB fixtures that `aws_lambda_events`
//! ships (read from its package, found with `cargo metadata`), as they are and
//! with records changed to fail; what the function posts back is the partial
//! batch response Lambda would read.

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use support::{RuntimeApi, lambda_env};

/// A fixture of the `aws_lambda_events` package in the dependency tree: its
/// version from the workspace's `Cargo.lock`, its sources where cargo unpacked
/// them (`$CARGO_HOME/registry/src/<index>/aws_lambda_events-<version>`).
fn fixture(name: &str) -> Value {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let lock = std::fs::read_to_string(workspace.join("Cargo.lock")).expect("the workspace's Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|package| package.contains("name = \"aws_lambda_events\""))
        .and_then(|package| package.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_owned())
        .expect("aws_lambda_events in Cargo.lock");
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let registry = cargo_home.join("registry").join("src");
    let path = std::fs::read_dir(&registry)
        .unwrap_or_else(|e| panic!("{}: {e}", registry.display()))
        .filter_map(Result::ok)
        .map(|index| {
            index
                .path()
                .join(format!("aws_lambda_events-{version}"))
                .join("src/fixtures")
                .join(name)
        })
        .find(|path| path.exists())
        .unwrap_or_else(|| panic!("{name} of aws_lambda_events {version} under {}", registry.display()));
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .expect("a JSON fixture")
}

struct Run {
    /// (request id, `response` or `error`, body) per invocation.
    outcomes: Vec<(String, String, Value)>,
    log_lines: Vec<Value>,
    /// The most invocations handed out and not yet answered at once.
    max_in_flight: usize,
}

/// Runs `binary` (with `env`) under the emulator for `events`, then stops it.
fn run(binary: &str, env: &[(&str, &str)], events: &[(&str, Value)]) -> Run {
    support::runtime().block_on(async {
        let api = RuntimeApi::start().await;
        for (request_id, event) in events {
            api.push(request_id, &event.to_string());
        }
        let mut child = Command::new(binary)
            .envs(lambda_env(&api))
            .envs(env.iter().copied())
            .env("AWS_LAMBDA_LOG_LEVEL", "INFO")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the function starts");
        let stdout = child.stdout.take().unwrap();
        let reader =
            std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>());
        let outcomes = api.outcomes(events.len(), Duration::from_secs(60)).await;
        let _ = child.kill();
        let _ = child.wait();
        let lines = reader.join().unwrap();
        assert_eq!(
            outcomes.len(),
            events.len(),
            "every invocation answered: {outcomes:?}\n{lines:#?}"
        );
        Run {
            max_in_flight: api.max_in_flight(),
            outcomes: outcomes
                .into_iter()
                .map(|o| {
                    (
                        o.request_id,
                        o.kind,
                        serde_json::from_str(&o.body).unwrap_or(Value::String(o.body)),
                    )
                })
                .collect(),
            log_lines: lines
                .iter()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("a log line that is not JSON: {l}")))
                .collect(),
        }
    })
}

fn listed(ids: &[&str]) -> Value {
    json!({ "batchItemFailures": ids.iter().map(|id| json!({ "itemIdentifier": id })).collect::<Vec<_>>() })
}

fn outcome<'a>(run: &'a Run, request_id: &str) -> (&'a str, &'a Value) {
    let (_, kind, body) = run
        .outcomes
        .iter()
        .find(|(id, ..)| id == request_id)
        .unwrap_or_else(|| panic!("no outcome for {request_id}"));
    (kind, body)
}

#[test]
fn sqs_fixture_and_failing_records_through_the_real_runtime() {
    let fixture = fixture("example-sqs-event.json");
    // Three records from the fixture's one: the second is refused, the third panics.
    let mut failing = fixture.clone();
    let record = fixture["Records"][0].clone();
    let mut records = Vec::new();
    for (id, body) in [
        ("MessageID_1", "a fine body"),
        ("MessageID_2", "please refuse"),
        ("MessageID_3", "panic now"),
    ] {
        let mut r = record.clone();
        r["messageId"] = json!(id);
        r["body"] = json!(body);
        records.push(r);
    }
    failing["Records"] = json!(records);

    let binary = env!("CARGO_BIN_EXE_batch-sources");
    let run = run(
        binary,
        &[("BATCH_SOURCE", "sqs")],
        &[("sqs-1", fixture), ("sqs-2", failing)],
    );
    assert_eq!(outcome(&run, "sqs-1"), ("response", &listed(&[])));
    assert_eq!(
        outcome(&run, "sqs-2"),
        ("response", &listed(&["MessageID_2", "MessageID_3"]))
    );

    // Lines logged while a record runs carry its id and the invocation's keys.
    let processing: Vec<&Value> = run.log_lines.iter().filter(|l| l["message"] == "processing").collect();
    assert_eq!(processing.len(), 4, "{:#?}", run.log_lines);
    for line in &processing {
        assert!(line["record_id"].as_str().unwrap().starts_with("MessageID_"), "{line}");
        assert!(
            ["sqs-1", "sqs-2"].contains(&line["function_request_id"].as_str().unwrap()),
            "{line}"
        );
    }
    let failures: Vec<&Value> = run.log_lines.iter().filter(|l| l["level"] == "ERROR").collect();
    assert_eq!(failures.len(), 2, "{failures:#?}");
    assert_eq!(failures[0]["record_id"], "MessageID_2");
    assert_eq!(failures[0]["exception"], "record MessageID_2 refused");
    assert_eq!(failures[1]["record_id"], "MessageID_3");
    assert_eq!(failures[1]["exception_name"], "panic");
    assert_eq!(failures[1]["exception"], "record MessageID_3 asked for a panic");
}

#[test]
fn kinesis_fixture_stops_at_the_first_failure_through_the_real_runtime() {
    let fixture = fixture("example-kinesis-event.json");
    let first = fixture["Records"][0]["kinesis"]["sequenceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = fixture["Records"][1]["kinesis"]["sequenceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    // The first record refused: it is the one reported, and the second is not processed.
    let mut failing = fixture.clone();
    failing["Records"][0]["kinesis"]["data"] = json!("cmVmdXNlIHRoaXM="); // "refuse this"
    // The second refused: the first was processed.
    let mut second_fails = fixture.clone();
    second_fails["Records"][1]["kinesis"]["data"] = json!("cmVmdXNlIHRoaXM=");

    let binary = env!("CARGO_BIN_EXE_batch-sources");
    let run = run(
        binary,
        &[("BATCH_SOURCE", "kinesis")],
        &[("kin-1", fixture), ("kin-2", second_fails), ("kin-3", failing)],
    );
    assert_eq!(outcome(&run, "kin-1"), ("response", &listed(&[])));
    assert_eq!(outcome(&run, "kin-2"), ("response", &listed(&[&second])));
    // Nothing processed successfully: the invocation fails, and Lambda retries the batch.
    let (kind, body) = outcome(&run, "kin-3");
    assert_eq!(kind, "error", "{body}");
    assert!(body.to_string().contains("every record of the batch failed"), "{body}");
    let processed: Vec<(&str, &str)> = run
        .log_lines
        .iter()
        .filter(|l| l["message"] == "processing")
        .map(|l| {
            (
                l["function_request_id"].as_str().unwrap(),
                l["record_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        processed,
        [
            ("kin-1", first.as_str()),
            ("kin-1", &second),
            ("kin-2", &first),
            ("kin-2", &second),
            ("kin-3", &first)
        ]
    );
}

#[test]
fn dynamodb_fixture_through_the_real_runtime() {
    let fixture = fixture("example-dynamodb-event.json");
    let mut removed = fixture.clone();
    removed["Records"][1]["eventName"] = json!("REMOVE");
    removed["Records"][1]["dynamodb"]["SequenceNumber"] = json!("1405400000000002063282999");

    let binary = env!("CARGO_BIN_EXE_batch-sources");
    let run = run(
        binary,
        &[("BATCH_SOURCE", "dynamodb")],
        &[("ddb-1", fixture), ("ddb-2", removed)],
    );
    assert_eq!(outcome(&run, "ddb-1"), ("response", &listed(&[])));
    assert_eq!(
        outcome(&run, "ddb-2"),
        ("response", &listed(&["1405400000000002063282999"]))
    );
}

#[test]
fn order_events_through_the_real_runtime() {
    let event: Value = serde_json::from_str(include_str!("fixtures/sqs_orders.json")).unwrap();
    let run = run(env!("CARGO_BIN_EXE_order-events"), &[], &[("orders-1", event)]);
    assert_eq!(outcome(&run, "orders-1"), ("response", &listed(&["msg-3", "msg-4"])));
    let malformed = run
        .log_lines
        .iter()
        .find(|l| l["record_id"] == "msg-3" && l["level"] == "ERROR")
        .expect("the malformed order's line");
    assert_eq!(malformed["field"], "items[0].quantity");
    assert_eq!(malformed["function_name"], "order-service");
    assert_eq!(malformed["cold_start"], true);
}

/// `order-events` run locally (no Runtime API), its event named by
/// `PYPWEXT_EVENT`, with only ERROR lines on stdout.
fn order_events_locally(event: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_order-events"));
    command
        .env("PYPWEXT_EVENT", event)
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env("AWS_LAMBDA_LOG_LEVEL", "ERROR");
    command
}

/// `PYPWEXT_EVENT=FILE`: once, locally, with no AWS: the partial batch
/// response on stdout.
#[test]
fn order_events_runs_locally_on_the_event_file_pypwext_event_names() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sqs_orders.json");
    let output = order_events_locally(path).output().expect("order-events runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(local_response(&output.stdout), listed(&["msg-3", "msg-4"]));

    let missing = order_events_locally("/no/such/event.json").output().unwrap();
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("cannot read the event file `/no/such/event.json` that PYPWEXT_EVENT names: "),
        "{stderr}"
    );
}

/// `PYPWEXT_EVENT=-`: the event is read from standard input.
#[test]
fn order_events_reads_the_event_from_standard_input_with_pypwext_event_dash() {
    use std::io::Write as _;
    let mut child = order_events_locally("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("order-events starts");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(include_bytes!("fixtures/sqs_orders.json")).unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(local_response(&output.stdout), listed(&["msg-3", "msg-4"]));
}

/// `pypwext::batch::run` leaves the command line to the program: an argument
/// that looks like the old `--event FILE` is not read.
#[test]
fn batch_run_does_not_read_the_command_line() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sqs_orders.json");
    let output = order_events_locally(path)
        .args(["--event", "/no/such/event.json"])
        .output()
        .expect("order-events runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(local_response(&output.stdout), listed(&["msg-3", "msg-4"]));
}

/// The partial batch response a local run prints after its log lines, pretty.
fn local_response(stdout: &[u8]) -> Value {
    let stdout = String::from_utf8_lossy(stdout);
    let response = &stdout[stdout.find("{\n").expect("a pretty response")..];
    serde_json::from_str(response).unwrap()
}

/// An SQS event of two records, `<request id>-a` (waits, then succeeds) and
/// `<request id>-b` (waits, then is refused on every third invocation).
fn waiting_sqs_event(request_id: &str, n: usize) -> Value {
    let mut event = fixture("example-sqs-event.json");
    let record = event["Records"][0].clone();
    let second = if n.is_multiple_of(3) {
        "wait, then refuse"
    } else {
        "wait"
    };
    let records: Vec<Value> = [("a", "wait"), ("b", second)]
        .iter()
        .map(|(suffix, body)| {
            let mut r = record.clone();
            r["messageId"] = json!(format!("{request_id}-{suffix}"));
            r["body"] = json!(body);
            r
        })
        .collect();
    event["Records"] = json!(records);
    event
}

#[test]
fn batch_invocations_run_concurrently_with_aws_lambda_max_concurrency() {
    const INVOCATIONS: usize = 24;
    let events: Vec<(String, Value)> = (0..INVOCATIONS)
        .map(|n| {
            let id = format!("sqs-{n:02}");
            let event = waiting_sqs_event(&id, n);
            (id, event)
        })
        .collect();
    let events: Vec<(&str, Value)> = events.iter().map(|(id, e)| (id.as_str(), e.clone())).collect();
    let run = run(
        env!("CARGO_BIN_EXE_batch-sources"),
        &[("BATCH_SOURCE", "sqs"), ("AWS_LAMBDA_MAX_CONCURRENCY", "4")],
        &events,
    );
    assert!(
        (2..=4).contains(&run.max_in_flight),
        "up to 4 invocations in flight at once, not one at a time: {}",
        run.max_in_flight
    );
    for (n, (id, _)) in events.iter().enumerate() {
        let refused = format!("{id}-b");
        let expected = if n.is_multiple_of(3) {
            listed(&[&refused])
        } else {
            listed(&[])
        };
        assert_eq!(outcome(&run, id), ("response", &expected), "{id}");
    }
    // Each record's lines carry its own invocation's request id, however the
    // invocations interleave.
    let processing: Vec<&Value> = run.log_lines.iter().filter(|l| l["message"] == "processing").collect();
    assert_eq!(processing.len(), 2 * INVOCATIONS, "{:#?}", run.log_lines);
    for line in processing {
        let record = line["record_id"].as_str().unwrap();
        let request_id = line["function_request_id"].as_str().unwrap();
        assert!(record.starts_with(&format!("{request_id}-")), "{line}");
    }
}

#[test]
fn a_bad_aws_lambda_max_concurrency_stops_the_batch_runner_with_a_message() {
    let output = support::runtime().block_on(async {
        let api = RuntimeApi::start().await;
        let child = Command::new(env!("CARGO_BIN_EXE_batch-sources"))
            .envs(lambda_env(&api))
            .env("BATCH_SOURCE", "sqs")
            .env("AWS_LAMBDA_MAX_CONCURRENCY", "four")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the function starts");
        tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap()
            .unwrap()
    });
    assert!(!output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("AWS_LAMBDA_MAX_CONCURRENCY is `four`, not a whole number of 1 or more"),
        "{stderr}"
    );
}
