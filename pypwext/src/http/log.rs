//! Optional request and response lines of a session: what was sent and what
//! came back, with `Authorization`, `X-Amz-Security-Token`, cookies and
//! credentials never written.

use std::time::Instant;

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};
use tracing::Level;

use crate::errors::InfoClassification;
use crate::logging::view::HeadersText;

use crate::log_target::HTTP as TARGET;

/// At which level and classification a session logs each attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogSettings {
    pub(crate) level: Level,
    pub(crate) classification: InfoClassification,
}

/// Logs each attempt (it runs after signing, so it sees, and redacts, the
/// signature headers).
#[derive(Debug)]
pub(crate) struct LoggingMiddleware {
    pub(crate) settings: LogSettings,
}

/// Emits `message` at `level` with the given fields; one callsite per level.
macro_rules! line {
    ($level:expr, $classification:expr, $($field:tt)*) => {
        match $level {
            Level::TRACE => tracing::event!(target: TARGET, Level::TRACE, classification = $classification, $($field)*),
            Level::DEBUG => tracing::event!(target: TARGET, Level::DEBUG, classification = $classification, $($field)*),
            Level::INFO => tracing::event!(target: TARGET, Level::INFO, classification = $classification, $($field)*),
            Level::WARN => tracing::event!(target: TARGET, Level::WARN, classification = $classification, $($field)*),
            Level::ERROR => tracing::event!(target: TARGET, Level::ERROR, classification = $classification, $($field)*),
        }
    };
}

#[async_trait::async_trait]
impl Middleware for LoggingMiddleware {
    async fn handle(
        &self,
        request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let LogSettings { level, classification } = self.settings;
        let classification = classification.as_str();
        let method = request.method().clone();
        // The query string may carry values the caller considers private: the
        // classification says how to treat the line; secrets in headers are
        // redacted whatever it says.
        let url = request.url().to_string();
        line!(
            level,
            classification,
            method = %method,
            url = %url,
            headers = %HeadersText(request.headers()),
            "HTTP request"
        );
        let started = Instant::now();
        let outcome = next.run(request, extensions).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &outcome {
            Ok(response) => line!(
                level,
                classification,
                method = %method,
                url = %url,
                status = response.status().as_u16(),
                elapsed_ms,
                headers = %HeadersText(response.headers()),
                "HTTP response"
            ),
            Err(err) => {
                line!(level, classification, method = %method, url = %url, elapsed_ms, error = %err, "HTTP failure")
            }
        }
        outcome
    }
}
