//! The SigV4 test vectors that ship inside the aws-sigv4 crate, through our
//! signing path (`pypwext::http::sign_request` on a `reqwest::Request`).

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use pypwext::http::{Credentials, sign_request};

/// The vectors' folder in the cargo registry, for the aws-sigv4 version in Cargo.lock.
fn vectors_dir() -> PathBuf {
    let lock = include_str!("../../Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"aws-sigv4\""))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_owned())
        .expect("aws-sigv4 is in Cargo.lock");
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo"));
    let registry = cargo_home.join("registry").join("src");
    for index in std::fs::read_dir(&registry).expect("the cargo registry sources") {
        let dir = index
            .unwrap()
            .path()
            .join(format!("aws-sigv4-{version}"))
            .join("aws-signing-test-suite")
            .join("v4");
        if dir.is_dir() {
            return dir;
        }
    }
    panic!("aws-sigv4 {version} sources not found under {}", registry.display());
}

/// The vectors aws-sigv4's own suite ignores (single URI encoding, paths an
/// HTTP parser refuses), read from its `#[ignore]`d tests, with the reason.
fn ignored_upstream(dir: &std::path::Path) -> Vec<(String, String)> {
    let source = dir.join("../../src/http_request/sign.rs");
    let source = std::fs::read_to_string(&source).expect("aws-sigv4's sign.rs");
    let mut ignored = Vec::new();
    let mut reason: Option<String> = None;
    for line in source.lines() {
        let line = line.trim();
        if line.starts_with("#[test]") {
            reason = None;
        } else if let Some(rest) = line.strip_prefix("#[ignore") {
            reason = Some(
                rest.trim_start_matches(" = ")
                    .trim_end_matches(']')
                    .trim_matches('"')
                    .to_owned(),
            );
        } else if let Some(rest) = line.strip_prefix("run_test_suite_v4(\"")
            && let Some(reason) = &reason
        {
            ignored.push((rest.trim_end_matches("\");").to_owned(), reason.clone()));
        }
    }
    ignored
}

/// `2015-08-30T12:36:00Z` as a time.
fn parse_timestamp(s: &str) -> SystemTime {
    let (date, time) = s.trim_end_matches('Z').split_once('T').unwrap();
    let d: Vec<i64> = date.split('-').map(|p| p.parse().unwrap()).collect();
    let t: Vec<u64> = time.split(':').map(|p| p.parse().unwrap()).collect();
    let (y, m, day) = (if d[1] <= 2 { d[0] - 1 } else { d[0] }, d[1], d[2]);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let days = (era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468) as u64;
    SystemTime::UNIX_EPOCH + Duration::from_secs(days * 86_400 + t[0] * 3600 + t[1] * 60 + t[2])
}

/// `request.txt` as a reqwest request, or why it cannot be one.
fn parse_request(text: &str) -> Result<reqwest::Request, String> {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let request_line = lines.next().ok_or("empty request")?;
    let mut parts = request_line.splitn(3, ' ');
    let method: reqwest::Method = parts.next().unwrap().parse().map_err(|e| format!("{e}"))?;
    let target = parts.next().ok_or("no target")?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with(' ') || line.starts_with('\t') {
            return Err("a folded (multi-line) header, which HTTP/1.1 forbids and reqwest refuses".into());
        }
        let (name, value) = line.split_once(':').ok_or("a header without a colon")?;
        headers.push((name.to_owned(), value.to_owned()));
    }
    if target.contains(' ') {
        return Err("an unencoded space in the request-target, which no HTTP client sends".into());
    }
    let host = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .ok_or("no host")?
        .1
        .clone();
    let url = reqwest::Url::parse(&format!("https://{host}{target}")).map_err(|e| e.to_string())?;
    // reqwest normalizes `/./` and `/../` as the signer's own normalization
    // does: the canonical request is the same either way.
    let mut request = reqwest::Request::new(method, url);
    for (name, value) in headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        let value = reqwest::header::HeaderValue::from_str(&value).map_err(|e| e.to_string())?;
        request.headers_mut().append(name, value);
    }
    if !body.is_empty() {
        *request.body_mut() = Some(body.to_owned().into());
    }
    Ok(request)
}

#[test]
fn aws_sigv4_vectors_pass_through_our_signing_path() {
    let dir = vectors_dir();
    let mut passed = Vec::new();
    let mut not_applicable = Vec::new();
    let ignored = ignored_upstream(&dir);
    assert!(!ignored.is_empty(), "aws-sigv4's ignored vectors were found");
    let mut entries: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for case in entries {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        if let Some((_, why)) = ignored.iter().find(|(n, _)| *n == name) {
            not_applicable.push(format!("{name}: ignored by aws-sigv4 itself ({why})"));
            continue;
        }
        let Ok(context) = std::fs::read_to_string(case.join("context.json")) else {
            not_applicable.push(format!("{name}: no context.json (a canonicalization case only)"));
            continue;
        };
        let context: serde_json::Value = serde_json::from_str(&context).unwrap();
        // Our path signs with the default settings: normalized paths, unsigned
        // body hash header off, session token included. Vectors for other
        // settings test aws-sigv4's options, not our path.
        if context["normalize"] != true
            || context["sign_body"] == true
            || context.get("omit_session_token") == Some(&true.into())
        {
            not_applicable.push(format!("{name}: other signing settings"));
            continue;
        }
        let request_text = std::fs::read_to_string(case.join("request.txt")).unwrap();
        let mut request = match parse_request(&request_text) {
            Ok(request) => request,
            Err(why) => {
                not_applicable.push(format!("{name}: {why}"));
                continue;
            }
        };
        let credentials = Credentials::new(
            context["credentials"]["access_key_id"].as_str().unwrap(),
            context["credentials"]["secret_access_key"].as_str().unwrap(),
            context["credentials"]["token"].as_str().map(str::to_owned),
        );
        sign_request(
            &mut request,
            &credentials,
            context["service"].as_str().unwrap(),
            context["region"].as_str().unwrap(),
            parse_timestamp(context["timestamp"].as_str().unwrap()),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected_signature = std::fs::read_to_string(case.join("header-signature.txt")).unwrap();
        let authorization = request.headers()["authorization"].to_str().unwrap().to_owned();
        assert!(
            authorization.ends_with(&format!("Signature={}", expected_signature.trim())),
            "{name}: {authorization} does not end with Signature={}",
            expected_signature.trim()
        );
        if let Some(token) = context["credentials"]["token"].as_str() {
            assert_eq!(request.headers()["x-amz-security-token"], token, "{name}");
        }
        passed.push(name);
    }
    println!(
        "{} vectors passed; not applicable to this path:\n  {}",
        passed.len(),
        not_applicable.join("\n  ")
    );
    assert!(
        passed.len() >= 24,
        "every vector for these settings applies: {} passed",
        passed.len()
    );
    assert!(passed.contains(&"get-vanilla-with-session-token".to_owned()));
    assert!(passed.contains(&"post-vanilla".to_owned()));
}
