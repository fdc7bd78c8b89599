//! Lambda invocations against moto (`moto_server`, installed by
//! scripts/test.sh into target/python-venv), with IAM authentication on, so
//! that moto itself verifies our SigV4 signatures: FUNC 200 with the payload
//! (moto's Docker-less function echoes the event),
//! EVENT 202, DryRun 204, a client context accepted, and a request signed with
//! a wrong secret refused with 403 SignatureDoesNotMatch; the same from code
//! (`session.func(…)` / `session.event(…)`); and, from moto's Docker backend
//! (its Docker pointed at a closed loopback port, so nothing runs), a function
//! error (502 with the payload) and an unknown function (404), each the same
//! error through the macro and from code.

use std::process::Command;
use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

use pypwext_tests::moto::venv_bin;

use pypwext::http::{Credentials, HttpSession, LambdaResponse};
use pypwext::{PwError, StatusCode, http_method};

/// moto's config: the endpoint and the key the setup created.
struct Moto {
    endpoint: String,
    key_id: String,
    secret: String,
}

static MOTO: OnceLock<Moto> = OnceLock::new();

fn session(secret: &str) -> HttpSession {
    let moto = MOTO.get().expect("moto is up");
    HttpSession::builder()
        .lambda_endpoint(moto.endpoint.clone())
        .region("us-east-1")
        .credentials(Credentials::new(moto.key_id.clone(), secret, None))
        .total_retries(0)
        .build()
        .expect("valid settings")
}

static SIGNED: LazyLock<HttpSession> = LazyLock::new(|| session(&MOTO.get().expect("moto is up").secret));
static WRONG_SECRET: LazyLock<HttpSession> = LazyLock::new(|| session("not-the-secret"));

#[http_method(method = "FUNC", url = "orders", params(tenant = "{tenant}"), body = payload, session = SIGNED)]
async fn invoke(tenant: &str, payload: &serde_json::Value) -> Result<serde_json::Value, PwError> {}

#[http_method(method = "EVENT", url = "orders", body = payload, session = SIGNED)]
async fn enqueue(payload: &serde_json::Value) -> Result<LambdaResponse, PwError> {}

// With a payload: moto's signature check mistakes an empty body for a form of
// the request's headers (`data=self._body or self._data`), so an empty-body
// request fails there though botocore agrees with our signature
// (tests/sigv4_botocore.rs).
#[http_method(method = "FUNC", url = "orders", headers("x-amz-invocation-type" = "DryRun"), body = payload, session = SIGNED)]
async fn dry_run(payload: &serde_json::Value) -> Result<LambdaResponse, PwError> {}

#[http_method(method = "FUNC", url = "orders", body = payload, session = WRONG_SECRET)]
async fn forged(payload: &serde_json::Value) -> Result<String, PwError> {}

#[http_method(method = "FUNC", url = "{name}", body = payload, session = SIGNED)]
async fn invoke_named(name: &str, payload: &serde_json::Value) -> Result<serde_json::Value, PwError> {}

/// Switches moto between its Docker backend (which knows `failing`, not
/// `orders`) and the simple one that echoes (which knows `orders`).
async fn use_docker(on: bool) {
    let moto = MOTO.get().expect("moto is up");
    let answer = SIGNED
        .post(format!("{}/moto-api/config", moto.endpoint))
        .body(serde_json::json!({"lambda": {"use_docker": on}}).to_string())
        .send()
        .await
        .expect("moto answers");
    assert!(answer.status().is_success(), "{}", answer.status());
}

fn start_moto() -> pypwext_tests::moto::Moto {
    // moto's Docker backend asks this for Docker: a loopback port nobody
    // listens on, so a function there fails at once, without pulling anything.
    let no_docker = pypwext_tests::moto::free_port();
    let mut command = Command::new(venv_bin().join("moto_server"));
    command
        .env("DOCKER_HOST", format!("tcp://127.0.0.1:{no_docker}"))
        // The setup's four IAM calls go through unsigned; everything after is verified.
        .env("INITIAL_NO_AUTH_ACTION_COUNT", "4");
    let server = pypwext_tests::moto::Moto::start_command(command);
    let endpoint = server.endpoint().to_owned();
    let setup = Command::new(venv_bin().join("python"))
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/py/moto_setup.py"))
        .arg(&endpoint)
        .output()
        .expect("the setup runs");
    assert!(
        setup.status.success(),
        "moto setup: {}",
        String::from_utf8_lossy(&setup.stderr)
    );
    let key: serde_json::Value = serde_json::from_slice(&setup.stdout).expect("the setup prints the key");
    let _ = MOTO.set(Moto {
        endpoint,
        key_id: key["access_key_id"].as_str().unwrap().to_owned(),
        secret: key["secret_access_key"].as_str().unwrap().to_owned(),
    });
    server
}

#[test]
fn lambda_invocations_against_moto_with_iam_authentication() {
    pypwext_tests::install_global_subscriber();
    let _moto = start_moto();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(60), async {
            let payload = serde_json::json!({"order": 1});
            // moto's function without Docker answers with the event it got.
            assert_eq!(invoke("acme", &payload).await.unwrap(), payload);

            let queued = enqueue(&payload).await.unwrap();
            assert_eq!(queued.status(), StatusCode::ACCEPTED);

            let dry = dry_run(&payload).await.unwrap();
            assert_eq!(
                dry.status(),
                StatusCode::NO_CONTENT,
                "{}",
                String::from_utf8_lossy(dry.payload())
            );

            let refused = forged(&payload).await.unwrap_err();
            assert_eq!(refused.code(), StatusCode::FORBIDDEN, "{refused:?}");
            let body = refused.details().unwrap()["body"].to_string();
            assert!(body.contains("SignatureDoesNotMatch"), "{body}");

            // From code, the same invocations.
            let answer = SIGNED
                .func("orders")
                .params([("tenant", "acme")])
                .json(&payload)
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), StatusCode::OK);
            assert_eq!(answer.payload_json::<serde_json::Value>().unwrap(), payload);
            let queued = SIGNED.event("orders").body(payload.to_string()).send().await.unwrap();
            assert_eq!(queued.status(), StatusCode::ACCEPTED);
            let dry = SIGNED
                .func("orders")
                .header("X-Amz-Invocation-Type", "DryRun")
                .json(&payload)
                .send()
                .await
                .unwrap();
            assert_eq!(dry.status(), StatusCode::NO_CONTENT);
            let refused = WRONG_SECRET.func("orders").json(&payload).send().await.unwrap_err();
            assert_eq!(refused.code(), StatusCode::FORBIDDEN, "{refused:?}");
            let body = refused.details().unwrap()["body"].to_string();
            assert!(body.contains("SignatureDoesNotMatch"), "{body}");

            use_docker(true).await;
            // A function that fails: moto answers 200 with `X-Amz-Function-Error: Handled`.
            let failed = SIGNED.func("failing").json(&payload).send().await.unwrap_err();
            assert_eq!(failed.code(), StatusCode::BAD_GATEWAY, "{failed:?}");
            assert_eq!(failed.message(), "failing: the function failed (Handled)");
            let details = failed.details().unwrap();
            assert_eq!(details["status"], 200);
            let body = details["body"].to_string();
            assert!(body.contains("error running docker"), "{body}");
            let failed_macro = invoke_named("failing", &payload).await.unwrap_err();
            assert_eq!(failed_macro.code(), StatusCode::BAD_GATEWAY);
            assert_eq!(failed_macro.message(), "invoke_named: the function failed (Handled)");
            assert_eq!(failed_macro.details(), failed.details());

            // A function that does not exist: Lambda's 404 and its body.
            let unknown = SIGNED.func("no-such-function").json(&payload).send().await.unwrap_err();
            assert_eq!(unknown.code(), StatusCode::NOT_FOUND, "{unknown:?}");
            let details = unknown.details().unwrap();
            assert_eq!(details["status"], 404);
            let body = details["body"].to_string();
            assert!(body.contains("ResourceNotFoundException"), "{body}");
            assert!(body.contains("no-such-function"), "{body}");
            let unknown_macro = invoke_named("no-such-function", &payload).await.unwrap_err();
            assert_eq!(unknown_macro.code(), StatusCode::NOT_FOUND);
            assert_eq!(unknown_macro.details(), unknown.details());
            use_docker(false).await;
        })
        .await
        .expect("bounded: 60 s");
    });
}
