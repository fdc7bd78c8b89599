//! The Redis store against a real `redis-server` on loopback (started on a
//! free port, stopped afterwards): records in Powertools' Redis layout (the
//! id as the key, the attributes as a JSON object, the key expiring with the
//! record), a repeat that does not run, 422, 409, `Err` deleting the
//! record, an abandoned `INPROGRESS` record taken over under Powertools'
//! lock, and a server that is not there (502, the body does not run).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use pypwext::idempotency::{Idempotency, key_hash};
use pypwext::{ErrorAction, PwError, StatusCode, idempotent};
use pypwext_tests::moto::free_port;
use pypwext_tests::redis_server::RedisServer;
use serde_json::{Value, json};

static URL: OnceLock<String> = OnceLock::new();
static STORE: LazyLock<Idempotency> = LazyLock::new(|| Idempotency::redis(URL.get().expect("redis is up").clone()));
static RUNS: AtomicUsize = AtomicUsize::new(0);

#[idempotent(store = STORE, key = order_id, validate = cents, key_prefix = "orders.pay")]
async fn pay(order_id: &str, cents: u32) -> Result<Value, PwError> {
    RUNS.fetch_add(1, Ordering::SeqCst);
    if order_id == "declined" {
        return Err(PwError::new(StatusCode::PAYMENT_REQUIRED, "card declined"));
    }
    Ok(json!({"order": order_id, "paid": cents}))
}

#[idempotent(store = STORE, key_prefix = "orders.hold")]
async fn hold(key: String) -> Result<u16, PwError> {
    Ok(match hold_again(key).await {
        Ok(_) => 200,
        Err(error) => error.code().as_u16(),
    })
}

#[idempotent(store = STORE, key_prefix = "orders.hold")]
async fn hold_again(key: String) -> Result<u16, PwError> {
    RUNS.fetch_add(1000, Ordering::SeqCst);
    Ok(key.len() as u16)
}

fn now_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

async fn raw(connection: &mut redis::aio::MultiplexedConnection, command: &[&str]) -> redis::Value {
    let mut cmd = redis::cmd(command[0]);
    for arg in &command[1..] {
        cmd.arg(*arg);
    }
    cmd.query_async(connection).await.unwrap()
}

fn text(value: redis::Value) -> Option<String> {
    match value {
        redis::Value::BulkString(bytes) => Some(String::from_utf8(bytes).unwrap()),
        redis::Value::Nil => None,
        other => panic!("not a string: {other:?}"),
    }
}

#[test]
fn the_redis_store_keeps_powertools_records_and_the_contracts_table() {
    let server = RedisServer::start();
    URL.set(server.url().to_owned()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut connection = redis::Client::open(server.url())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();

        // First call: COMPLETED, in Powertools' layout, expiring with the record.
        let paid = pay("o-1", 500).await.unwrap();
        assert_eq!(paid, json!({"order": "o-1", "paid": 500}));
        let id = format!("orders.pay#{}", key_hash("o-1").unwrap());
        let stored: Value = serde_json::from_str(&text(raw(&mut connection, &["GET", &id]).await).unwrap()).unwrap();
        assert_eq!(stored["status"], "COMPLETED");
        assert_eq!(serde_json::from_str::<Value>(stored["data"].as_str().unwrap()).unwrap(), paid);
        assert_eq!(stored["validation"], key_hash(&500).unwrap().as_str());
        assert!(stored["expiration"].as_u64().unwrap().abs_diff(now_seconds() + 3600) <= 2, "{stored}");
        let ttl = raw(&mut connection, &["TTL", &id]).await;
        assert!(matches!(ttl, redis::Value::Int(t) if (3590..=3600).contains(&t)), "{ttl:?}");

        // Repeat: stored value, body not run; another payload: 422.
        assert_eq!(pay("o-1", 500).await.unwrap(), paid);
        assert_eq!(RUNS.load(Ordering::SeqCst), 1);
        let error = pay("o-1", 900).await.unwrap_err();
        assert_eq!((error.code(), error.action()), (StatusCode::UNPROCESSABLE_ENTITY, ErrorAction::Raise));

        // Err deletes the record; a retry runs.
        for _ in 0..2 {
            assert_eq!(pay("declined", 1).await.unwrap_err().code(), StatusCode::PAYMENT_REQUIRED);
            let id = format!("orders.pay#{}", key_hash("declined").unwrap());
            assert_eq!(text(raw(&mut connection, &["GET", &id]).await), None);
        }
        assert_eq!(RUNS.load(Ordering::SeqCst), 3);

        // While in progress: 409.
        assert_eq!(hold("h".to_owned()).await.unwrap(), 409);
        assert_eq!(RUNS.load(Ordering::SeqCst), 3);

        // An INPROGRESS record abandoned past its in-progress expiry (as a
        // killed process leaves it) is taken over, under `<id>:lock`.
        let id = format!("orders.pay#{}", key_hash("o-2").unwrap());
        let abandoned = json!({"status": "INPROGRESS", "expiration": now_seconds() + 3600, "in_progress_expiration": 1_000, "validation": key_hash(&700).unwrap()});
        raw(&mut connection, &["SET", &id, &abandoned.to_string(), "EX", "3600"]).await;
        assert_eq!(pay("o-2", 700).await.unwrap(), json!({"order": "o-2", "paid": 700}));
        assert_eq!(RUNS.load(Ordering::SeqCst), 4);
        assert_eq!(text(raw(&mut connection, &["GET", &format!("{id}:lock")]).await).as_deref(), Some("True"));
        // Without an in-progress expiry it stays in progress until it expires.
        let id = format!("orders.pay#{}", key_hash("o-3").unwrap());
        let busy = json!({"status": "INPROGRESS", "expiration": now_seconds() + 3600, "validation": key_hash(&1).unwrap()});
        raw(&mut connection, &["SET", &id, &busy.to_string(), "EX", "3600"]).await;
        assert_eq!(pay("o-3", 1).await.unwrap_err().code(), StatusCode::CONFLICT);
        assert_eq!(RUNS.load(Ordering::SeqCst), 4);
    });
}

static NOWHERE: LazyLock<Idempotency> =
    LazyLock::new(|| Idempotency::redis(format!("redis://127.0.0.1:{}/0", free_port())));
static UNPROTECTED: AtomicUsize = AtomicUsize::new(0);

#[idempotent(store = NOWHERE)]
async fn against_nowhere(key: u32) -> Result<u32, PwError> {
    UNPROTECTED.fetch_add(1, Ordering::SeqCst);
    Ok(key)
}

#[test]
fn a_redis_server_that_is_not_there_is_a_502_and_the_body_does_not_run() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let error = runtime.block_on(against_nowhere(1)).unwrap_err();
    assert_eq!(
        (error.code(), error.action()),
        (StatusCode::BAD_GATEWAY, ErrorAction::Raise)
    );
    assert!(
        error
            .message()
            .starts_with("the idempotency store (Redis at `redis://127.0.0.1:"),
        "{}",
        error.message()
    );
    assert_eq!(UNPROTECTED.load(Ordering::SeqCst), 0);
}
