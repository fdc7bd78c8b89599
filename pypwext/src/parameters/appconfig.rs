//! AppConfig through the AppConfigData session API.
//!
//! `StartConfigurationSession` answers a token; `GetLatestConfiguration`
//! with that token answers the configuration and the token for the next
//! call. Once a session has handed out a configuration, the next call
//! answers an empty one while it is unchanged: the last one is kept here and
//! used. The token and the last configuration are kept per configuration
//! between fetches, so a repeat fetch is the cheap one. A token that the
//! service no longer takes (they expire after 24 hours) starts a new session.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use aws_sdk_appconfigdata::Client;

use super::aws::fetch_error;
use super::source::{FetchError, FetchErrorKind, Fetched};

/// The code of an application, environment or profile that does not exist.
const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

/// The code of a token the service does not take (expired, or used twice).
const BAD_REQUEST: &str = "BadRequestException";

/// A configuration's session: the token for the next call and the last
/// configuration it answered.
#[derive(Default)]
struct Session {
    token: Option<String>,
    last: Option<Vec<u8>>,
}

type Key = (String, String, String);

/// The sessions, per configuration. The lock is held to take or put back a
/// session, never across a call.
#[derive(Default)]
pub(crate) struct Sessions {
    sessions: Mutex<HashMap<Key, Session>>,
}

impl Sessions {
    pub(crate) async fn fetch(
        &self,
        client: &Client,
        application: &str,
        environment: &str,
        profile: &str,
    ) -> Result<Fetched, FetchError> {
        let key = (application.to_owned(), environment.to_owned(), profile.to_owned());
        // Taken out while in use: a concurrent fetch of the same configuration
        // (the cache's single flight makes that rare) starts its own session.
        let session = self
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key)
            .unwrap_or_default();
        let had_token = session.token.is_some();
        let outcome = match latest(client, &key, session).await {
            Err((err, last)) if had_token && err.reason() == BAD_REQUEST => {
                latest(client, &key, Session { token: None, last }).await
            }
            outcome => outcome,
        };
        match outcome {
            Ok(session) => {
                let configuration = session.last.clone().unwrap_or_default();
                self.sessions
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(key, session);
                Ok(Fetched::Bytes(configuration))
            }
            // The token was spent or refused: the next fetch starts a new session.
            Err((err, _)) => Err(err),
        }
    }
}

/// One `GetLatestConfiguration` (after `StartConfigurationSession` when there
/// is no token): the session with the next token and the configuration.
async fn latest(client: &Client, key: &Key, session: Session) -> Result<Session, (FetchError, Option<Vec<u8>>)> {
    let Session { token, last } = session;
    let token = match token {
        Some(token) => token,
        None => {
            let started = client
                .start_configuration_session()
                .application_identifier(&key.0)
                .environment_identifier(&key.1)
                .configuration_profile_identifier(&key.2)
                .send()
                .await
                .map_err(|err| (fetch_error(err, NOT_FOUND), None))?;
            started.initial_configuration_token.ok_or_else(|| {
                (
                    FetchError::new(FetchErrorKind::Failed, "the session started without a token"),
                    None,
                )
            })?
        }
    };
    let output = match client
        .get_latest_configuration()
        .configuration_token(token)
        .send()
        .await
    {
        Ok(output) => output,
        Err(err) => return Err((fetch_error(err, NOT_FOUND), last)),
    };
    let configuration = output
        .configuration
        .map(|blob| blob.into_inner())
        .filter(|bytes| !bytes.is_empty());
    Ok(Session {
        token: output.next_poll_configuration_token,
        // Empty: unchanged since the last answer of this session.
        last: configuration.or(last),
    })
}
