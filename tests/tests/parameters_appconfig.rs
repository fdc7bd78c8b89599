//! `pypwext::parameters::app_config` against a stand-in for AppConfigData.
//!
//! moto has no AppConfigData, so this test serves the two operations of its
//! session API on loopback, as the service documents them, and reads
//! through the real SDK client: `StartConfigurationSession`
//! (`POST /configurationsessions`, a JSON body naming the application,
//! environment and profile, answered 201 with an `InitialConfigurationToken`)
//! and `GetLatestConfiguration` (`GET /configuration?configuration_token=…`,
//! answered with the configuration and the `Next-Poll-Configuration-Token`
//! header). Like the service, the stand-in takes each token once, answers an
//! empty configuration when it is unchanged since the session's last answer,
//! and refuses an unknown (or expired) token with `BadRequestException`.
//!
//! One test: the process's source and cache are set once.

use std::sync::{Arc, Mutex};

use pypwext::parameters::{self, AwsSource};
use pypwext_tests::parameters::sdk_config;
use pypwext_tests::{RawRequest, serve_each_request};
use tokio::io::AsyncWriteExt as _;

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Flags {
    beta: bool,
}

/// The stand-in's state, and what it saw.
#[derive(Default)]
struct AppConfigData {
    configuration: Vec<u8>,
    version: u32,
    /// Each token not yet used, and the version its session last answered.
    tokens: Vec<(String, Option<u32>)>,
    issued: u32,
    sessions: usize,
    gets: usize,
    empty_answers: usize,
}

impl AppConfigData {
    fn publish(&mut self, configuration: &str) {
        self.configuration = configuration.as_bytes().to_vec();
        self.version += 1;
    }

    fn token(&mut self, last: Option<u32>) -> String {
        self.issued += 1;
        let token = format!("token-{}", self.issued);
        self.tokens.push((token.clone(), last));
        token
    }

    fn answer(&mut self, request: &RawRequest) -> (u16, Vec<(&'static str, String)>, Vec<u8>) {
        let error = |status, code: &str| {
            (
                status,
                vec![("x-amzn-ErrorType", code.to_owned())],
                format!(r#"{{"Message": "{code}"}}"#).into_bytes(),
            )
        };
        if request.method == "POST" && request.target == "/configurationsessions" {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            let names = (
                &body["ApplicationIdentifier"],
                &body["EnvironmentIdentifier"],
                &body["ConfigurationProfileIdentifier"],
            );
            if names != (&"shop".into(), &"prod".into(), &"flags".into()) {
                return error(404, "ResourceNotFoundException");
            }
            self.sessions += 1;
            let token = self.token(None);
            let body = serde_json::json!({"InitialConfigurationToken": token}).to_string();
            return (
                201,
                vec![("Content-Type", "application/json".to_owned())],
                body.into_bytes(),
            );
        }
        let Some(token) = request.target.strip_prefix("/configuration?configuration_token=") else {
            return error(400, "BadRequestException");
        };
        self.gets += 1;
        let Some(at) = self.tokens.iter().position(|(known, _)| known == token) else {
            return error(400, "BadRequestException");
        };
        let (_, last) = self.tokens.remove(at);
        let unchanged = last == Some(self.version);
        let body = if unchanged {
            self.empty_answers += 1;
            Vec::new()
        } else {
            self.configuration.clone()
        };
        let next = self.token(Some(self.version));
        let headers = vec![
            ("Content-Type", "application/json".to_owned()),
            ("Next-Poll-Configuration-Token", next),
            ("Next-Poll-Interval-In-Seconds", "60".to_owned()),
        ];
        (200, headers, body)
    }
}

async fn stand_in() -> (String, Arc<Mutex<AppConfigData>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(AppConfigData::default()));
    let shared = Arc::clone(&state);
    serve_each_request(listener, move |request, mut stream| {
        let (status, headers, body) = shared.lock().unwrap().answer(&request);
        async move {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
            let _ = stream.shutdown().await;
        }
    });
    (endpoint, state)
}

#[tokio::test]
async fn the_session_token_is_kept_and_an_unchanged_configuration_is_the_last_one() {
    let (endpoint, state) = stand_in().await;
    state.lock().unwrap().publish(r#"{"beta": false}"#);
    parameters::set_source(AwsSource::from_config(&sdk_config(&endpoint).await)).unwrap();
    let counts = || {
        let state = state.lock().unwrap();
        (state.sessions, state.gets, state.empty_answers)
    };
    let read = || parameters::app_config("shop", "prod", "flags").json::<Flags>();

    assert_eq!(read().get().await.unwrap(), Flags { beta: false });
    assert_eq!(counts(), (1, 1, 0), "a session, then its first configuration");

    assert_eq!(read().get().await.unwrap(), Flags { beta: false });
    assert_eq!(counts(), (1, 1, 0), "cached: no call");

    // The next token of the session, answered empty: the last configuration.
    assert_eq!(read().force_fetch().get().await.unwrap(), Flags { beta: false });
    assert_eq!(counts(), (1, 2, 1), "same session, an empty answer");

    state.lock().unwrap().publish(r#"{"beta": true}"#);
    assert_eq!(read().force_fetch().get().await.unwrap(), Flags { beta: true });
    assert_eq!(counts(), (1, 3, 1), "same session, the new configuration");

    // Tokens expire (after 24 hours in AppConfig): a new session.
    state.lock().unwrap().tokens.clear();
    assert_eq!(read().force_fetch().get().await.unwrap(), Flags { beta: true });
    assert_eq!(counts(), (2, 5, 1), "the refused token, then a new session");

    let missing = parameters::app_config("shop", "prod", "nope").get().await.unwrap_err();
    assert_eq!(missing.code(), 404);
    assert_eq!(
        missing.message(),
        "the AppConfig configuration `shop/prod/nope` does not exist; create it or fix the name"
    );
}
