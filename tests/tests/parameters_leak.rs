//! Secrets read through `pypwext::parameters` never reach a log line: a
//! handler under `#[logged]` takes secrets as arguments (a `SecretString`,
//! a struct holding one, a reference), logs them with `tracing` (as `?`
//! fields and inside a formatted message), reads a secret and returns it, and fails reading a
//! secret whose JSON does not fit; not one line holds a byte sequence of any
//! secret, and each place a secret stood shows `[REDACTED]`.
//!
//! The secrets come from the in-memory source: the leak is about what the
//! logger writes, whatever the store.

use pypwext::parameters::{self, ExposeSecret as _, InMemory, SecretString};
use pypwext::{PwError, logged, logging};
use tracing::level_filters::LevelFilter;

const API_KEY: &str = "sk-live-4f9Qx7Lp2Zr8";
const ROTATED: &str = "sk-live-Nw3Hc6Vb1Ty5";
const DB_PASSWORD: &str = "pw-Kd82jXq0Mm";

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)] // read through Debug, in the log line
struct Database {
    username: String,
    password: SecretString,
}

#[logged(level = "info")]
async fn rotate(current: SecretString, db: &Database) -> Result<SecretString, PwError> {
    tracing::info!(?current, ?db, "rotating the key of {}", db.username);
    tracing::warn!("the old key was {current:?}");
    let rotated: SecretString = parameters::secret("shop/api-key-next").get().await?;
    Ok(rotated)
}

#[logged(level = "info")]
async fn limit_from_secret() -> Result<u32, PwError> {
    // The secret holds {"username": …, "password": …}: not a number.
    parameters::secret("shop/db").json().get().await
}

#[test]
fn no_secret_byte_reaches_a_log_line() {
    pypwext_tests::install_global_subscriber();
    parameters::set_source(
        InMemory::new()
            .with_secret("shop/api-key", API_KEY)
            .with_secret("shop/api-key-next", ROTATED)
            .with_secret(
                "shop/db",
                format!(r#"{{"username": "ada", "password": "{DB_PASSWORD}"}}"#),
            ),
    )
    .unwrap();
    let sink = logging::MemoryWriter::new();
    let logger = logging::builder()
        .service("leak")
        .level(LevelFilter::TRACE)
        .writer(sink.clone())
        .build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (rotated, failed) = tracing::subscriber::with_default(logger, || {
        runtime.block_on(async {
            let current: SecretString = parameters::secret("shop/api-key").get().await.unwrap();
            let db: Database = parameters::secret("shop/db").json().get().await.unwrap();
            (rotate(current, &db).await, limit_from_secret().await)
        })
    });
    assert_eq!(
        rotated.unwrap().expose_secret(),
        ROTATED,
        "the handler did get the secrets"
    );
    let failed = failed.unwrap_err();
    assert_eq!(failed.code(), 500);

    let lines = sink.lines();
    assert!(lines.len() >= 6, "entry, two lines, exit; entry, failure: {lines:#?}");
    let text = lines.join("\n");
    for secret in [API_KEY, ROTATED, DB_PASSWORD] {
        // Any 6 bytes in a row of a secret, not only the whole of it.
        for window in secret.as_bytes().windows(6) {
            let piece = std::str::from_utf8(window).unwrap();
            assert!(!text.contains(piece), "{piece:?} of a secret is in the log:\n{text}");
        }
    }
    assert!(!failed.message().contains(DB_PASSWORD) && !format!("{failed:?}").contains(DB_PASSWORD));

    let entry: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(entry["message"]["args"]["current"], "[REDACTED]", "{entry}");
    assert!(
        entry["message"]["args"]["db"]
            .as_str()
            .is_some_and(|db| db.contains("password: SecretBox<str>([REDACTED])")),
        "{entry}"
    );
    let exit = lines
        .iter()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|line| line["message"]["msg"] == "Exiting rotate")
        .expect("the exit line");
    assert_eq!(exit["message"]["return"], "[REDACTED]", "{exit}");
    assert!(text.contains("the old key was SecretBox<str>([REDACTED])"), "{text}");
}
