//! 50 identical requests at once through the real runtime loop: the
//! `idempotency-concurrency-probe` binary runs `pypwext::lambda::run` with
//! `AWS_LAMBDA_MAX_CONCURRENCY=8` against the Runtime API emulator and a
//! DynamoDB table on moto's server. The body runs exactly once; every other
//! answer is the stored result (the same status, headers and bytes) or 409
//! while it is in progress; all are counted, none lost. Then 10 more, after
//! the first completed: each the stored result, the body not run again.
//!
//! moto runs through `Moto::start_serialized` (tests/py/moto_serialized.py):
//! stock moto evaluates a conditional put without a lock, so two concurrent
//! puts of one key can both succeed there, which DynamoDB never allows; the
//! launcher puts moto's own DynamoDB item operations under one lock.

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use pypwext_tests::dynamodb::{client, create_table};
use pypwext_tests::moto::Moto;
use serde_json::Value;
use support::{RuntimeApi, lambda_env};

const REQUESTS: usize = 50;
const LATER: usize = 10;
const CONCURRENCY: usize = 8;

#[test]
fn fifty_identical_requests_eight_at_a_time_run_the_body_once() {
    let moto = Moto::start_serialized();
    let runtime = support::runtime();
    runtime.block_on(async {
        create_table(&client(moto.endpoint()), "orders-idempotency").await;
        let api = RuntimeApi::start().await;
        for n in 0..REQUESTS {
            let request_id = format!("req-{n:02}");
            api.push(&request_id, &support::http_event("/orders", &request_id, r#"{"id": "o-1", "total": 12.5}"#));
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_idempotency-concurrency-probe"))
            .envs(lambda_env(&api))
            .env("AWS_LAMBDA_MAX_CONCURRENCY", CONCURRENCY.to_string())
            .env("AWS_LAMBDA_LOG_LEVEL", "INFO")
            .env("IDEMPOTENCY_TABLE", "orders-idempotency")
            // The SDK's configuration from the environment, as in Lambda, pointed at moto.
            .env("AWS_ENDPOINT_URL", moto.endpoint())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_PROFILE")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the idempotency-concurrency-probe binary starts");
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });
        let mut outcomes = api.outcomes(REQUESTS, Duration::from_secs(120)).await;
        assert_eq!(outcomes.len(), REQUESTS, "every request answered within 120 s");
        // The first has completed (its 201 is in or its 409s all are): repeats now get the stored result.
        for n in REQUESTS..REQUESTS + LATER {
            let request_id = format!("req-{n:02}");
            api.push(&request_id, &support::http_event("/orders", &request_id, r#"{"id": "o-1", "total": 12.5}"#));
        }
        let all = api.outcomes(REQUESTS + LATER, Duration::from_secs(120)).await;
        let later = all[REQUESTS..].to_vec();
        outcomes.truncate(REQUESTS);
        let _ = child.kill();
        let _ = child.wait();
        let lines = reader.join().unwrap();
        assert_eq!(later.len(), LATER, "every later request answered within 120 s");
        assert_eq!(api.max_in_flight(), CONCURRENCY, "{CONCURRENCY} invocations at once");

        let runs = lines.iter().filter(|line| line.contains("charging o-1")).count();
        assert_eq!(runs, 1, "the body ran exactly once: {lines:#?}");

        let mut stored = Vec::new();
        let mut conflicts = 0;
        for outcome in &outcomes {
            assert_eq!(outcome.kind, "response", "{outcome:?}");
            let response: Value = serde_json::from_str(&outcome.body).unwrap();
            match response["statusCode"].as_u64() {
                Some(201) => stored.push(response),
                Some(409) => {
                    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
                    assert_eq!(
                        body["error"]["msg"],
                        "a request with the same idempotency key is in progress; retry later"
                    );
                    conflicts += 1;
                }
                _ => panic!("neither the stored result nor 409: {response}"),
            }
        }
        eprintln!(
            "{REQUESTS} identical requests, {CONCURRENCY} at a time: body ran {runs} time, {} answered with the stored result, {conflicts} with 409",
            stored.len()
        );
        assert_eq!(stored.len() + conflicts, REQUESTS, "none lost");
        assert!(!stored.is_empty(), "the first request's answer is among them");
        for outcome in &later {
            let response: Value = serde_json::from_str(&outcome.body).unwrap();
            assert_eq!(response["statusCode"], 201, "a later repeat gets the stored result: {response}");
            stored.push(response);
        }
        // Every stored answer is the first one's: status, headers and bytes.
        for response in &stored {
            assert_eq!(response["body"], stored[0]["body"]);
            assert_eq!(response["headers"]["x-charge-id"], "ch-1");
            assert_eq!(response["headers"]["content-type"], "application/json");
        }
        let body: Value = serde_json::from_str(stored[0]["body"].as_str().unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({"order": "o-1", "charged": 12.5}));
    });
}
