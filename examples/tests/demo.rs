//! The README's main command: the demo serves the order service on a local
//! port (`pypwext::lambda::LocalServer`), calls it over loopback HTTP, prints
//! each answer with its log lines, and exits 0.

use std::process::Command;

#[test]
fn the_demo_runs_and_shows_each_kind_of_answer() {
    // The demo's X-Ray listener on a free port rather than the daemon's 2000.
    let free = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let xray_address = free.local_addr().unwrap().to_string();
    drop(free);
    let output = Command::new(env!("CARGO_BIN_EXE_order-service"))
        .env("AWS_XRAY_DAEMON_ADDRESS", &xray_address)
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
        "order-events demo: the SQS queue of orders",
        "-> partial batch response {\"batchItemFailures\":[{\"itemIdentifier\":\"msg-3\"},{\"itemIdentifier\":\"msg-4\"}]}",
        "\"record_id\":\"msg-3\",\"field\":\"items[0].quantity\"",
        "order 4 refused: 20000 MELON is more than we deliver",
        "order-service demo: done",
        "== order 1 delivered again (receive count 2): already stored, so not stored twice",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
    // The valid order sent twice: the same answer (the same order id), placed once.
    let ada = "-> 201 Created {\"lines\":[{\"quantity\":12,\"sku\":\"APPLE\",\"total_cents\":540},{\"quantity\":2,\"sku\":\"MELON\",\"total_cents\":598}],\"order_id\":1000,\"total_cents\":1138}";
    assert_eq!(stdout.matches(ada).count(), 2, "{stdout}");
    let accepted = |customer: &str| {
        stdout
            .lines()
            .filter(|l| {
                l.contains("\"message\":\"order accepted\"") && l.contains(&format!("\"customer\":\"{customer}\""))
            })
            .count()
    };
    assert_eq!(accepted("ada"), 1, "{stdout}");
    // Order 1 delivered again over SQS: no failure, and stored once.
    let redelivered = stdout.split("== order 1 delivered again").nth(1).unwrap();
    assert!(
        redelivered.contains("-> partial batch response {\"batchItemFailures\":[]}"),
        "{redelivered}"
    );
    let stored_order_1 = stdout
        .lines()
        .filter(|l| l.contains("\"message\":\"order stored\"") && l.contains("\"order\":1,"))
        .count();
    assert_eq!(stored_order_1, 1, "{stdout}");
    // Each answer is followed by its log lines, JSON with the invocation keys.
    let log_lines: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  {").map(|rest| format!("{{{rest}")))
        .map(|l| serde_json::from_str(&l).expect("a JSON log line"))
        .collect();
    assert!(log_lines.len() >= 10, "{stdout}");
    // The accepted orders count `OrdersPlaced`; the first call also writes `ColdStart`.
    let emf_lines: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  EMF "))
        .map(str::to_owned)
        .collect();
    pypwext_tests::check_emf(&emf_lines);
    let emf: Vec<serde_json::Value> = emf_lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("a JSON EMF line"))
        .collect();
    let placed: Vec<&serde_json::Value> = emf.iter().filter(|l| l.get("OrdersPlaced").is_some()).collect();
    assert_eq!(placed.len(), 2, "{stdout}");
    assert_eq!(placed[0]["OrdersPlaced"], serde_json::json!([1.0]));
    assert_eq!(placed[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"], "shop");
    assert_eq!(placed[0]["service"], "order-service");
    assert_eq!(
        emf.iter().filter(|l| l.get("ColdStart").is_some()).count(),
        1,
        "{stdout}"
    );
    assert!(
        log_lines
            .iter()
            .all(|l| l["function_request_id"].is_string() && l["service"] == "order-service")
    );

    // The two offers were sent with sampled trace headers: each shows its
    // handler's subsegment, the offers call's remote one under it, and the
    // offers service's handler joining the trace under the call.
    let xray_lines: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  XRAY "))
        .map(str::to_owned)
        .collect();
    pypwext_tests::check_xray(&xray_lines);
    let docs: Vec<serde_json::Value> = xray_lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(docs.len(), 6, "{stdout}");
    for trace in docs.chunks(3) {
        let [inbox, call, handler] = trace else { unreachable!() };
        assert_eq!(handler["name"], "## create_offer");
        assert_eq!(call["namespace"], "remote");
        assert_eq!(call["parent_id"], handler["id"]);
        assert_eq!(inbox["name"], "## offers_inbox");
        assert_eq!(
            inbox["parent_id"], call["id"],
            "the offers service joined the caller's trace"
        );
        assert!(trace.iter().all(|d| d["trace_id"] == handler["trace_id"]));
    }
    assert_eq!(docs[1]["http"]["response"]["status"], 202);
    assert_eq!(docs[4]["http"]["response"]["status"], 409);
    assert_eq!(docs[4]["error"], true);
}

/// `--serve`: listens where `PYPWEXT_LOCAL_ADDR` says, answers over loopback
/// HTTP, and stops cleanly on Ctrl-C (SIGINT), saying so.
#[test]
fn serve_answers_and_stops_on_ctrl_c() {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    use std::time::{Duration, Instant};

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_order-service"))
        .arg("--serve")
        .env("PYPWEXT_LOCAL_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the service starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert_eq!(
        first.trim(),
        format!("pypwext: serving on http://127.0.0.1:{port} as an API Gateway HTTP API would (Ctrl-C to stop)")
    );

    let body = r#"{"customer":"ada","email":"ada@example.com","items":[{"sku":"APPLE","quantity":2}]}"#;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "POST /orders HTTP/1.1\r\nhost: localhost\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201 Created"), "{answer}");

    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "stops within 10 s of Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(rest.lines().any(|l| l == "pypwext: stopped"), "{rest}");
    // The log lines in between are Powertools JSON with the invocation keys.
    assert!(
        rest.lines()
            .filter(|l| l.starts_with('{'))
            .any(|l| l.contains("\"function_request_id\"")),
        "{rest}"
    );
}
