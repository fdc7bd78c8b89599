//! Calls join the trace: inside a recorded `#[traced]` call, each request
//! of a session is a `remote` subsegment (all its attempts in one) and
//! carries `X-Amzn-Trace-Id` with that subsegment as the parent, so the
//! called service joins the trace. Inside a traced call that is not
//! recorded, the request carries the trace with `Sampled=0`, so the called
//! service does not record it either.

use http::{Extensions, HeaderValue};
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use super::retry::Attempts;
use crate::tracer::remote::{CallOutcome, RemoteCall, unsampled_header};

/// Names the subsegment of a Lambda invocation after its function.
#[derive(Debug, Clone)]
pub(crate) struct LambdaFunction(pub(crate) String);

/// The outermost middleware: one subsegment around every attempt.
#[derive(Debug)]
pub(crate) struct TraceMiddleware;

#[async_trait::async_trait]
impl Middleware for TraceMiddleware {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let function = extensions.get::<LambdaFunction>().map(|f| f.0.clone());
        let url = request.url();
        // X-Ray's names take no brackets: an IPv6 host is named without them.
        let name = function.clone().unwrap_or_else(|| {
            url.host_str()
                .unwrap_or("unknown host")
                .trim_matches(|c| c == '[' || c == ']')
                .to_owned()
        });
        let Some(call) = RemoteCall::open(&name, request.method().as_str(), traced_url(url)) else {
            if let Some(header) = unsampled_header().and_then(|h| HeaderValue::from_str(&h).ok()) {
                request.headers_mut().insert("x-amzn-trace-id", header);
            }
            return next.run(request, extensions).await;
        };
        if let Some(function) = &function {
            call.lambda_invocation(function);
        }
        if let Ok(header) = HeaderValue::from_str(call.header()) {
            request.headers_mut().insert("x-amzn-trace-id", header);
        }
        // The retries below count their attempts in it.
        extensions.insert(Attempts(0));
        let outcome = next.run(request, extensions).await;
        let attempts = extensions.get::<Attempts>().map_or(1, |attempts| attempts.0.max(1));
        match &outcome {
            Ok(response) => call.finish(
                CallOutcome::Answer {
                    status: response.status().as_u16(),
                    content_length: response.content_length(),
                },
                attempts,
            ),
            Err(err) => call.finish(CallOutcome::Failed(&err.to_string()), attempts),
        }
        outcome
    }
}

/// The URL as a subsegment shows it: no credentials, no query string, no
/// fragment (either may carry what the caller keeps private).
fn traced_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_loses_its_credentials_query_and_fragment() {
        let url = reqwest::Url::parse("https://user:secret@api.example.com:8443/v1/orders/7?token=abc#part").unwrap();
        assert_eq!(traced_url(&url), "https://api.example.com:8443/v1/orders/7");
    }
}
