//! [`AwsSource`]: the four AWS stores through the AWS SDK, and how an SDK
//! error becomes a [`FetchError`].

use std::fmt;

use aws_config::SdkConfig;
use aws_runtime::retries::classifiers::{THROTTLING_ERRORS, TRANSIENT_ERRORS};
use aws_sdk_ssm::config::http::HttpResponse;
use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};
use tokio::sync::OnceCell;

use super::appconfig::Sessions;
use super::source::{Fetch, FetchError, FetchErrorKind, FetchFuture, Source};

/// The AWS services as a [`Source`]: SSM Parameter Store, Secrets Manager,
/// AppConfigData and DynamoDB, through the AWS SDK.
///
/// The default source, [`from_env`](AwsSource::from_env), builds its clients
/// on first use from the configuration `aws-config` reads from the
/// environment (in Lambda: the function's role, region and
/// `AWS_ENDPOINT_URL*`). Clients pypwext builds make one attempt per call,
/// since pypwext retries within the invocation's deadline; clients you give
/// keep their own retry settings.
///
/// ```no_run
/// use pypwext::parameters::{self, AwsSource};
///
/// # async fn f() -> Result<(), pypwext::PwError> {
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// parameters::set_source(AwsSource::from_config(&config))?;
/// # Ok(()) }
/// ```
pub struct AwsSource {
    config: Option<SdkConfig>,
    ssm: OnceCell<aws_sdk_ssm::Client>,
    secrets: OnceCell<aws_sdk_secretsmanager::Client>,
    appconfig: OnceCell<aws_sdk_appconfigdata::Client>,
    dynamodb: OnceCell<aws_sdk_dynamodb::Client>,
    sessions: Sessions,
}

impl fmt::Debug for AwsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsSource")
            .field("from_env", &self.config.is_none())
            .finish_non_exhaustive()
    }
}

impl AwsSource {
    /// The stores with the SDK configuration of the environment, loaded on
    /// the first fetch (and shared with pypwext's other AWS features).
    pub fn from_env() -> Self {
        AwsSource {
            config: None,
            ssm: OnceCell::new(),
            secrets: OnceCell::new(),
            appconfig: OnceCell::new(),
            dynamodb: OnceCell::new(),
            sessions: Sessions::default(),
        }
    }

    /// The stores with clients built from `config` (an endpoint, a region,
    /// credentials of your choosing).
    pub fn from_config(config: &SdkConfig) -> Self {
        AwsSource {
            config: Some(config.clone()),
            ..AwsSource::from_env()
        }
    }

    /// Reads SSM parameters with `client`.
    #[must_use]
    pub fn with_ssm_client(self, client: aws_sdk_ssm::Client) -> Self {
        AwsSource {
            ssm: OnceCell::new_with(Some(client)),
            ..self
        }
    }

    /// Reads secrets with `client`.
    #[must_use]
    pub fn with_secrets_manager_client(self, client: aws_sdk_secretsmanager::Client) -> Self {
        AwsSource {
            secrets: OnceCell::new_with(Some(client)),
            ..self
        }
    }

    /// Reads AppConfig configurations with `client`.
    #[must_use]
    pub fn with_app_config_client(self, client: aws_sdk_appconfigdata::Client) -> Self {
        AwsSource {
            appconfig: OnceCell::new_with(Some(client)),
            ..self
        }
    }

    /// Reads DynamoDB items with `client`.
    #[must_use]
    pub fn with_dynamodb_client(self, client: aws_sdk_dynamodb::Client) -> Self {
        AwsSource {
            dynamodb: OnceCell::new_with(Some(client)),
            ..self
        }
    }

    async fn config(&self) -> &SdkConfig {
        match &self.config {
            Some(config) => config,
            None => crate::aws_sdk::shared_config().await,
        }
    }
}

/// A client built from a configuration, with the SDK's retries off: pypwext
/// retries within the invocation's deadline.
macro_rules! client {
    ($self:ident, $cell:ident, $krate:ident) => {
        $self
            .$cell
            .get_or_init(|| async {
                let config = $krate::config::Builder::from($self.config().await)
                    .retry_config($krate::config::retry::RetryConfig::disabled())
                    .build();
                $krate::Client::from_conf(config)
            })
            .await
    };
}

impl Source for AwsSource {
    fn fetch<'a>(&'a self, request: &'a Fetch) -> FetchFuture<'a> {
        Box::pin(async move {
            match request {
                Fetch::Ssm { name } => super::ssm::one(client!(self, ssm, aws_sdk_ssm), name).await,
                Fetch::SsmNames { names } => super::ssm::names(client!(self, ssm, aws_sdk_ssm), names).await,
                Fetch::SsmPath { path, recursive } => {
                    super::ssm::path(client!(self, ssm, aws_sdk_ssm), path, *recursive).await
                }
                Fetch::Secret { name } => {
                    super::secrets::one(client!(self, secrets, aws_sdk_secretsmanager), name).await
                }
                Fetch::AppConfig {
                    application,
                    environment,
                    profile,
                } => {
                    let client = client!(self, appconfig, aws_sdk_appconfigdata);
                    self.sessions.fetch(client, application, environment, profile).await
                }
                Fetch::DynamoDb { table, key } => {
                    super::dynamodb::one(client!(self, dynamodb, aws_sdk_dynamodb), table, key).await
                }
                Fetch::DynamoDbMany { table, key } => {
                    super::dynamodb::many(client!(self, dynamodb, aws_sdk_dynamodb), table, key).await
                }
            }
        })
    }
}

/// An SDK error as a [`FetchError`]: a code in `not_found` a 404 (the
/// value does not exist); a code the SDK's own retry classifier calls
/// throttling or transient, a 429 or 5xx, a timeout or a network failure
/// transient; anything else a failure, its code the reason.
pub(crate) fn fetch_error<E>(err: SdkError<E, HttpResponse>, not_found: &[&str]) -> FetchError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (kind, reason) = match &err {
        SdkError::TimeoutError(_) => (FetchErrorKind::Transient, "timed out".to_owned()),
        SdkError::DispatchFailure(_) => (FetchErrorKind::Transient, "network failure".to_owned()),
        SdkError::ResponseError(_) => (FetchErrorKind::Transient, "unreadable response".to_owned()),
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("unknown error").to_owned();
            let status = service.raw().status().as_u16();
            let kind = if not_found.contains(&code.as_str()) {
                FetchErrorKind::NotFound
            } else if THROTTLING_ERRORS.contains(&code.as_str())
                || TRANSIENT_ERRORS.contains(&code.as_str())
                || status >= 500
                || status == 429
            {
                FetchErrorKind::Transient
            } else {
                FetchErrorKind::Failed
            };
            (kind, code)
        }
        _ => (FetchErrorKind::Failed, "the request could not be made".to_owned()),
    };
    match kind {
        FetchErrorKind::NotFound => FetchError::not_found().with_source(err),
        _ => FetchError::new(kind, reason).with_source(err),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_ssm::error::ErrorMetadata;
    use aws_sdk_ssm::operation::get_parameter::GetParameterError;
    use aws_smithy_types::body::SdkBody;

    use super::*;

    /// The kind and reason of a service's answer `status` with error `code`.
    fn classify(status: u16, code: &str) -> (FetchErrorKind, String) {
        let raw =
            HttpResponse::try_from(http::Response::builder().status(status).body(SdkBody::empty()).unwrap()).unwrap();
        let err = GetParameterError::generic(ErrorMetadata::builder().code(code).build());
        let fetched = fetch_error(SdkError::service_error(err, raw), &["ParameterNotFound"]);
        (fetched.kind(), fetched.reason().to_owned())
    }

    #[test]
    fn the_sdk_s_throttling_and_transient_codes_are_tried_again() {
        for code in [
            "ThrottlingException",
            "LimitExceededException",
            "BandwidthLimitExceeded",
            "EC2ThrottledException",
            "RequestTimeout",
            "RequestTimeoutException",
        ] {
            assert_eq!(
                classify(400, code),
                (FetchErrorKind::Transient, code.to_owned()),
                "{code}"
            );
        }
        assert_eq!(classify(503, "Whatever").0, FetchErrorKind::Transient);
        assert_eq!(classify(429, "Whatever").0, FetchErrorKind::Transient);
    }

    #[test]
    fn a_missing_value_is_not_found_and_a_refusal_fails_with_its_code() {
        assert_eq!(classify(400, "ParameterNotFound").0, FetchErrorKind::NotFound);
        assert_eq!(
            classify(400, "AccessDeniedException"),
            (FetchErrorKind::Failed, "AccessDeniedException".to_owned())
        );
    }
}
