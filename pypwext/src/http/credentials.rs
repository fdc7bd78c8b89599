//! AWS credentials for SigV4: where they come from, and that they never show.

use std::fmt;

use http::StatusCode;

use crate::errors::PwError;

/// An access key, its secret and an optional session token. `Debug` shows
/// the key id only.
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

impl Credentials {
    /// Credentials from their parts.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: session_token.filter(|t| !t.is_empty()),
        }
    }

    /// The access key id (not a secret).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    pub(crate) fn to_identity(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            &self.access_key_id,
            &self.secret_access_key,
            self.session_token.clone(),
            None,
            "pypwext",
        )
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"*****")
            .field("session_token", &self.session_token.as_ref().map(|_| "*****"))
            .finish()
    }
}

/// Where an [`HttpSession`](super::HttpSession) gets credentials for each
/// signed request (asked every time, so rotated credentials are picked up).
pub trait CredentialsProvider: fmt::Debug + Send + Sync + 'static {
    /// The credentials to sign with now.
    fn credentials(&self) -> Result<Credentials, PwError>;
}

/// Fixed credentials.
impl CredentialsProvider for Credentials {
    fn credentials(&self) -> Result<Credentials, PwError> {
        Ok(self.clone())
    }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, as the
/// Lambda runtime sets them for the function's role. The default.
#[derive(Debug, Default, Clone, Copy)]
pub struct EnvironmentCredentials;

impl CredentialsProvider for EnvironmentCredentials {
    fn credentials(&self) -> Result<Credentials, PwError> {
        let read = |name: &str| {
            std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or_else(|| {
                PwError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("{name} is not set: a signed request needs AWS credentials in the environment"),
                )
            })
        };
        Ok(Credentials::new(
            read("AWS_ACCESS_KEY_ID")?,
            read("AWS_SECRET_ACCESS_KEY")?,
            std::env::var("AWS_SESSION_TOKEN").ok(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", Some("token-xyz".into()));
        let shown = format!("{credentials:?}");
        assert!(shown.contains("AKIDEXAMPLE"));
        assert!(!shown.contains("wJalr") && !shown.contains("token-xyz"), "{shown}");
    }
}
