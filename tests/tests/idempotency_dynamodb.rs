//! The DynamoDB store against moto's server (stock `moto_server` from the
//! test venv, on a free loopback port; its conditional writes are moto's
//! own): the record in Powertools' layout, a repeat that does not run, 422,
//! 409, `Err` deleting the record, the in-progress expiry taken from the
//! invocation's deadline, a record left `INPROGRESS` by a killed process
//! taken over after that expiry, and stores that refuse or time out (502,
//! the body does not run).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use pypwext::idempotency::{Attributes, Idempotency, key_hash};
use pypwext::lambda::Invocation;
use pypwext::{ErrorAction, PwError, StatusCode, idempotent};
use pypwext_tests::dynamodb::{client, create_table, create_table_keyed};
use pypwext_tests::moto::{Moto, free_port};

const TABLE: &str = "idempotency";

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// The item `id` as DynamoDB holds it.
async fn item(endpoint: &str, id: &str) -> Option<std::collections::HashMap<String, AttributeValue>> {
    client(endpoint)
        .get_item()
        .table_name(TABLE)
        .key("id", AttributeValue::S(id.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

fn s(item: &std::collections::HashMap<String, AttributeValue>, name: &str) -> String {
    item[name].as_s().unwrap().clone()
}

fn n(item: &std::collections::HashMap<String, AttributeValue>, name: &str) -> u64 {
    item[name].as_n().unwrap().parse().unwrap()
}

fn epoch_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Order {
    id: String,
    total: f64,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Receipt {
    order: String,
    charged: f64,
}

static ENDPOINT: OnceLock<String> = OnceLock::new();
static ORDERS: LazyLock<Idempotency> =
    LazyLock::new(|| Idempotency::dynamodb(TABLE).client(client(ENDPOINT.get().expect("moto is up"))));
static RUNS: AtomicUsize = AtomicUsize::new(0);

#[idempotent(store = ORDERS, key = order.id, validate = order.total, key_prefix = "orders.create")]
async fn create(order: Order) -> Result<Receipt, PwError> {
    RUNS.fetch_add(1, Ordering::SeqCst);
    if order.id == "declined" {
        return Err(PwError::new(StatusCode::PAYMENT_REQUIRED, "card declined"));
    }
    Ok(Receipt {
        order: order.id,
        charged: order.total,
    })
}

/// Reads its own record while it runs: (status, in_progress_expiration).
#[idempotent(store = ORDERS, key_prefix = "orders.observe")]
async fn observe(key: String) -> Result<(String, Option<u64>), PwError> {
    let id = format!("orders.observe#{}", key_hash(&key)?);
    let item = item(ENDPOINT.get().unwrap(), &id).await.unwrap();
    Ok((
        s(&item, "status"),
        item.get("in_progress_expiration")
            .map(|v| v.as_n().unwrap().parse().unwrap()),
    ))
}

/// Calls `hold_again` with the same key and prefix while its record is in progress.
#[idempotent(store = ORDERS, key_prefix = "orders.hold")]
async fn hold(key: String) -> Result<u16, PwError> {
    Ok(match hold_again(key).await {
        Ok(_) => 200,
        Err(error) => {
            assert_eq!(error.action(), ErrorAction::Raise);
            error.code().as_u16()
        }
    })
}

#[idempotent(store = ORDERS, key_prefix = "orders.hold")]
async fn hold_again(key: String) -> Result<u16, PwError> {
    RUNS.fetch_add(1000, Ordering::SeqCst);
    Ok(key.len() as u16)
}

/// Powertools' attribute names, renamed as its `key_attr`, `expiry_attr`, … do.
static RENAMED: LazyLock<Idempotency> = LazyLock::new(|| {
    Idempotency::dynamodb("renamed")
        .client(client(ENDPOINT.get().expect("moto is up")))
        .attributes(Attributes {
            key: "pk".to_owned(),
            expiry: "expires_at".to_owned(),
            in_progress_expiry: "running_until".to_owned(),
            status: "state".to_owned(),
            data: "result".to_owned(),
            validation: "payload_hash".to_owned(),
        })
});

#[idempotent(store = RENAMED, key_prefix = "renamed", validate = key.len())]
async fn renamed(key: String) -> Result<u32, PwError> {
    RUNS.fetch_add(1_000_000, Ordering::SeqCst);
    Ok(key.len() as u32)
}

#[test]
fn the_dynamodb_store_keeps_powertools_records_and_the_contracts_table() {
    let moto = Moto::start();
    ENDPOINT.set(moto.endpoint().to_owned()).unwrap();
    block_on(async {
        create_table(&client(moto.endpoint()), TABLE).await;

        // First call: COMPLETED in Powertools' layout.
        let order = || Order {
            id: "o-1".to_owned(),
            total: 12.5,
        };
        let receipt = create(order()).await.unwrap();
        assert_eq!(
            receipt,
            Receipt {
                order: "o-1".to_owned(),
                charged: 12.5
            }
        );
        let id = format!("orders.create#{}", key_hash("o-1").unwrap());
        let stored = item(moto.endpoint(), &id).await.expect("the record is stored");
        assert_eq!(s(&stored, "status"), "COMPLETED");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&s(&stored, "data")).unwrap(),
            serde_json::json!({"order": "o-1", "charged": 12.5})
        );
        assert_eq!(s(&stored, "validation"), key_hash(&12.5).unwrap());
        assert!(
            n(&stored, "expiration").abs_diff(epoch_seconds() + 3600) <= 2,
            "{stored:?}"
        );

        // The same key again: the stored value, the body not run.
        assert_eq!(create(order()).await.unwrap(), receipt);
        assert_eq!(RUNS.load(Ordering::SeqCst), 1);

        // Another payload under the same key: 422.
        let error = create(Order { total: 99.0, ..order() }).await.unwrap_err();
        assert_eq!(
            (error.code(), error.action()),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorAction::Raise)
        );
        assert_eq!(RUNS.load(Ordering::SeqCst), 1);

        // `Err` deletes the record: the error comes back unchanged, a retry runs.
        let declined = || Order {
            id: "declined".to_owned(),
            total: 1.0,
        };
        for _ in 0..2 {
            let error = create(declined()).await.unwrap_err();
            assert_eq!(
                (error.code(), error.message()),
                (StatusCode::PAYMENT_REQUIRED, "card declined")
            );
            let id = format!("orders.create#{}", key_hash("declined").unwrap());
            assert_eq!(item(moto.endpoint(), &id).await, None);
        }
        assert_eq!(RUNS.load(Ordering::SeqCst), 3);

        // While it runs, the record is INPROGRESS with the invocation's deadline in ms.
        let deadline = SystemTime::now() + Duration::from_secs(30);
        let seen = Invocation::new("req-1")
            .with_deadline(deadline)
            .scope(observe("k".to_owned()))
            .await
            .unwrap();
        let deadline_ms = deadline.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
        assert_eq!(seen, ("INPROGRESS".to_owned(), Some(deadline_ms)));

        // The same key while in progress: 409, the second body not run.
        assert_eq!(hold("h".to_owned()).await.unwrap(), 409);
        assert_eq!(RUNS.load(Ordering::SeqCst), 3);

        // Renamed attributes: written and read under the names given.
        create_table_keyed(&client(moto.endpoint()), "renamed", "pk").await;
        assert_eq!(renamed("abc".to_owned()).await.unwrap(), 3);
        assert_eq!(renamed("abc".to_owned()).await.unwrap(), 3);
        assert_eq!(
            RUNS.load(Ordering::SeqCst),
            1_000_003,
            "the renamed store's body ran once"
        );
        let stored = client(moto.endpoint())
            .get_item()
            .table_name("renamed")
            .key("pk", AttributeValue::S(format!("renamed#{}", key_hash("abc").unwrap())))
            .send()
            .await
            .unwrap()
            .item
            .expect("stored under pk");
        let mut names: Vec<&str> = stored.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["expires_at", "payload_hash", "pk", "result", "state"],
            "{stored:?}"
        );
        assert_eq!(
            (s(&stored, "state"), s(&stored, "result")),
            ("COMPLETED".to_owned(), "3".to_owned())
        );
    });
}

static PROBE_STORE: LazyLock<Idempotency> =
    LazyLock::new(|| Idempotency::dynamodb(TABLE).client(client(PROBE_ENDPOINT.get().expect("moto is up"))));
static PROBE_ENDPOINT: OnceLock<String> = OnceLock::new();

/// The probe's function: the same key prefix, the same key.
#[idempotent(store = PROBE_STORE, key_prefix = "probe.charge")]
async fn charge(key: String) -> Result<u32, PwError> {
    let _ = key;
    Ok(7)
}

#[test]
fn a_record_left_in_progress_by_a_killed_process_is_taken_over_after_its_in_progress_expiry() {
    let moto = Moto::start();
    PROBE_ENDPOINT.set(moto.endpoint().to_owned()).unwrap();
    block_on(create_table(&client(moto.endpoint()), TABLE));

    // A process that writes its INPROGRESS record, with a deadline 5 s away, and is killed.
    let mut probe = Command::new(env!("CARGO_BIN_EXE_idempotency-probe"))
        .args([moto.endpoint(), TABLE, "k", "5000"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(probe.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "running", "the probe's body runs");
    probe.kill().unwrap();
    probe.wait().unwrap();

    let id = format!("probe.charge#{}", key_hash("k").unwrap());
    let left = block_on(item(moto.endpoint(), &id)).expect("the killed process left its record");
    assert_eq!(s(&left, "status"), "INPROGRESS");
    let in_progress_expiration = n(&left, "in_progress_expiration");

    // Before its in-progress expiry: 409.
    let now_ms = || SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
    if now_ms() < in_progress_expiration {
        assert_eq!(
            block_on(charge("k".to_owned())).unwrap_err().code(),
            StatusCode::CONFLICT
        );
    }
    // After it: this call takes the record over and runs.
    let waited = Instant::now();
    while now_ms() <= in_progress_expiration {
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "the in-progress expiry passes"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(block_on(charge("k".to_owned())).unwrap(), 7);
    let taken = block_on(item(moto.endpoint(), &id)).unwrap();
    assert_eq!(
        (s(&taken, "status"), s(&taken, "data")),
        ("COMPLETED".to_owned(), "7".to_owned())
    );
}

static REFUSING: LazyLock<Idempotency> = LazyLock::new(|| {
    // Nothing listens on this port: every call is refused.
    Idempotency::dynamodb(TABLE).client(client(&format!("http://127.0.0.1:{}", free_port())))
});
static SILENT: LazyLock<Idempotency> = LazyLock::new(|| {
    Idempotency::dynamodb(TABLE).client(pypwext_tests::dynamodb::client_with_timeout(
        SILENT_ENDPOINT.get().expect("the silent listener is up"),
        Duration::from_millis(500),
    ))
});
static SILENT_ENDPOINT: OnceLock<String> = OnceLock::new();
static UNPROTECTED: AtomicUsize = AtomicUsize::new(0);

#[idempotent(store = REFUSING)]
async fn against_refusing(key: u32) -> Result<u32, PwError> {
    UNPROTECTED.fetch_add(1, Ordering::SeqCst);
    Ok(key)
}

#[idempotent(store = SILENT)]
async fn against_silent(key: u32) -> Result<u32, PwError> {
    UNPROTECTED.fetch_add(1, Ordering::SeqCst);
    Ok(key)
}

#[test]
fn a_store_that_refuses_or_times_out_is_a_502_and_the_body_does_not_run() {
    let error = block_on(against_refusing(1)).unwrap_err();
    assert_eq!(
        (error.code(), error.action()),
        (StatusCode::BAD_GATEWAY, ErrorAction::Raise)
    );
    assert!(
        error
            .message()
            .starts_with("the idempotency store (DynamoDB table `idempotency`) failed to write the in-progress record: PutItem on table `idempotency`"),
        "{}",
        error.message()
    );

    // A listener that accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    SILENT_ENDPOINT
        .set(format!("http://{}", listener.local_addr().unwrap()))
        .unwrap();
    let held = std::thread::spawn(move || {
        let mut connections = Vec::new();
        for stream in listener.incoming().take(4) {
            connections.push(stream);
        }
        std::thread::sleep(Duration::from_secs(5));
    });
    let error = block_on(against_silent(2)).unwrap_err();
    assert_eq!(error.code(), StatusCode::BAD_GATEWAY);
    assert!(
        error.message().contains("timeout") || error.message().contains("timed out"),
        "{}",
        error.message()
    );
    assert_eq!(UNPROTECTED.load(Ordering::SeqCst), 0, "no body ran unprotected");
    drop(held);
}
