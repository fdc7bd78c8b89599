//! A function that only logs and answers API Gateway must not compile an HTTP
//! client: with `default-features = false, features = ["service"]` the
//! dependency tree of pypwext holds no reqwest, rustls, ring nor aws-sigv4.
//! Read with `cargo tree` (no build, no network: the lock file pins every
//! version and the registry index is already local after the first build).

use std::process::Command;

/// The crates of pypwext's normal dependency tree with `features`.
fn dependency_tree(features: &[&str]) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    command.args([
        "tree",
        "--offline",
        "-p",
        "pypwext",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--format",
        "{p}",
        "--no-default-features",
    ]);
    if !features.is_empty() {
        command.args(["--features", &features.join(",")]);
    }
    let output = command.output().expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut crates: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    crates.sort();
    crates.dedup();
    crates
}

const HTTP_CLIENT: &[&str] = &["reqwest", "rustls", "ring", "aws-sigv4", "aws-credential-types"];

#[test]
fn service_alone_compiles_no_http_client() {
    let tree = dependency_tree(&["service"]);
    assert!(tree.iter().any(|name| name == "lambda_http"), "{tree:?}");
    let client: Vec<&String> = tree
        .iter()
        .filter(|name| HTTP_CLIENT.contains(&name.as_str()))
        .collect();
    assert!(client.is_empty(), "service alone pulls in {client:?}");
}

#[test]
fn the_http_feature_brings_the_client_and_no_lambda_http() {
    let tree = dependency_tree(&["http"]);
    assert!(tree.iter().any(|name| name == "reqwest"), "{tree:?}");
    assert!(!tree.iter().any(|name| name == "lambda_http"), "{tree:?}");
}

#[test]
fn no_features_is_errors_and_logging_only() {
    let tree = dependency_tree(&[]);
    for absent in HTTP_CLIENT.iter().chain(&["lambda_http"]) {
        assert!(!tree.iter().any(|name| name == absent), "{absent} in {tree:?}");
    }
}

#[test]
fn the_metrics_feature_adds_no_dependency() {
    assert_eq!(dependency_tree(&["metrics"]), dependency_tree(&[]));
}

#[test]
fn the_batch_feature_brings_the_event_types_and_no_http_stack() {
    let tree = dependency_tree(&["batch"]);
    assert!(tree.iter().any(|name| name == "aws_lambda_events"), "{tree:?}");
    for absent in HTTP_CLIENT.iter().chain(&["lambda_http"]) {
        assert!(!tree.iter().any(|name| name == absent), "{absent} in {tree:?}");
    }
    // Neither does the service feature alone bring the batch event types.
    assert!(!dependency_tree(&[]).iter().any(|name| name == "aws_lambda_events"));
}

#[test]
fn the_tracer_feature_adds_no_dependency() {
    assert_eq!(dependency_tree(&["tracer"]), dependency_tree(&[]));
}

#[test]
fn the_default_features_hold_no_aws_sdk_crate_and_idempotency_brings_dynamodb_on_ring() {
    let defaults = dependency_tree(&["service", "local", "http", "batch", "metrics", "tracer"]);
    for absent in ["aws-config", "aws-sdk-dynamodb", "aws-smithy-runtime", "redis", "md-5"] {
        assert!(
            !defaults.iter().any(|name| name == absent),
            "{absent} in the defaults: {defaults:?}"
        );
    }
    let idempotency = dependency_tree(&["idempotency"]);
    for present in ["aws-sdk-dynamodb", "aws-config", "md-5"] {
        assert!(
            idempotency.iter().any(|name| name == present),
            "{present} missing: {idempotency:?}"
        );
    }
    for absent in ["aws-lc-rs", "aws-lc-sys", "redis"] {
        assert!(
            !idempotency.iter().any(|name| name == absent),
            "{absent} with idempotency: {idempotency:?}"
        );
    }
    let redis = dependency_tree(&["idempotency-redis"]);
    assert!(redis.iter().any(|name| name == "redis"), "{redis:?}");
    assert!(
        !redis
            .iter()
            .any(|name| name.starts_with("native-tls") || name == "aws-lc-rs"),
        "{redis:?}"
    );
}

#[test]
fn the_default_features_bring_no_aws_sdk_and_parameters_brings_its_clients_on_ring() {
    let defaults = dependency_tree(&["service", "local", "http", "batch", "metrics", "tracer"]);
    let sdk: Vec<&String> = defaults
        .iter()
        .filter(|name| name.starts_with("aws-sdk-") || name.starts_with("aws-config") || *name == "secrecy")
        .collect();
    assert!(sdk.is_empty(), "the default features pull in {sdk:?}");

    let tree = dependency_tree(&["parameters"]);
    for present in [
        "aws-sdk-ssm",
        "aws-sdk-secretsmanager",
        "aws-sdk-appconfigdata",
        "aws-sdk-dynamodb",
        "aws-config",
        "secrecy",
        "ring",
    ] {
        assert!(tree.iter().any(|name| name == present), "{present} not in {tree:?}");
    }
    // rustls on ring: no aws-lc (cmake, and several times ring's build time).
    for absent in ["aws-lc-rs", "aws-lc-sys", "cmake", "lambda_http", "reqwest"] {
        assert!(!tree.iter().any(|name| name == absent), "{absent} in {tree:?}");
    }
}
