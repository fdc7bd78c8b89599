//! One fetch, tried again on throttling and network failures while the
//! invocation's deadline allows, and its failure as the `PwError` a read
//! answers (404 for a missing value, 502 for a store that failed).

use std::time::{Duration, SystemTime};

use http::StatusCode;

use super::source::{Fetch, FetchError, FetchErrorKind, Fetched, NOT_FOUND_REASON, Source};
use crate::PwError;
use crate::lambda::TimeLeft;
use crate::log_target;

/// How a fetch is tried again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retry {
    /// Attempts at most, the first included: the bound outside an invocation.
    pub(crate) attempts: u32,
    /// The first back-off; each next one doubles, up to `max_backoff`.
    pub(crate) backoff: Duration,
    pub(crate) max_backoff: Duration,
    /// Kept free before the deadline: time for the handler to answer.
    pub(crate) deadline_margin: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 5,
            backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(1),
            deadline_margin: Duration::from_millis(100),
        }
    }
}

impl Retry {
    /// Fetches `request` from `source`, trying a transient failure again
    /// (with jittered exponential back-off) until the attempts run out or
    /// the next back-off would end past `deadline` less the margin.
    pub(crate) async fn fetch(
        &self,
        source: &dyn Source,
        request: &Fetch,
        deadline: Option<SystemTime>,
    ) -> Result<Fetched, PwError> {
        let time_left = TimeLeft::until(deadline, self.deadline_margin);
        let mut backoff = self.backoff;
        let mut attempt = 1;
        loop {
            // An attempt ends by the deadline. The first is made even with no
            // time left (a local emulator's deadline may be off; in Lambda the
            // function is stopped at its deadline anyway): the deadline bounds
            // the retries, which only start when their back-off fits.
            let outcome = match time_left.now().filter(|left| !left.is_zero()) {
                Some(left) => tokio::time::timeout(left, source.fetch(request))
                    .await
                    .unwrap_or_else(|_| Err(FetchError::new(FetchErrorKind::Transient, "timed out"))),
                None => source.fetch(request).await,
            };
            let err = match outcome {
                Ok(fetched) => return Ok(fetched),
                Err(err) if err.kind() == FetchErrorKind::Transient => err,
                Err(err) => return Err(into_pw_error(request, err)),
            };
            // Full jitter: spread the callers of a throttled store.
            let pause = backoff.mul_f64(crate::random::unit());
            if attempt >= self.attempts || !time_left.fits(pause) {
                return Err(gave_up(request, err, attempt));
            }
            tracing::debug!(
                target: log_target::PARAMETERS,
                request = %request,
                reason = err.reason(),
                attempt,
                "reading a parameter failed for now; trying again"
            );
            tokio::time::sleep(pause).await;
            backoff = (backoff * 2).min(self.max_backoff);
            attempt += 1;
        }
    }
}

/// The 502 of a transient failure that lasted: the last error attached.
fn gave_up(request: &Fetch, last: FetchError, attempts: u32) -> PwError {
    PwError::new(
        StatusCode::BAD_GATEWAY,
        format!(
            "the {request} could not be read ({}) after {attempts} attempt(s) within the deadline; the store is throttling or unreachable, try again later",
            last.reason()
        ),
    )
    .with_source(last)
}

/// The `PwError` of a failure that is not tried again.
pub(crate) fn into_pw_error(request: &Fetch, err: FetchError) -> PwError {
    let (code, message) = match err.kind() {
        FetchErrorKind::NotFound if err.reason() == NOT_FOUND_REASON => (
            StatusCode::NOT_FOUND,
            format!("the {request} does not exist; create it or fix the name"),
        ),
        FetchErrorKind::NotFound => (
            StatusCode::NOT_FOUND,
            format!(
                "the {request} cannot be read: {}; create it or fix the name",
                err.reason()
            ),
        ),
        _ => (
            StatusCode::BAD_GATEWAY,
            format!(
                "the {request} could not be read: {}; check the function's permissions and the name",
                err.reason()
            ),
        ),
    };
    PwError::new(code, message).with_source(err)
}
