//! `#[metrics]` and `pypwext::metrics`: EMF lines compared with Powertools'
//! own (the golden peer, run from the test command's venv), the environment
//! and the cold start in child processes (`metrics-probe`), the stack and
//! the failure paths in process. Every EMF line is checked against the JSON
//! Schema of the embedded metric format (`tests/schemas/emf.json`).

use std::process::Command;

use lambda_http::{Body, RequestExt as _};
use pypwext::logging::{self, MemoryWriter};
use pypwext::metrics::MetricUnit;
use pypwext::{ErrorAction, PwError, PwResponse, StatusCode, collect_errors, logged, metrics, service_response};
use pypwext_tests::{OrderedObject, check_emf, python};
use serde_json::{Value, json};

/// Every variable the metrics and the logger read, cleared for a child.
const VARS: &[&str] = &[
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_FUNCTION_NAME",
    "POWERTOOLS_METRICS_DISABLED",
    "POWERTOOLS_DEV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "SERVICE_NAME",
    "AWS_LAMBDA_LOG_LEVEL",
    "POWERTOOLS_LOG_LEVEL",
    "LOG_LEVEL",
];

struct Run {
    /// The EMF lines, as written.
    emf: Vec<String>,
    /// The log lines.
    logs: Vec<Value>,
    stderr: String,
    success: bool,
}

fn run(mut command: Command, vars: &[(&str, &str)]) -> Run {
    for var in VARS {
        command.env_remove(var);
    }
    command.envs(vars.iter().copied());
    let output = command.output().expect("the child runs");
    let stdout = String::from_utf8(output.stdout).expect("utf-8 lines");
    let (emf, logs): (Vec<&str>, Vec<&str>) = stdout.lines().partition(|l| l.starts_with("{\"_aws\""));
    Run {
        emf: emf.into_iter().map(str::to_owned).collect(),
        logs: logs
            .iter()
            .map(|l| serde_json::from_str(l).expect("a JSON log line"))
            .collect(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        success: output.status.success(),
    }
}

fn probe(args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_metrics-probe"));
    command.args(args);
    run(command, vars)
}

fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"))
}

/// The metric names of an EMF line, in order.
fn names(line: &Value) -> Vec<String> {
    line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["Name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_schema_check_refuses_what_the_specification_refuses() {
    let good = r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"shop","Dimensions":[["service"]],"Metrics":[{"Name":"A","Unit":"Count"}]}]},"service":"x","A":[1.0]}"#;
    check_emf(&[good.to_owned()]);
    let bad = [
        // No timestamp.
        r#"{"_aws":{"CloudWatchMetrics":[{"Namespace":"shop","Dimensions":[[]],"Metrics":[{"Name":"A"}]}]},"A":1}"#,
        // A unit CloudWatch does not have.
        r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"shop","Dimensions":[[]],"Metrics":[{"Name":"A","Unit":"Furlongs"}]}]},"A":1}"#,
        // A metric without its member, a dimension without its member.
        r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"shop","Dimensions":[["service"]],"Metrics":[{"Name":"A"}]}]}}"#,
        // 101 values.
        &format!(
            r#"{{"_aws":{{"Timestamp":1,"CloudWatchMetrics":[{{"Namespace":"shop","Dimensions":[[]],"Metrics":[{{"Name":"A"}}]}}]}},"A":{:?}}}"#,
            vec![1.0; 101]
        ),
        // A member the specification does not define.
        r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"shop","Dimensions":[[]],"Metrics":[{"Name":"A","Resolution":1}]}]},"A":1}"#,
    ];
    for line in bad {
        let refused = std::panic::catch_unwind(|| check_emf(&[line.to_owned()]));
        assert!(refused.is_err(), "the check let through {line}");
    }
}

/// What the golden comparison leaves out, and why. Everything else of every
/// line must be equal, keys in the same order.
///
/// Where pypwext differs from Powertools on purpose (outside these scenarios,
/// each covered by a test here or in `pypwext::metrics`):
/// - a broken rule is an error when the metric is added, where Powertools
///   warns and drops (an empty dimension), overwrites silently (a second unit
///   for a metric), writes a line CloudWatch refuses (NaN, infinity, a
///   metadata key `_aws`) or raises at the flush (29 dimensions plus
///   `service`); names with surrounding whitespace are refused, not trimmed;
///   dimensions must be printable ASCII, as CloudWatch requires;
/// - 29 dimensions besides `service` are allowed (CloudWatch's 30), where
///   Powertools counts `service` among its 29;
/// - Powertools writes a line as soon as a set reaches 100 metrics or a
///   metric 100 values, with the dimensions and metadata of that moment;
///   pypwext splits when the call ends, so every line has the call's final
///   dimensions and metadata (the same lines when they were added first, as
///   in the golden scenario; a metric with more than 100 values next to
///   others is grouped differently, with nothing lost either way);
/// - an invocation without metrics is a WARNING log line, not a Python
///   warning on stderr, and none when metrics are disabled;
/// - the `ColdStart` line is written when the first invocation fails too
///   (`the_cold_start_is_counted_when_the_first_invocation_fails`).
const IGNORED: &[(&str, &str)] = &[(
    "_aws.Timestamp",
    "the moment each line is written: milliseconds since the epoch in both, checked to be recent",
)];

#[test]
fn powertools_writes_the_same_emf_lines_as_we_do() {
    let mut script = Command::new(python());
    script.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/py/powertools_metrics.py"));
    let theirs = run(script, &[]);
    assert!(theirs.success, "Powertools' run failed: {}", theirs.stderr);
    let ours = probe(&["golden"], &[]);
    assert!(ours.success, "our run failed: {}", ours.stderr);

    check_emf(&theirs.emf);
    check_emf(&ours.emf);
    // ColdStart; rich; warm; 120 metrics in 100 + 20; 150 values in 100 + 50; nothing.
    assert_eq!(theirs.emf.len(), 7, "{:#?}", theirs.emf);
    assert_eq!(ours.emf.len(), theirs.emf.len(), "{:#?}", ours.emf);

    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let mut differences = Vec::new();
    for (i, (our_line, their_line)) in ours.emf.iter().zip(&theirs.emf).enumerate() {
        let mut our = OrderedObject::parse(our_line);
        let mut their = OrderedObject::parse(their_line);
        for line in [&mut our, &mut their] {
            let aws = &mut line.0[0].1;
            let stamp = aws
                .as_object_mut()
                .unwrap()
                .remove("Timestamp")
                .unwrap()
                .as_u64()
                .unwrap();
            assert!(
                now_ms.abs_diff(stamp) < 120_000,
                "line {i}: timestamp {stamp} is not now ({now_ms})"
            );
        }
        if our != their {
            differences.push(format!("line {i}:\n  ours:   {our_line}\n  theirs: {their_line}"));
        }
    }
    assert!(
        differences.is_empty(),
        "our EMF differs from Powertools' beyond {IGNORED:?}:\n{}",
        differences.join("\n")
    );
    assert_eq!(names(&parse(&ours.emf[0])), ["ColdStart"]);

    // Where Powertools warns on stderr about an invocation without metrics, we log a WARNING.
    let warnings: Vec<&Value> = ours.logs.iter().filter(|l| l["level"] == "WARNING").collect();
    assert_eq!(warnings.len(), 1, "{:?}", ours.logs);
    assert!(
        warnings[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("no application metrics to publish from golden")
    );
    assert_eq!(warnings[0]["function_request_id"], "req-4");
}

#[test]
fn the_cold_start_is_counted_when_the_first_invocation_fails() {
    let mut script = Command::new(python());
    script.args([
        concat!(env!("CARGO_MANIFEST_DIR"), "/py/powertools_metrics.py"),
        "failing",
    ]);
    let theirs = run(script, &[]);
    assert!(theirs.success, "Powertools' run failed: {}", theirs.stderr);
    let ours = probe(&["failing"], &[]);
    assert!(ours.success, "our run failed: {}", ours.stderr);
    check_emf(&theirs.emf);
    check_emf(&ours.emf);
    let without_timestamp = |line: &String| {
        let mut line = parse(line);
        line["_aws"].as_object_mut().unwrap().remove("Timestamp");
        line
    };
    let ours: Vec<Value> = ours.emf.iter().map(without_timestamp).collect();
    let theirs: Vec<Value> = theirs.emf.iter().map(without_timestamp).collect();
    // The one listed difference: Powertools adds the cold start only after a
    // handler returned normally, so a process whose first invocation fails
    // counts its cold start on the next one (which was not cold). pypwext
    // counts it on the invocation that was cold, whatever its outcome.
    assert_eq!(names(&ours[0]), ["ColdStart"]);
    assert_eq!(names(&theirs[1]), ["ColdStart"]);
    assert_eq!(ours[0], theirs[1]);
    // The failed invocation's own metrics and the next one's are the same.
    assert_eq!(ours[1], theirs[0]);
    assert_eq!(ours[1]["Attempts"], json!([1.0]));
    assert_eq!(ours[2..], theirs[2..]);
    assert_eq!(ours.len(), 3);
}

#[test]
fn the_environment_names_the_namespace_the_service_and_the_cold_start_function() {
    let vars = [
        ("POWERTOOLS_METRICS_NAMESPACE", "env-shop"),
        ("POWERTOOLS_SERVICE_NAME", "env-orders"),
        ("AWS_LAMBDA_FUNCTION_NAME", "lambda-fn"),
    ];
    let run = probe(&["env"], &vars);
    assert!(run.success, "{}", run.stderr);
    check_emf(&run.emf);
    let lines: Vec<Value> = run.emf.iter().map(|l| parse(l)).collect();
    // ColdStart once for the process, then one line per invocation.
    assert_eq!(lines.len(), 3, "{:#?}", run.emf);
    assert_eq!(names(&lines[0]), ["ColdStart"]);
    assert_eq!(lines[0]["function_name"], "lambda-fn");
    assert_eq!(lines[0]["service"], "env-orders");
    for line in &lines {
        assert_eq!(line["_aws"]["CloudWatchMetrics"][0]["Namespace"], "env-shop");
        assert_eq!(line["service"], "env-orders");
    }
    assert_eq!(lines[1]["Hits"], json!([7.0]));
    assert_eq!(lines[2]["Hits"], json!([7.0]));

    let named = probe(
        &["env"],
        &[
            ("POWERTOOLS_METRICS_NAMESPACE", "env-shop"),
            ("POWERTOOLS_METRICS_FUNCTION_NAME", "pt-fn"),
        ],
    );
    check_emf(&named.emf);
    let cold = parse(&named.emf[0]);
    assert_eq!(cold["function_name"], "pt-fn");
    // Without a service there is no service dimension.
    assert_eq!(
        cold["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        json!([["function_name"]])
    );
}

#[test]
fn service_name_is_the_fallback_for_the_service_as_for_the_logger() {
    let run = probe(
        &["env"],
        &[("POWERTOOLS_METRICS_NAMESPACE", "shop"), ("SERVICE_NAME", "legacy")],
    );
    assert!(run.success, "{}", run.stderr);
    check_emf(&run.emf);
    assert_eq!(run.emf.len(), 3, "{:?}", run.emf);
    for line in &run.emf {
        assert_eq!(parse(line)["service"], "legacy", "{line}");
    }
}

#[test]
fn without_a_namespace_adding_a_metric_is_an_error_that_says_where_to_name_one() {
    let run = probe(&["env"], &[]);
    assert!(!run.success);
    assert!(run.emf.is_empty(), "{:?}", run.emf);
    assert!(
        run.stderr
            .contains("metric `Hits` has no namespace to go to; name one with `#[metrics(namespace = \"…\")]` or POWERTOOLS_METRICS_NAMESPACE"),
        "{}",
        run.stderr
    );
}

#[test]
fn metrics_disabled_or_the_dev_mode_write_nothing_as_in_powertools() {
    let namespace = ("POWERTOOLS_METRICS_NAMESPACE", "shop");
    for vars in [
        vec![namespace, ("POWERTOOLS_METRICS_DISABLED", "true")],
        vec![namespace, ("POWERTOOLS_DEV", "true")],
        // Powertools' booleans: the logger reads the same value the same way.
        vec![namespace, ("POWERTOOLS_DEV", "1")],
        vec![
            namespace,
            ("POWERTOOLS_DEV", "true"),
            ("POWERTOOLS_METRICS_DISABLED", "1"),
        ],
    ] {
        let run = probe(&["env"], &vars);
        assert!(run.success, "{vars:?}: {}", run.stderr);
        assert!(run.emf.is_empty(), "{vars:?}: {:?}", run.emf);
        assert!(run.logs.is_empty(), "{vars:?}: {:?}", run.logs);
    }
    for vars in [
        vec![
            namespace,
            ("POWERTOOLS_DEV", "true"),
            ("POWERTOOLS_METRICS_DISABLED", "false"),
        ],
        vec![namespace, ("POWERTOOLS_METRICS_DISABLED", "false")],
    ] {
        let run = probe(&["env"], &vars);
        assert_eq!(run.emf.len(), 3, "{vars:?}: {:?}", run.emf);
        check_emf(&run.emf);
    }
    let bad = probe(&["env"], &[namespace, ("POWERTOOLS_METRICS_DISABLED", "sometimes")]);
    assert_eq!(bad.emf.len(), 3);
    assert!(
        bad.stderr
            .contains("POWERTOOLS_METRICS_DISABLED=\"sometimes\" is neither true nor false"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_panicking_function_writes_its_metrics_and_the_panic_goes_on() {
    let run = probe(&["panic"], &[]);
    assert!(run.success, "{}", run.stderr);
    check_emf(&run.emf);
    assert_eq!(run.emf.len(), 1);
    assert_eq!(parse(&run.emf[0])["BeforePanic"], json!([1.0]));
}

#[test]
fn a_thousand_concurrent_invocations_on_four_threads_never_share_metrics() {
    let run = probe(&["concurrent", "1000"], &[]);
    assert!(run.success, "{}", run.stderr);
    check_emf(&run.emf);
    assert_eq!(run.emf.len(), 1000);
    let mut seen = vec![false; 1000];
    for line in &run.emf {
        let line = parse(line);
        let i: usize = line["invocation"].as_str().unwrap().parse().unwrap();
        assert!(!std::mem::replace(&mut seen[i], true), "invocation {i} written twice");
        let expected: Vec<f64> = (0..4).map(|step| (i * 10 + step) as f64).collect();
        assert_eq!(line["Work"], json!(expected), "invocation {i}");
        assert_eq!(line["request"], format!("req-{i}"));
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["invocation"]])
        );
    }
    assert!(seen.iter().all(|s| *s));
}

// In process: the stack.

fn request(path: &str) -> lambda_http::Request {
    let mut context = lambda_runtime::Context::default();
    context.request_id = "lambda-req-1".to_owned();
    http::Request::builder()
        .uri(format!("https://api.example.com{path}"))
        .body(Body::Empty)
        .unwrap()
        .with_lambda_context(context)
}

/// Calls `handler` with a logger writing to memory; the answer's status, the
/// EMF lines (checked against the schema) and the log lines.
fn call<F>(handler: impl FnOnce(lambda_http::Request) -> F, path: &str) -> (StatusCode, Vec<Value>, Vec<Value>)
where
    F: std::future::Future<Output = Result<http::Response<Body>, lambda_http::Error>>,
{
    pypwext_tests::install_global_subscriber();
    let sink = MemoryWriter::new();
    let subscriber = logging::builder().service("orders").writer(sink.clone()).build();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let answer = tracing::subscriber::with_default(subscriber, || runtime.block_on(handler(request(path))))
        .expect("the handler answers");
    let (emf, logs): (Vec<String>, Vec<String>) = sink.lines().into_iter().partition(|l| l.starts_with("{\"_aws\""));
    check_emf(&emf);
    (
        answer.status(),
        emf.iter().map(|l| parse(l)).collect(),
        logs.iter().map(|l| parse(l)).collect(),
    )
}

#[collect_errors]
async fn reserve(sku: &str) -> Result<Option<u32>, PwError> {
    metrics::add_metric("Reservations", MetricUnit::Count, 1.0)?;
    if sku == "GONE" {
        return Err(PwError::new(StatusCode::NOT_FOUND, "sold out").with_action(ErrorAction::Continue));
    }
    Ok(Some(1))
}

async fn order_work(path: &str) -> Result<PwResponse, PwError> {
    metrics::add_metric("OrdersPlaced", MetricUnit::Count, 1.0)?;
    reserve("KIWI").await?;
    reserve("GONE").await?;
    match path {
        "/fail" => Err(PwError::new(StatusCode::CONFLICT, "refused")),
        "/panic" => panic!("the order exploded"),
        _ => Ok(PwResponse::new(StatusCode::CREATED)),
    }
}

#[logged]
#[metrics(namespace = "shop", service = "orders")]
#[collect_errors(root)]
#[service_response]
async fn above(request: lambda_http::Request) -> Result<PwResponse, PwError> {
    order_work(request.uri().path()).await
}

#[collect_errors(root)]
#[service_response]
#[metrics(namespace = "shop", service = "orders")]
#[logged]
async fn below(request: lambda_http::Request) -> Result<PwResponse, PwError> {
    order_work(request.uri().path()).await
}

#[test]
fn above_or_below_the_response_every_outcome_writes_the_invocation_s_metrics() {
    for (path, status) in [
        ("/ok", StatusCode::CREATED),
        ("/fail", StatusCode::CONFLICT),
        ("/panic", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        for (name, (answered, emf, logs)) in [("above", call(above, path)), ("below", call(below, path))] {
            assert_eq!(answered, status, "{name} {path}");
            assert_eq!(emf.len(), 1, "{name} {path}: {emf:?}");
            // The metrics of the layers below (`#[collect_errors]` functions) are in.
            assert_eq!(emf[0]["OrdersPlaced"], json!([1.0]), "{name} {path}");
            assert_eq!(emf[0]["Reservations"], json!([1.0, 1.0]), "{name} {path}");
            assert_eq!(emf[0]["service"], "orders");
            let no_metrics = logs
                .iter()
                .filter(|l| {
                    l["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("no application metrics"))
                })
                .count();
            assert_eq!(no_metrics, 0, "{name} {path}: {logs:?}");
        }
    }
}

#[metrics(namespace = "shop")]
fn step(fail: bool) -> Result<u32, PwError> {
    metrics::add_metric("Steps", MetricUnit::Count, 1.0)?;
    if fail {
        Err(PwError::new(StatusCode::BAD_REQUEST, "no"))
    } else {
        Ok(1)
    }
}

#[metrics(namespace = "shop")]
fn quiet() {}

#[test]
fn a_plain_function_writes_on_ok_and_on_err_and_warns_when_it_added_nothing() {
    let ((ok, err), lines) = pypwext_tests::capture(tracing::Level::INFO, || (step(false), step(true)));
    assert_eq!(ok.unwrap(), 1);
    assert_eq!(err.unwrap_err().code(), StatusCode::BAD_REQUEST);
    let emf: Vec<String> = lines
        .iter()
        .filter(|l| l.get("_aws").is_some())
        .map(|l| serde_json::to_string(&l.0.iter().cloned().collect::<serde_json::Map<_, _>>()).unwrap())
        .collect();
    assert_eq!(emf.len(), 2, "{lines:?}");
    check_emf(&emf);
    let ((), lines) = pypwext_tests::capture(tracing::Level::INFO, quiet);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].get("level").unwrap(), "WARNING");
    let location = lines[0].get("location").unwrap().as_str().unwrap();
    assert!(location.starts_with("quiet:"), "{location}");
}
