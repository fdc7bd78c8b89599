//! Settings from the environment, sampling and cold starts, each in a child
//! process (`log-probe`) because the environment is process-global.

use std::collections::BTreeMap;
use std::process::Command;

use pypwext_tests::OrderedObject;

struct Run {
    lines: Vec<OrderedObject>,
    stderr: String,
}

/// Runs the probe with exactly `vars` set among the variables the logger reads.
fn probe(builder_level: Option<&str>, invocations: usize, vars: &[(&str, &str)]) -> Run {
    probe_from(builder_level, invocations, "new", vars)
}

/// [`probe`], with the invocations made as `source` says (`new` or `context`).
fn probe_from(builder_level: Option<&str>, invocations: usize, source: &str, vars: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_log-probe"));
    for var in [
        "AWS_LAMBDA_LOG_LEVEL",
        "POWERTOOLS_LOG_LEVEL",
        "LOG_LEVEL",
        "POWERTOOLS_SERVICE_NAME",
        "SERVICE_NAME",
        "POWERTOOLS_LOGGER_SAMPLE_RATE",
        "POWERTOOLS_DEV",
        "_X_AMZN_TRACE_ID",
    ] {
        command.env_remove(var);
    }
    command.envs(vars.iter().copied());
    command
        .arg(builder_level.unwrap_or("-"))
        .arg(invocations.to_string())
        .arg(source);
    let output = command.output().expect("the probe runs");
    assert!(output.status.success(), "probe failed: {output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    Run {
        lines: stdout.lines().map(OrderedObject::parse).collect(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn levels(run: &Run) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for line in &run.lines {
        let level = line.get("level").unwrap().as_str().unwrap().to_owned();
        if !seen.contains(&level) {
            seen.push(level);
        }
    }
    seen
}

#[test]
fn default_level_is_info_and_service_is_undefined() {
    let run = probe(None, 1, &[]);
    assert_eq!(levels(&run), ["INFO", "WARNING", "ERROR"]);
    assert_eq!(run.lines[0].get("service").unwrap(), "service_undefined");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn level_precedence_lambda_then_code_then_powertools_then_log_level() {
    let all = [
        ("AWS_LAMBDA_LOG_LEVEL", "ERROR"),
        ("POWERTOOLS_LOG_LEVEL", "DEBUG"),
        ("LOG_LEVEL", "TRACE"),
    ];
    assert_eq!(levels(&probe(Some("WARN"), 1, &all)), ["ERROR"]);
    assert_eq!(levels(&probe(Some("WARN"), 1, &all[1..])), ["WARNING", "ERROR"]);
    assert_eq!(
        levels(&probe(None, 1, &all[1..])),
        ["DEBUG", "INFO", "WARNING", "ERROR"]
    );
    assert_eq!(
        levels(&probe(None, 1, &all[2..])),
        ["VERBOSE", "DEBUG", "INFO", "WARNING", "ERROR"]
    );
}

#[test]
fn a_bad_level_is_a_line_on_stderr_and_the_next_source_wins() {
    let run = probe(None, 1, &[("AWS_LAMBDA_LOG_LEVEL", "LOUD"), ("LOG_LEVEL", "warning")]);
    assert_eq!(levels(&run), ["WARNING", "ERROR"]);
    assert!(
        run.stderr.contains("AWS_LAMBDA_LOG_LEVEL=\"LOUD\" is not a log level"),
        "{}",
        run.stderr
    );
}

#[test]
fn service_name_from_the_environment() {
    let both = [("POWERTOOLS_SERVICE_NAME", "orders"), ("SERVICE_NAME", "legacy")];
    assert_eq!(probe(None, 1, &both).lines[0].get("service").unwrap(), "orders");
    assert_eq!(probe(None, 1, &both[1..]).lines[0].get("service").unwrap(), "legacy");
}

#[test]
fn powertools_dev_in_any_powertools_spelling_indents_the_lines() {
    for raw in ["true", "1", "YES", "on"] {
        let output = Command::new(env!("CARGO_BIN_EXE_log-probe"))
            .env_remove("AWS_LAMBDA_LOG_LEVEL")
            .env_remove("POWERTOOLS_LOG_LEVEL")
            .env_remove("LOG_LEVEL")
            .env("POWERTOOLS_DEV", raw)
            .args(["-", "1", "new"])
            .output()
            .expect("the probe runs");
        assert!(output.status.success(), "{output:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.starts_with("{\n    \"level\": \"INFO\","), "{raw}: {stdout}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.is_empty(), "{raw}: {stderr}");
    }
    let compact = probe(None, 1, &[("POWERTOOLS_DEV", "0")]);
    assert!(compact.stderr.is_empty(), "{}", compact.stderr);
    let bad = probe(None, 1, &[("POWERTOOLS_DEV", "sometimes")]);
    assert!(
        bad.stderr
            .contains("POWERTOOLS_DEV=\"sometimes\" is neither true nor false"),
        "{}",
        bad.stderr
    );
}

#[test]
fn cold_start_is_true_for_the_first_invocation_only() {
    let run = probe(None, 3, &[]);
    let mut by_request: BTreeMap<String, Vec<bool>> = BTreeMap::new();
    for line in &run.lines {
        by_request
            .entry(line.get("function_request_id").unwrap().as_str().unwrap().to_owned())
            .or_default()
            .push(line.get("cold_start").unwrap().as_bool().unwrap());
    }
    assert_eq!(by_request["req-0"], [true, true, true]);
    assert_eq!(by_request["req-1"], [false, false, false]);
    assert_eq!(by_request["req-2"], [false, false, false]);
}

#[test]
fn sampling_is_decided_once_per_invocation() {
    let invocations = 400;
    let all = probe(None, invocations, &[("POWERTOOLS_LOGGER_SAMPLE_RATE", "1")]);
    let debug_lines = all.lines.iter().filter(|l| l.get("level").unwrap() == "DEBUG").count();
    assert_eq!(debug_lines, 2 * invocations, "rate 1: every invocation logs DEBUG");
    assert!(
        !all.lines.iter().any(|l| l.get("level").unwrap() == "VERBOSE"),
        "sampling is DEBUG, not TRACE"
    );

    let none = probe(None, invocations, &[("POWERTOOLS_LOGGER_SAMPLE_RATE", "0")]);
    assert!(!none.lines.iter().any(|l| l.get("level").unwrap() == "DEBUG"));

    let half = probe(None, invocations, &[("POWERTOOLS_LOGGER_SAMPLE_RATE", "0.5")]);
    let mut debug_per_invocation: BTreeMap<String, usize> = BTreeMap::new();
    for line in half.lines.iter().filter(|l| l.get("level").unwrap() == "DEBUG") {
        *debug_per_invocation
            .entry(line.get("function_request_id").unwrap().as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert!(
        debug_per_invocation.values().all(|n| *n == 2),
        "a sampled invocation logs all its DEBUG lines: {debug_per_invocation:?}"
    );
    let sampled = debug_per_invocation.len();
    // Binomial(400, 0.5) has a standard deviation of 10: 200 ± 60 is six of them.
    assert!(
        (140..=260).contains(&sampled),
        "{sampled} of {invocations} sampled at rate 0.5"
    );

    let bad = probe(None, 1, &[("POWERTOOLS_LOGGER_SAMPLE_RATE", "often")]);
    assert!(
        bad.stderr
            .contains("POWERTOOLS_LOGGER_SAMPLE_RATE=\"often\" is not a sample rate"),
        "{}",
        bad.stderr
    );
}

/// The X-Ray trace id of each invocation's lines, by request id.
fn trace_ids(run: &Run) -> BTreeMap<String, Option<String>> {
    run.lines
        .iter()
        .map(|line| {
            (
                line.get("function_request_id").unwrap().as_str().unwrap().to_owned(),
                line.get("xray_trace_id").map(|id| id.as_str().unwrap().to_owned()),
            )
        })
        .collect()
}

#[test]
fn the_trace_id_comes_from_the_environment_only_for_invocations_made_without_a_context() {
    let vars = [("_X_AMZN_TRACE_ID", "Root=from-env")];
    let made = trace_ids(&probe(None, 2, &vars));
    assert_eq!(made["req-0"].as_deref(), Some("from-env"));
    assert_eq!(made["req-1"].as_deref(), Some("from-env"));

    // The runtime sets the variable from the context it also hands over: a
    // context without a trace id has none, whatever a stale variable says.
    let from_context = trace_ids(&probe_from(None, 2, "context", &vars));
    assert_eq!(from_context["req-0"], None);
    assert_eq!(from_context["req-1"].as_deref(), Some("ctx-1"));
}
