//! 10 000 generated request bodies (seeded): truncated, wrong types, huge
//! numbers, deep nesting, invalid UTF-8 in binary bodies, random bytes, and
//! valid orders. Through the real runtime loop, every answer must be a
//! designed status with a JSON body: no panic, no failed invocation.

mod support;

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use support::{RuntimeApi, start_function};

const BODIES: usize = 10_000;
const SEED: u64 = 0x5eed_0fb0_d1e5;

/// xorshift64*: small, seeded, good enough to vary inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn valid_order(rng: &mut Rng) -> Value {
    let skus = ["APPLE", "PEAR", "MELON", "KIWI", "", "APPLE\u{0}", "ÄPPLE", "\"};DROP"];
    let items: Vec<Value> = (0..rng.below(5))
        .map(|_| json!({"sku": rng.pick(&skus), "quantity": rng.below(20_000)}))
        .collect();
    let customers = ["ada", "bob", "mallory", "", "   ", "e\u{301}ve"];
    json!({"customer": rng.pick(&customers), "email": "x@example.com", "items": items})
}

/// One body and whether it goes base64-encoded.
fn body(rng: &mut Rng) -> (Vec<u8>, bool) {
    let order = valid_order(rng).to_string();
    match rng.below(8) {
        0 => (order.into_bytes(), false),
        // Truncated anywhere.
        1 => {
            let cut = rng.below(order.len() as u64) as usize;
            (order.as_bytes()[..cut].to_vec(), false)
        }
        // Wrong types in every field.
        2 => {
            let wrong = [r#""12""#, "-1", "1.5", "null", "[]", "{}", "true", r#""two""#];
            let text = format!(
                r#"{{"customer":{},"email":{},"items":[{{"sku":{},"quantity":{}}}]}}"#,
                rng.pick(&wrong),
                rng.pick(&wrong),
                rng.pick(&wrong),
                rng.pick(&wrong)
            );
            (text.into_bytes(), false)
        }
        // Huge numbers.
        3 => {
            let huge = [
                "1e400",
                "18446744073709551616",
                "-9223372036854775809",
                "4294967296",
                "1e-400",
            ];
            let text = format!(
                r#"{{"customer":"ada","email":"a@b","items":[{{"sku":"APPLE","quantity":{}}}]}}"#,
                rng.pick(&huge)
            );
            (text.into_bytes(), false)
        }
        // Deep nesting, well past serde_json's recursion limit.
        4 => {
            let depth = 100 + rng.below(20_000) as usize;
            let text = format!(
                r#"{{"customer":"ada","email":"a@b","items":{}{}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            );
            (text.into_bytes(), false)
        }
        // Invalid UTF-8 in a binary body.
        5 => {
            let mut bytes = order.into_bytes();
            let at = rng.below(bytes.len() as u64) as usize;
            bytes.insert(at, 0xff);
            bytes.insert(at, 0xc3);
            (bytes, true)
        }
        // Random bytes, binary.
        6 => ((0..rng.below(256)).map(|_| rng.next() as u8).collect(), true),
        // Valid JSON of the wrong shape.
        _ => {
            let shapes = ["[]", "null", "42", r#""order""#, r#"{"items":{}}"#, "{}", " "];
            (rng.pick(&shapes).as_bytes().to_vec(), false)
        }
    }
}

fn event(rng: &mut Rng, index: usize) -> String {
    let (bytes, binary) = body(rng);
    let (body, encoded) = if binary {
        (base64::engine::general_purpose::STANDARD.encode(&bytes), true)
    } else {
        match String::from_utf8(bytes) {
            Ok(text) => (text, false),
            Err(err) => (base64::engine::general_purpose::STANDARD.encode(err.into_bytes()), true),
        }
    };
    let path = if index.is_multiple_of(2) { "/orders" } else { "/offers" };
    json!({
        "version": "2.0",
        "routeKey": format!("POST {path}"),
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "fuzz",
            "http": {"method": "POST", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "fuzz"},
            "requestId": format!("fuzz-{index}"),
            "routeKey": format!("POST {path}"),
            "stage": "$default",
            "time": "22/Nov/2026:15:00:00 +0000",
            "timeEpoch": 1763823600000u64
        },
        "body": body,
        "isBase64Encoded": encoded
    })
    .to_string()
}

#[test]
fn ten_thousand_bad_bodies_get_designed_answers() {
    let runtime = support::runtime();
    runtime.block_on(async {
        let api = RuntimeApi::start().await;
        let mut rng = Rng(SEED);
        for index in 0..BODIES {
            api.push(&format!("fuzz-{index}"), &event(&mut rng, index));
        }
        // ERROR only: the failures are of interest, 10 000 invocations' INFO lines are not.
        let mut child = start_function(&api, "ERROR", Stdio::piped());
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
        let outcomes = api.outcomes(BODIES, Duration::from_secs(180)).await;
        let _ = child.kill();
        let _ = child.wait();
        let error_lines = reader.join().unwrap();

        assert_eq!(outcomes.len(), BODIES, "every invocation answered in time");
        let designed = [200, 201, 400, 403, 404, 409, 422];
        let mut statuses: BTreeMap<u64, usize> = BTreeMap::new();
        for outcome in &outcomes {
            assert_eq!(
                outcome.kind, "response",
                "{} failed the invocation: {}",
                outcome.request_id, outcome.body
            );
            let wire: Value = serde_json::from_str(&outcome.body).expect("wire JSON");
            let status = wire["statusCode"].as_u64().expect("a status");
            assert!(
                designed.contains(&status),
                "{}: undesigned status {status}: {wire}",
                outcome.request_id
            );
            let body: Value = serde_json::from_str(wire["body"].as_str().expect("a text body"))
                .unwrap_or_else(|err| panic!("{}: body is not JSON ({err}): {wire}", outcome.request_id));
            assert!(body.is_object(), "{}: {body}", outcome.request_id);
            // `/offers` keeps the default `just_status_code`: its collected errors
            // set the status only. Everything else failing says why.
            let index: usize = outcome
                .request_id
                .trim_start_matches("fuzz-")
                .parse()
                .expect("our request id");
            let collected_only = index % 2 == 1 && body.get("offer_cents").is_some();
            if status >= 400 && !collected_only {
                assert!(
                    body["error"].is_object() || body["error"].is_array(),
                    "{}: {body}",
                    outcome.request_id
                );
            }
            *statuses.entry(status).or_default() += 1;
        }
        // ERROR lines are the designed `Exception in price_line` of raised
        // `PwError`s; none may be a panic or an internal error. (The EMF lines
        // of `create_order`'s `#[metrics]` are written whatever the level.)
        for line in error_lines.lines().filter(|l| !l.starts_with("{\"_aws\"")) {
            let line: Value = serde_json::from_str(line).expect("a JSON log line");
            assert_eq!(line["exception_name"], "PwError", "no panic, no internal error: {line}");
        }
        println!("{BODIES} bodies, statuses: {statuses:?}");
        assert!(
            statuses.len() >= 5,
            "the generator reaches most designed answers: {statuses:?}"
        );
    });
}
