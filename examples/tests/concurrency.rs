//! Concurrent invocations through the real runtime loop: the
//! `concurrency-probe` binary runs `pypwext::lambda::run` with
//! `AWS_LAMBDA_MAX_CONCURRENCY=8` against the Runtime API emulator, which
//! hands out 500 invocations and serves the 8 long-polls at once. Every
//! invocation awaits between its steps, so they interleave; each one's log
//! lines, collected errors, appended key and answer must be its own.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{RuntimeApi, lambda_env};

const INVOCATIONS: usize = 500;
const CONCURRENCY: usize = 8;

/// Invocation `n`: its request id, its own name, how many steps it takes
/// (2 to 5, so that a mix-up also shows in the counts).
fn invocation(n: usize) -> (String, String, u32) {
    (format!("req-{n:03}"), format!("inv-{n:03}"), 2 + (n % 4) as u32)
}

fn probe(api: &RuntimeApi, max_concurrency: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_concurrency-probe"));
    command
        .envs(lambda_env(api))
        .env("AWS_LAMBDA_MAX_CONCURRENCY", max_concurrency)
        .env("AWS_LAMBDA_LOG_LEVEL", "INFO");
    command
}

/// The collected errors of an answer's body: one is an object, several a list.
fn errors_of(body: &Value) -> Vec<String> {
    let error = &body["error"];
    let list = match error {
        Value::Array(list) => list.clone(),
        Value::Null => Vec::new(),
        one => vec![one.clone()],
    };
    list.iter()
        .map(|e| e["msg"].as_str().expect("an error has a msg").to_owned())
        .collect()
}

#[test]
fn five_hundred_invocations_eight_at_a_time_each_see_only_their_own() {
    let runtime = support::runtime();
    runtime.block_on(async {
        let api = RuntimeApi::start().await;
        for n in 0..INVOCATIONS {
            let (request_id, id, steps) = invocation(n);
            api.push(
                &request_id,
                &support::http_event(
                    "/work",
                    &request_id,
                    &serde_json::json!({"id": id, "steps": steps}).to_string(),
                ),
            );
        }
        let started = Instant::now();
        let mut child = probe(&api, &CONCURRENCY.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the concurrency-probe binary starts");
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });
        let outcomes = api.outcomes(INVOCATIONS, Duration::from_secs(120)).await;
        let elapsed = started.elapsed();
        // The runtime loop never ends by itself: stop it as Lambda would.
        let _ = child.kill();
        let _ = child.wait();
        let lines = reader.join().unwrap();
        assert_eq!(outcomes.len(), INVOCATIONS, "every invocation answered within 120 s");
        eprintln!(
            "{INVOCATIONS} invocations in {elapsed:?}, at most {} in flight, {} connections, {} log lines",
            api.max_in_flight(),
            api.connections(),
            lines.len()
        );
        assert_eq!(
            api.max_in_flight(),
            CONCURRENCY,
            "the function took {CONCURRENCY} invocations at once, never more"
        );

        // Answers: each its own id, steps and collected errors.
        let mut answered = BTreeMap::new();
        for outcome in &outcomes {
            assert_eq!(outcome.kind, "response", "{outcome:?}");
            let n: usize = outcome.request_id["req-".len()..].parse().unwrap();
            let (_, id, steps) = invocation(n);
            let response: Value = serde_json::from_str(&outcome.body).unwrap();
            assert_eq!(response["statusCode"], 409, "collected 409s set the code: {response}");
            let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
            assert_eq!(body["id"], id.as_str(), "{}: {body}", outcome.request_id);
            let done: Vec<u32> = (0..steps).filter(|s| s % 2 == 0).collect();
            assert_eq!(body["done"], serde_json::json!(done), "{}: {body}", outcome.request_id);
            let failed: Vec<String> = (0..steps)
                .filter(|s| s % 2 == 1)
                .map(|s| format!("step {s} of {id} failed"))
                .collect();
            assert_eq!(
                errors_of(&body),
                failed,
                "{}: its own collected errors only",
                outcome.request_id
            );
            assert!(
                answered.insert(n, ()).is_none(),
                "answered twice: {}",
                outcome.request_id
            );
        }

        // Log lines: every line of an invocation carries its request id and
        // its appended key, and speaks of it alone.
        let lines: Vec<Value> = lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("a log line that is not JSON: {l}")))
            .collect();
        let mut steps_seen: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        let mut done_lines: BTreeMap<String, usize> = BTreeMap::new();
        let mut spans: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let mut cold = std::collections::BTreeSet::new();
        let mut counted: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for (at, line) in lines.iter().enumerate() {
            let text = line.to_string();
            if line.get("_aws").is_some() {
                // An EMF line: the invocation's metadata names it, its Steps are its own.
                let id = line["work_id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("an EMF line without its id: {text}"));
                let steps = match &line["Steps"] {
                    Value::Array(values) => values.iter().filter_map(Value::as_f64).collect(),
                    value => vec![value.as_f64().unwrap_or_else(|| panic!("Steps is a number: {text}"))],
                };
                assert!(counted.insert(id.to_owned(), steps).is_none(), "two EMF lines for {id}");
                continue;
            }
            let Some(request_id) = line["function_request_id"].as_str() else {
                assert!(
                    !text.contains("inv-"),
                    "a line about an invocation without its request id: {text}"
                );
                continue;
            };
            // The runtime's worker and invoke spans add no keys.
            for runtime_key in ["task_id", "requestId", "xrayTraceId"] {
                assert!(line.get(runtime_key).is_none(), "{runtime_key} in {text}");
            }
            let n: usize = request_id["req-".len()..].parse().unwrap();
            let (_, id, _) = invocation(n);
            assert_eq!(line["work_id"], id.as_str(), "the invocation's own key: {text}");
            let mentioned: Vec<&str> = text.match_indices("inv-").map(|(i, _)| &text[i..i + 7]).collect();
            assert!(
                mentioned.iter().all(|m| *m == id),
                "{request_id} speaks of another: {text}"
            );
            if line["cold_start"] == true {
                cold.insert(request_id.to_owned());
            }
            if let Some(step) = line["step"].as_u64() {
                steps_seen.entry(id.clone()).or_default().push(step);
            }
            if line["message"] == format!("done with {id}").as_str() {
                *done_lines.entry(id.clone()).or_default() += 1;
            }
            let span = spans.entry(id).or_insert((at, at));
            span.1 = at;
        }
        for n in 0..INVOCATIONS {
            let (_, id, steps) = invocation(n);
            assert_eq!(
                steps_seen.get(&id).cloned().unwrap_or_default(),
                (0..u64::from(steps)).collect::<Vec<_>>(),
                "{id}: its own step lines, in order"
            );
            assert_eq!(done_lines.get(&id), Some(&1), "{id}: one done line");
            assert_eq!(
                counted.get(&id).map(Vec::as_slice),
                Some(vec![1.0; steps as usize].as_slice()),
                "{id}: one EMF line with its own steps counted"
            );
        }
        assert_eq!(
            cold.len(),
            1,
            "one cold start in the process, however many run at once: {cold:?}"
        );
        // The invocations did interleave: many had lines between another's first and last.
        let mut open = 0usize;
        let mut most_open = 0usize;
        let mut events: Vec<(usize, bool)> = spans.values().flat_map(|&(a, b)| [(a, true), (b + 1, false)]).collect();
        events.sort_by_key(|&(at, starts)| (at, starts));
        for (_, starts) in events {
            if starts {
                open += 1;
                most_open = most_open.max(open);
            } else {
                open -= 1;
            }
        }
        eprintln!("at most {most_open} invocations had lines in flight at once");
        assert!(
            most_open >= 2,
            "the invocations interleaved (at most {most_open} at once)"
        );
        assert!(
            most_open <= CONCURRENCY,
            "never more than {CONCURRENCY} at once: {most_open}"
        );
    });
}

#[test]
fn a_max_concurrency_that_is_not_a_positive_whole_number_is_an_error_that_says_so() {
    let runtime = support::runtime();
    runtime.block_on(async {
        let api = RuntimeApi::start().await;
        for bad in ["eight", "0", "-1"] {
            let mut child = probe(&api, bad)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the concurrency-probe binary starts");
            let deadline = Instant::now() + Duration::from_secs(30);
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break status;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("AWS_LAMBDA_MAX_CONCURRENCY={bad}: the function did not stop within 30 s");
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            };
            let mut stderr = String::new();
            child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
            assert!(!status.success(), "{bad}: {stderr}");
            assert!(
                stderr.contains(&format!(
                    "the environment variable AWS_LAMBDA_MAX_CONCURRENCY is `{bad}`, not a whole number of 1 or more"
                )),
                "{bad}: {stderr}"
            );
        }
        assert_eq!(api.connections(), 0, "no invocation was asked for");
    });
}
