//! SigV4 signing of each attempt, with aws-sigv4.

use std::sync::Arc;
use std::time::SystemTime;

use http::{Extensions, StatusCode};
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use super::credentials::CredentialsProvider;
use crate::errors::PwError;

/// Asks for a request to be signed for `service` (`"lambda"`, `"execute-api"`,
/// …) in `region`: set it as a request extension. API Gateway URLs
/// (`*.execute-api.<region>.amazonaws.com`) are signed without it while the
/// session's `api_gateway_mapping` is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignFor {
    /// The signing name of the service.
    pub service: String,
    /// The region; `None` means the session's.
    pub region: Option<String>,
}

/// Signs requests; runs after the retry middleware, so that every attempt
/// carries a fresh signature and date.
#[derive(Debug)]
pub(crate) struct SigningMiddleware {
    pub(crate) credentials: Arc<dyn CredentialsProvider>,
    pub(crate) region: Option<String>,
    pub(crate) api_gateway_mapping: bool,
}

/// The service and region an API Gateway host signs for:
/// `abc123.execute-api.eu-west-1.amazonaws.com` is `execute-api` in `eu-west-1`.
pub(crate) fn api_gateway_region(host: &str) -> Option<&str> {
    let rest = host.strip_suffix(".amazonaws.com")?;
    let (before, region) = rest.rsplit_once('.')?;
    before.ends_with(".execute-api").then_some(region)
}

impl SigningMiddleware {
    fn target(&self, request: &Request, extensions: &Extensions) -> Option<(String, String)> {
        if let Some(sign) = extensions.get::<SignFor>() {
            let region = sign.region.clone().or_else(|| self.region.clone())?;
            return Some((sign.service.clone(), region));
        }
        if !self.api_gateway_mapping {
            return None;
        }
        let region = api_gateway_region(request.url().host_str()?)?;
        Some(("execute-api".to_owned(), region.to_owned()))
    }
}

/// Signs `request` in place with SigV4 for `service` in `region` at `time`:
/// adds `X-Amz-Date`, `Authorization` and, with a session token,
/// `X-Amz-Security-Token`. The session does this by itself for API Gateway
/// and [`SignFor`] requests; this is for requests built by hand.
pub fn sign_request(
    request: &mut Request,
    credentials: &super::Credentials,
    service: &str,
    region: &str,
    time: SystemTime,
) -> Result<(), PwError> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};

    let failed = |what: &str, err: &dyn std::fmt::Display| {
        PwError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("SigV4 signing failed ({what}): {err}"),
        )
    };
    let identity = credentials.to_identity().into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|err| failed("parameters", &err))?
        .into();
    let headers: Vec<(&str, &str)> = request
        .headers()
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
        .collect();
    let body = match request.body().map(reqwest::Body::as_bytes) {
        Some(Some(bytes)) => SignableBody::Bytes(bytes),
        Some(None) => SignableBody::UnsignedPayload,
        None => SignableBody::Bytes(&[]),
    };
    let url = request.url().to_string();
    let signable = SignableRequest::new(request.method().as_str(), &url, headers.into_iter(), body)
        .map_err(|err| failed("request", &err))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|err| failed("signature", &err))?
        .into_parts();
    for (name, value) in instructions.headers() {
        let value = http::HeaderValue::from_str(value).map_err(|err| failed("header", &err))?;
        request.headers_mut().insert(
            http::HeaderName::from_bytes(name.as_bytes()).map_err(|err| failed("header", &err))?,
            value,
        );
    }
    Ok(())
}

#[async_trait::async_trait]
impl Middleware for SigningMiddleware {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        if let Some((service, region)) = self.target(&request, extensions) {
            let credentials = self
                .credentials
                .credentials()
                .map_err(reqwest_middleware::Error::middleware)?;
            sign_request(&mut request, &credentials, &service, &region, SystemTime::now())
                .map_err(reqwest_middleware::Error::middleware)?;
        }
        next.run(request, extensions).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_gateway_hosts_are_recognized() {
        assert_eq!(
            api_gateway_region("abc123.execute-api.eu-west-1.amazonaws.com"),
            Some("eu-west-1")
        );
        assert_eq!(
            api_gateway_region("dev.execute-api.us-east-1.amazonaws.com"),
            Some("us-east-1")
        );
        assert_eq!(api_gateway_region("example.com"), None);
        assert_eq!(api_gateway_region("lambda.eu-west-1.amazonaws.com"), None);
        assert_eq!(api_gateway_region("execute-api.eu-west-1.amazonaws.com.evil.com"), None);
    }
}
