//! The README's main command: the demo serves the order service on a local
//! port (`pypwext::lambda::LocalServer`), calls it over loopback HTTP, prints
//! each answer with its log lines, and exits 0.

use std::process::Command;

#[test]
fn the_demo_runs_and_shows_each_kind_of_answer() {
    let output = Command::new(env!("CARGO_BIN_EXE_order-service"))
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env_remove("AWS_LAMBDA_LOG_LEVEL")
        .env_remove("POWERTOOLS_LOG_LEVEL")
        .env_remove("LOG_LEVEL")
        .output()
        .expect("the demo starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "exit {:?}\n{stdout}", output.status);
    for expected in [
        "order-service demo: serving on http://127.0.0.1:",
        "-> 201 Created {\"lines\":[{\"quantity\":12,\"sku\":\"APPLE\",\"total_cents\":540}",
        "\"msg\":\"unknown product KIWI\"",
        "-> 400 Bad Request",
        "\"field\":\"items[0].quantity\"",
        "-> 404 Not Found {\"delivered\":true,\"email\":\"ada@example.com\",\"lines\":1,\"offer_cents\":808}",
        "-> 409 Conflict {\"delivered\":false,\"email\":\"nomail@example.com\"",
        "order-service demo: done",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
    // Each answer is followed by its log lines, JSON with the invocation keys.
    let log_lines: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  {").map(|rest| format!("{{{rest}")))
        .map(|l| serde_json::from_str(&l).expect("a JSON log line"))
        .collect();
    assert!(log_lines.len() >= 10, "{stdout}");
    assert!(
        log_lines
            .iter()
            .all(|l| l["function_request_id"].is_string() && l["service"] == "order-service")
    );
}
