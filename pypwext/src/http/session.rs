//! `HttpSession`: a reqwest client with urllib3 retries, the invocation's
//! deadline, SigV4 and JSON defaults.

use std::sync::Arc;
use std::time::Duration;

use http::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware, RequestBuilder};

use super::credentials::{CredentialsProvider, EnvironmentCredentials};
use super::retry::{RetryMiddleware, RetryPolicy};
use super::sigv4::SigningMiddleware;
use crate::errors::PwError;

/// An HTTP client for calling other services: retries with urllib3's rules
/// (the Python pypwext's), no attempt or back-off past the Lambda
/// invocation's deadline, SigV4 for API Gateway and Lambda, JSON by default.
/// Cheap to clone; build one and share it (a `static` `LazyLock`).
///
/// ```
/// use std::time::Duration;
/// use pypwext::http::HttpSession;
///
/// let session = HttpSession::builder()
///     .timeout(Duration::from_secs(5))
///     .total_retries(2)
///     .backoff_factor(0.2)
///     .build()
///     .unwrap();
/// // session.get("https://example.com/orders/1").send().await
/// # let _ = session;
/// ```
#[derive(Debug, Clone)]
pub struct HttpSession {
    client: ClientWithMiddleware,
    region: Option<String>,
    lambda_endpoint: Option<String>,
}

/// Configures an [`HttpSession`].
#[derive(Debug)]
#[must_use]
pub struct HttpSessionBuilder {
    policy: RetryPolicy,
    default_headers: HeaderMap,
    region: Option<String>,
    api_gateway_mapping: bool,
    credentials: Arc<dyn CredentialsProvider>,
    resolve: Vec<(String, std::net::SocketAddr)>,
    lambda_endpoint: Option<String>,
    log: Option<super::log::LogSettings>,
    problems: Vec<String>,
}

impl Default for HttpSessionBuilder {
    fn default() -> Self {
        let mut default_headers = HeaderMap::new();
        default_headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        default_headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        HttpSessionBuilder {
            policy: RetryPolicy {
                total: 3,
                backoff_factor: 0.5,
                backoff_max: Duration::from_secs(120),
                status_forcelist: [429, 500, 502, 503, 504]
                    .into_iter()
                    .filter_map(|code| StatusCode::from_u16(code).ok())
                    .collect(),
                allowed_methods: vec![
                    Method::HEAD,
                    Method::GET,
                    Method::PUT,
                    Method::DELETE,
                    Method::OPTIONS,
                    Method::TRACE,
                ],
                respect_retry_after: true,
                timeout: Duration::from_secs(30),
                deadline_margin: Duration::from_millis(100),
            },
            default_headers,
            region: std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()),
            api_gateway_mapping: true,
            credentials: Arc::new(EnvironmentCredentials),
            resolve: Vec::new(),
            lambda_endpoint: lambda_endpoint_from(|name| std::env::var(name).ok()),
            log: None,
            problems: Vec::new(),
        }
    }
}

impl HttpSessionBuilder {
    /// The most one attempt may take (default 30 s); inside an invocation also
    /// no more than what is left of it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        if timeout.is_zero() {
            self.problems.push("timeout must be more than zero".to_owned());
        }
        self.policy.timeout = timeout;
        self
    }

    /// How many retries at most, whatever the cause (default 3); 0 sends once.
    pub fn total_retries(mut self, total: u32) -> Self {
        self.policy.total = total;
        self
    }

    /// urllib3's back-off factor in seconds (default 0.5): no pause before the
    /// first retry, then up to `factor * 2^(n-1)` (full jitter).
    pub fn backoff_factor(mut self, factor: f64) -> Self {
        if !(factor.is_finite() && factor >= 0.0) {
            self.problems.push(format!(
                "backoff_factor {factor} must be a number of seconds, 0 or more"
            ));
        }
        self.policy.backoff_factor = factor;
        self
    }

    /// The longest back-off (default 120 s).
    pub fn backoff_max(mut self, max: Duration) -> Self {
        self.policy.backoff_max = max;
        self
    }

    /// The statuses that are retried (default 429, 500, 502, 503, 504).
    pub fn status_forcelist(mut self, statuses: impl IntoIterator<Item = StatusCode>) -> Self {
        self.policy.status_forcelist = statuses.into_iter().collect();
        self
    }

    /// The methods retried after a status or a failure once sent (default
    /// HEAD, GET, PUT, DELETE, OPTIONS, TRACE: the idempotent ones). A failure
    /// to connect is retried for every method: nothing was sent.
    pub fn allowed_methods(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        self.policy.allowed_methods = methods.into_iter().collect();
        self
    }

    /// Wait as `Retry-After` says on 413, 429 and 503 (default on).
    pub fn respect_retry_after(mut self, respect: bool) -> Self {
        self.policy.respect_retry_after = respect;
        self
    }

    /// How long before the invocation's deadline the session gives up
    /// (default 100 ms), leaving time to answer.
    pub fn deadline_margin(mut self, margin: Duration) -> Self {
        self.policy.deadline_margin = margin;
        self
    }

    /// Adds a header sent with every request (defaults: `Accept` and
    /// `Content-Type` `application/json`).
    pub fn default_header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            (Ok(name), Ok(value)) => {
                self.default_headers.insert(name, value);
            }
            _ => self.problems.push(format!("{name:?}: {value:?} is not a valid header")),
        }
        self
    }

    /// Sends no default headers.
    pub fn no_default_headers(mut self) -> Self {
        self.default_headers.clear();
        self
    }

    /// The region requests are signed for (default `AWS_REGION`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sign requests to `*.execute-api.<region>.amazonaws.com` with SigV4
    /// (default on).
    pub fn api_gateway_mapping(mut self, on: bool) -> Self {
        self.api_gateway_mapping = on;
        self
    }

    /// Where credentials for SigV4 come from (default: the environment).
    pub fn credentials(mut self, provider: impl CredentialsProvider) -> Self {
        self.credentials = Arc::new(provider);
        self
    }

    /// Sends requests for `host` to `addr` instead of asking DNS: a VPC
    /// endpoint, say, or a test server standing in for an AWS host.
    pub fn resolve(mut self, host: impl Into<String>, addr: std::net::SocketAddr) -> Self {
        self.resolve.push((host.into(), addr));
        self
    }

    /// Where Lambda invocations (`FUNC`, `EVENT`) go (default
    /// `AWS_ENDPOINT_URL_LAMBDA`, else `AWS_ENDPOINT_URL`, else
    /// `https://lambda.<region>.amazonaws.com`).
    pub fn lambda_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.lambda_endpoint = Some(endpoint.into());
        self
    }

    /// Logs every attempt (method, URL, headers; status, elapsed time,
    /// headers) at `level` with `classification`. `Authorization`, cookies and
    /// `X-Amz-Security-Token` are written as `*****`. Off by default.
    pub fn log_requests(mut self, level: tracing::Level, classification: crate::errors::InfoClassification) -> Self {
        self.log = Some(super::log::LogSettings { level, classification });
        self
    }

    /// The session, or every setting that was wrong.
    pub fn build(self) -> Result<HttpSession, PwError> {
        if !self.problems.is_empty() {
            return Err(PwError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the HTTP session is misconfigured: {}", self.problems.join("; ")),
            ));
        }
        crate::tls::install_crypto_provider();
        let mut client = reqwest::Client::builder().default_headers(self.default_headers);
        for (host, addr) in &self.resolve {
            client = client.resolve(host, *addr);
        }
        let client = client.build().map_err(|err| {
            PwError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the HTTP client cannot start: {err}"),
            )
            .with_source(err)
        })?;
        let client = ClientBuilder::new(client);
        // Outermost: one subsegment around every attempt, its header on each.
        #[cfg(feature = "tracer")]
        let client = client.with(super::trace::TraceMiddleware);
        let client = client.with(RetryMiddleware { policy: self.policy });
        let mut client = client.with(SigningMiddleware {
            credentials: self.credentials,
            region: self.region.clone(),
            api_gateway_mapping: self.api_gateway_mapping,
        });
        if let Some(settings) = self.log {
            // After signing: the line shows what was sent, signature headers redacted.
            client = client.with(super::log::LoggingMiddleware { settings });
        }
        let client = client.build();
        let lambda_endpoint = self.lambda_endpoint.or_else(|| {
            self.region
                .as_ref()
                .map(|r| format!("https://lambda.{r}.amazonaws.com"))
        });
        Ok(HttpSession {
            client,
            region: self.region,
            lambda_endpoint,
        })
    }
}

/// The Lambda endpoint the environment names: `AWS_ENDPOINT_URL_LAMBDA`, else
/// `AWS_ENDPOINT_URL` (empty values count as unset).
fn lambda_endpoint_from(env: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL"]
        .into_iter()
        .find_map(|name| env(name).filter(|value| !value.is_empty()))
}

impl HttpSession {
    /// Starts configuring a session.
    pub fn builder() -> HttpSessionBuilder {
        HttpSessionBuilder::default()
    }

    /// A session with the defaults.
    pub fn new() -> Result<HttpSession, PwError> {
        HttpSession::builder().build()
    }

    /// The region requests are signed for, if any.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Where Lambda invocations go, if known.
    pub fn lambda_endpoint(&self) -> Option<&str> {
        self.lambda_endpoint.as_deref()
    }

    /// A request with any method.
    pub fn request(&self, method: Method, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.client.request(method, url)
    }

    /// A GET request.
    pub fn get(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.client.get(url)
    }

    /// A POST request (never retried once sent).
    pub fn post(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.client.post(url)
    }

    /// A PUT request.
    pub fn put(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.client.put(url)
    }

    /// A PATCH request (never retried once sent).
    pub fn patch(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.client.patch(url)
    }

    /// A DELETE request.
    pub fn delete(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.client.delete(url)
    }
}

/// An HTTP failure as a [`PwError`]: 504 for a timeout or the deadline, 502
/// for anything else that kept an answer from coming back.
pub fn http_error(err: reqwest_middleware::Error) -> PwError {
    let (code, what) = match &err {
        reqwest_middleware::Error::Reqwest(e) if e.is_timeout() => (StatusCode::GATEWAY_TIMEOUT, "timed out"),
        reqwest_middleware::Error::Reqwest(e) if e.is_connect() => (StatusCode::BAD_GATEWAY, "could not connect"),
        reqwest_middleware::Error::Reqwest(_) => (StatusCode::BAD_GATEWAY, "failed"),
        reqwest_middleware::Error::Middleware(e) if e.is::<super::retry::DeadlineReached>() => {
            (StatusCode::GATEWAY_TIMEOUT, "ran out of time")
        }
        reqwest_middleware::Error::Middleware(_) => (StatusCode::BAD_GATEWAY, "failed"),
    };
    let message = format!("the HTTP request {what}: {err}");
    PwError::new(code, message).with_source(err)
}

/// Sends a request and reads the answer whole; `label` names the call in errors.
pub(super) async fn send_request(
    label: &str,
    request: Result<reqwest_middleware::RequestBuilder, PwError>,
) -> Result<super::response::HttpResponse, PwError> {
    super::response::read(label, send(request).await?).await
}

/// Sends a prepared call; the answer's body is not read yet.
pub fn send(
    request: Result<reqwest_middleware::RequestBuilder, PwError>,
) -> super::CallFuture<'static, reqwest::Response> {
    Box::pin(async move { request?.send().await.map_err(http_error) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lambda_endpoint_comes_from_the_environment_in_order() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        let both = &[
            ("AWS_ENDPOINT_URL_LAMBDA", "http://lambda.local"),
            ("AWS_ENDPOINT_URL", "http://all.local"),
        ];
        assert_eq!(lambda_endpoint_from(env(both)).as_deref(), Some("http://lambda.local"));
        assert_eq!(
            lambda_endpoint_from(env(&both[1..])).as_deref(),
            Some("http://all.local")
        );
        assert_eq!(
            lambda_endpoint_from(env(&[
                ("AWS_ENDPOINT_URL_LAMBDA", ""),
                ("AWS_ENDPOINT_URL", "http://all.local")
            ]))
            .as_deref(),
            Some("http://all.local")
        );
        assert_eq!(lambda_endpoint_from(env(&[])), None);
    }

    #[test]
    fn bad_settings_are_all_reported() {
        let err = HttpSession::builder()
            .timeout(Duration::ZERO)
            .backoff_factor(f64::NAN)
            .default_header("bad header", "x")
            .build()
            .unwrap_err();
        let message = err.message();
        assert!(message.contains("timeout must be more than zero"), "{message}");
        assert!(message.contains("backoff_factor NaN"), "{message}");
        assert!(message.contains("is not a valid header"), "{message}");
    }

    #[test]
    fn the_region_gives_the_lambda_endpoint() {
        let session = HttpSession::builder().region("eu-north-1").build().unwrap();
        if std::env::var_os("AWS_ENDPOINT_URL_LAMBDA").is_none() && std::env::var_os("AWS_ENDPOINT_URL").is_none() {
            assert_eq!(
                session.lambda_endpoint(),
                Some("https://lambda.eu-north-1.amazonaws.com")
            );
        }
        let explicit = HttpSession::builder()
            .lambda_endpoint("http://127.0.0.1:1")
            .build()
            .unwrap();
        assert_eq!(explicit.lambda_endpoint(), Some("http://127.0.0.1:1"));
    }
}
