//! A child process for the idempotency tests: a process that dies in the
//! middle of an idempotent call, leaving its record `INPROGRESS` as a
//! timed-out or killed Lambda invocation does.
//!
//! `idempotency-probe ENDPOINT TABLE KEY DEADLINE_MS`: runs, inside an
//! invocation whose deadline is DEADLINE_MS from now, the function
//! `#[idempotent(key_prefix = "probe.charge")]` on KEY against moto's
//! DynamoDB at ENDPOINT; its body prints `running` and never returns, so the
//! test kills the process.

use std::sync::{LazyLock, OnceLock};
use std::time::{Duration, SystemTime};

use pypwext::idempotency::Idempotency;
use pypwext::lambda::Invocation;
use pypwext::{PwError, idempotent};

static SETTINGS: OnceLock<(String, String)> = OnceLock::new();
static STORE: LazyLock<Idempotency> = LazyLock::new(|| {
    let (endpoint, table) = SETTINGS.get().expect("the settings are read first");
    Idempotency::dynamodb(table.clone()).client(pypwext_tests::dynamodb::client(endpoint))
});

#[idempotent(store = STORE, key_prefix = "probe.charge")]
async fn charge(key: String) -> Result<u32, PwError> {
    println!("running");
    std::future::pending::<()>().await;
    Ok(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [endpoint, table, key, deadline_ms] = args.as_slice() else {
        panic!("usage: idempotency-probe ENDPOINT TABLE KEY DEADLINE_MS");
    };
    let deadline_ms: u64 = deadline_ms.parse().expect("DEADLINE_MS is a number");
    SETTINGS.set((endpoint.clone(), table.clone())).expect("set once");
    let deadline = SystemTime::now() + Duration::from_millis(deadline_ms);
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(
            Invocation::new("probe")
                .with_deadline(deadline)
                .scope(charge(key.clone())),
        )
        .expect("never returns");
}
