//! Powertools' Idempotency (Python, from the test venv) as the golden peer:
//! the same hash as Powertools for keys with non-ASCII text, nested
//! objects, floats and integers; and, against one moto table, a record a
//! Python function completed is honoured by the Rust function with the same
//! `key_prefix` and key (its body does not run, Python's value comes back),
//! and the other way round; the same against a real redis-server with
//! Powertools' `CachePersistenceLayer` (its Redis layout).

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, OnceLock};

use pypwext::idempotency::{Idempotency, key_hash};
use pypwext::{PwError, StatusCode, idempotent};
use pypwext_tests::dynamodb::{client, create_table};
use pypwext_tests::moto::Moto;
use pypwext_tests::redis_server::RedisServer;
use serde_json::{Value, json};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/py/powertools_idempotency.py");

/// Powertools' hash of each value, computed by Python.
fn python_hashes(values: &[Value]) -> Vec<String> {
    let mut python = Command::new(pypwext_tests::python())
        .args([SCRIPT, "hash"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = python.stdin.take().unwrap();
    for value in values {
        writeln!(stdin, "{value}").unwrap();
    }
    drop(stdin);
    let output = python.wait_with_output().unwrap();
    assert!(output.status.success(), "the Python peer runs");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_hash_is_powertools_for_text_objects_floats_and_integers() {
    let mut values = vec![
        json!("o-1"),
        json!(""),
        json!("ördér ü ß 東京 😀 \u{1F600}\u{7f}\u{0}\t\"\\/"),
        json!({"z": 1, "a": {"y": [1, 2.5, null, true, false], "b": "é"}, "M": "upper first"}),
        json!([0, -1, 18446744073709551615u64, -9223372036854775808i64]),
        json!([
            1.0,
            -0.0,
            0.1,
            1e-4,
            1e-5,
            1.5e-7,
            123.456,
            1e15,
            1e16,
            1.2345e17,
            1e100,
            5e-324,
            1.7976931348623157e308
        ]),
        json!({"order": {"id": "ördér-7", "items": [{"sku": "é", "qty": 2, "weight": 1e-05}], "total": 12.5}}),
        json!({"keys": {"é": 1, "e": 2, "😀": 3, "\u{ffff}": 4, "E": 5}}),
    ];
    // Generated: floats across magnitudes and integers, each in an object.
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..200 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let float = f64::from_bits(seed);
        if float.is_finite() {
            values.push(
                json!({"f": float, "i": seed as i64, "s": char::from_u32((seed % 0x2ffff) as u32).map(String::from)}),
            );
        }
    }
    let expected = python_hashes(&values);
    assert_eq!(expected.len(), values.len());
    for (value, python) in values.iter().zip(&expected) {
        assert_eq!(&key_hash(value).unwrap(), python, "{value}");
    }
}

static ENDPOINT: OnceLock<String> = OnceLock::new();
static SHARED: LazyLock<Idempotency> =
    LazyLock::new(|| Idempotency::dynamodb("shared").client(client(ENDPOINT.get().expect("moto is up"))));
static RUST_RUNS: AtomicUsize = AtomicUsize::new(0);

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Clone)]
struct Item {
    sku: String,
    qty: u32,
    weight: f64,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Clone)]
struct Order {
    id: String,
    items: Vec<Item>,
    total: f64,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Receipt {
    order: String,
    charged: f64,
    by: String,
}

/// The Rust twin of the Python `charge`: the same prefix, the same key (the
/// order's id and items, as JMESPath's `[id, items]` makes them), `total` as
/// the payload check.
#[idempotent(store = SHARED, key = (&order.id, &order.items), validate = order.total, key_prefix = "shared.charge")]
async fn charge(order: Order) -> Result<Receipt, PwError> {
    RUST_RUNS.fetch_add(1, Ordering::SeqCst);
    Ok(Receipt {
        order: order.id,
        charged: order.total,
        by: "rust".to_owned(),
    })
}

/// Python's `charge(order)` against moto's table: (whether its body ran, its answer).
fn python_charge(order: &Order) -> (bool, Value) {
    python_call(&[
        "call",
        ENDPOINT.get().unwrap(),
        "shared",
        &serde_json::to_string(order).unwrap(),
    ])
}

/// Python's `charge(order)` against Redis.
fn python_charge_redis(order: &Order) -> (bool, Value) {
    python_call(&[
        "call-redis",
        REDIS_URL.get().unwrap(),
        &serde_json::to_string(order).unwrap(),
    ])
}

fn python_call(args: &[&str]) -> (bool, Value) {
    let output = Command::new(pypwext_tests::python())
        .arg(SCRIPT)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the Python peer runs: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    (answer["ran"].as_bool().unwrap(), answer["result"].clone())
}

fn order(id: &str) -> Order {
    Order {
        id: id.to_owned(),
        items: vec![Item {
            sku: "é-😀".to_owned(),
            qty: 2,
            weight: 1e-05,
        }],
        total: 12.5,
    }
}

#[test]
fn records_are_shared_with_a_powertools_python_function_both_ways() {
    let moto = Moto::start();
    ENDPOINT.set(moto.endpoint().to_owned()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(create_table(&client(moto.endpoint()), "shared"));

    // Python completes; Rust honours it: its body does not run, Python's value comes back.
    let from_python = order("ördér-python");
    let (ran, python_value) = python_charge(&from_python);
    assert!(ran, "Python's body runs the first time");
    let answer = runtime.block_on(charge(from_python.clone())).unwrap();
    assert_eq!(RUST_RUNS.load(Ordering::SeqCst), 0, "Rust's body did not run");
    assert_eq!(answer, serde_json::from_value::<Receipt>(python_value).unwrap());
    assert_eq!(answer.by, "python");
    // Python's payload check is Rust's too.
    let error = runtime
        .block_on(charge(Order {
            total: 13.0,
            ..from_python
        }))
        .unwrap_err();
    assert_eq!(error.code(), StatusCode::UNPROCESSABLE_ENTITY);

    // Rust completes; Python honours it.
    let from_rust = order("ördér-rust");
    let answer = runtime.block_on(charge(from_rust.clone())).unwrap();
    assert_eq!(RUST_RUNS.load(Ordering::SeqCst), 1);
    let (ran, value) = python_charge(&from_rust);
    assert!(!ran, "Python's body did not run");
    assert_eq!(value, serde_json::to_value(&answer).unwrap());
    assert_eq!(value["by"], "rust");
}

static REDIS_URL: OnceLock<String> = OnceLock::new();
static SHARED_REDIS: LazyLock<Idempotency> =
    LazyLock::new(|| Idempotency::redis(REDIS_URL.get().expect("redis is up").clone()));
static RUST_RUNS_REDIS: AtomicUsize = AtomicUsize::new(0);

/// `charge` again, on Redis.
#[idempotent(store = SHARED_REDIS, key = (&order.id, &order.items), validate = order.total, key_prefix = "shared.charge")]
async fn charge_redis(order: Order) -> Result<Receipt, PwError> {
    RUST_RUNS_REDIS.fetch_add(1, Ordering::SeqCst);
    Ok(Receipt {
        order: order.id,
        charged: order.total,
        by: "rust".to_owned(),
    })
}

#[test]
fn records_are_shared_with_powertools_redis_layer_both_ways() {
    let server = RedisServer::start();
    REDIS_URL.set(server.url().to_owned()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // Python completes; Rust honours it. (Powertools' Redis layer drops the
    // payload hash when it completes a record, so Python's own repeat of a
    // validating function fails there with IdempotencyValidationError; Rust
    // has no hash to check and answers with the stored value.)
    let from_python = order("ördér-python");
    let (ran, python_value) = python_charge_redis(&from_python);
    assert!(ran, "Python's body runs the first time");
    let answer = runtime.block_on(charge_redis(from_python.clone())).unwrap();
    assert_eq!(RUST_RUNS_REDIS.load(Ordering::SeqCst), 0, "Rust's body did not run");
    assert_eq!(answer, serde_json::from_value::<Receipt>(python_value).unwrap());

    // Rust completes, with its payload hash; Python honours it.
    let from_rust = order("ördér-rust");
    let answer = runtime.block_on(charge_redis(from_rust.clone())).unwrap();
    assert_eq!(RUST_RUNS_REDIS.load(Ordering::SeqCst), 1);
    let (ran, value) = python_charge_redis(&from_rust);
    assert!(!ran, "Python's body did not run");
    assert_eq!(value, serde_json::to_value(&answer).unwrap());
    // And the hash is checked: another total under the same key is a 422.
    let error = runtime
        .block_on(charge_redis(Order {
            total: 13.0,
            ..from_rust
        }))
        .unwrap_err();
    assert_eq!(error.code(), StatusCode::UNPROCESSABLE_ENTITY);
}
