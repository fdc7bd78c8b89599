//! Retries with urllib3's semantics, the Python pypwext's, inside the
//! invocation's deadline.
//!
//! Written here rather than with reqwest-retry: its `RetryableStrategy` sees
//! the outcome but not the request, so it cannot retry a 503 for a GET and
//! not for a POST (urllib3's `allowed_methods`), it does not read
//! `Retry-After`, and its back-off cannot be cut short by a Lambda deadline.

use std::time::{Duration, SystemTime};

use http::{Extensions, Method, StatusCode};
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use crate::lambda::{Invocation, TimeLeft};

/// When a request must be done by: outside an invocation, set it with
/// [`WithDeadline::with_deadline`] (or as the request extension it is);
/// inside one, the invocation's deadline applies by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(pub SystemTime);

/// `session.get(url).with_deadline(t)`: no attempt and no back-off past `t`
/// (less the session's margin).
pub trait WithDeadline {
    /// Sets the deadline of this request.
    fn with_deadline(self, deadline: SystemTime) -> Self;
}

impl WithDeadline for reqwest_middleware::RequestBuilder {
    fn with_deadline(self, deadline: SystemTime) -> Self {
        self.with_extension(Deadline(deadline))
    }
}

/// Marks a request whose 429 means "not executed" (a Lambda invocation that
/// was throttled): retried with `Retry-After` whatever its method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryThrottled;

/// How many attempts a request has taken so far: set by the retries when a
/// layer above (the trace's) put it in the request's extensions.
#[cfg(feature = "tracer")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempts(pub(crate) u32);

/// The retry rules of a session.
#[derive(Debug, Clone)]
pub(crate) struct RetryPolicy {
    pub(crate) total: u32,
    pub(crate) backoff_factor: f64,
    pub(crate) backoff_max: Duration,
    pub(crate) status_forcelist: Vec<StatusCode>,
    pub(crate) allowed_methods: Vec<Method>,
    pub(crate) respect_retry_after: bool,
    pub(crate) timeout: Duration,
    /// Kept free before the deadline: time to answer after giving up.
    pub(crate) deadline_margin: Duration,
}

/// What to do after one attempt.
#[derive(Debug, PartialEq)]
enum Verdict {
    Done,
    /// Retry, after `Retry-After` when the server said so.
    Retry(Option<Duration>),
}

impl RetryPolicy {
    fn method_allowed(&self, method: &Method) -> bool {
        self.allowed_methods.contains(method)
    }

    fn verdict(&self, method: &Method, outcome: &reqwest_middleware::Result<Response>, throttled_ok: bool) -> Verdict {
        match outcome {
            Ok(response) => {
                let status = response.status();
                if throttled_ok && status == StatusCode::TOO_MANY_REQUESTS {
                    return Verdict::Retry(self.respect_retry_after.then(|| retry_after(response)).flatten());
                }
                if !self.status_forcelist.contains(&status) || !self.method_allowed(method) {
                    return Verdict::Done;
                }
                // urllib3 honours Retry-After on 413, 429 and 503 only.
                let honoured = matches!(status.as_u16(), 413 | 429 | 503) && self.respect_retry_after;
                Verdict::Retry(honoured.then(|| retry_after(response)).flatten())
            }
            // Not connected: the request was never sent, so any method may go again.
            Err(reqwest_middleware::Error::Reqwest(err)) if err.is_connect() => Verdict::Retry(None),
            // Sent, and then it failed (a timeout, a reset): it may have been
            // processed, so only idempotent methods go again.
            Err(reqwest_middleware::Error::Reqwest(_)) if self.method_allowed(method) => Verdict::Retry(None),
            Err(_) => Verdict::Done,
        }
    }

    /// urllib3's back-off before retry number `retry` (1-based): none before
    /// the first, then `backoff_factor * 2^(retry - 1)`, capped, with full
    /// jitter (a uniform draw between zero and that).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        if retry <= 1 || self.backoff_factor <= 0.0 {
            return Duration::ZERO;
        }
        let exponent = i32::try_from(retry - 1).unwrap_or(i32::MAX).min(62);
        let ceiling = (self.backoff_factor * 2f64.powi(exponent)).min(self.backoff_max.as_secs_f64());
        Duration::from_secs_f64(ceiling * crate::random::unit())
    }
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(http::header::RETRY_AFTER)?.to_str().ok()?;
    retry_after_value(value, SystemTime::now())
}

/// The pause a `Retry-After` value asks for at `now`: a number of seconds,
/// or the time until an HTTP date (none for a date already past).
fn retry_after_value(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The retrying middleware; see the module docs.
#[derive(Debug)]
pub(crate) struct RetryMiddleware {
    pub(crate) policy: RetryPolicy,
}

/// A request that ran out of time before an attempt could start.
#[derive(Debug)]
pub(crate) struct DeadlineReached;

impl std::fmt::Display for DeadlineReached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the invocation's deadline leaves no time for this request")
    }
}

impl std::error::Error for DeadlineReached {}

#[async_trait::async_trait]
impl Middleware for RetryMiddleware {
    async fn handle(
        &self,
        request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let policy = &self.policy;
        let deadline = extensions
            .get::<Deadline>()
            .map(|d| d.0)
            .or_else(|| Invocation::with_current(|i| i.and_then(Invocation::deadline)));
        let time_left = TimeLeft::until(deadline, policy.deadline_margin);
        let method = request.method().clone();
        let mut retry = 0;
        loop {
            let timeout = match time_left.now() {
                Some(Duration::ZERO) => return Err(reqwest_middleware::Error::middleware(DeadlineReached)),
                Some(left) => left.min(policy.timeout),
                None => policy.timeout,
            };
            #[cfg(feature = "tracer")]
            if let Some(attempts) = extensions.get_mut::<Attempts>() {
                attempts.0 = retry + 1;
            }
            let Some(mut attempt) = request.try_clone() else {
                // A body that cannot be copied (a stream) is sent once, not retried.
                let mut only = request;
                *only.timeout_mut() = Some(timeout);
                return next.run(only, extensions).await;
            };
            *attempt.timeout_mut() = Some(timeout);
            let outcome = next.clone().run(attempt, extensions).await;
            if retry >= policy.total {
                return outcome;
            }
            let throttled_ok = extensions.get::<RetryThrottled>().is_some();
            let Verdict::Retry(after) = policy.verdict(&method, &outcome, throttled_ok) else {
                return outcome;
            };
            retry += 1;
            let pause = after.unwrap_or_else(|| policy.backoff(retry));
            // No sleep may end past the deadline: then the last answer is the answer.
            if !time_left.fits(pause) {
                return outcome;
            }
            tracing::debug!(
                target: crate::log_target::HTTP,
                retry,
                pause_ms = pause.as_millis() as u64,
                outcome = %match &outcome { Ok(r) => r.status().to_string(), Err(e) => e.to_string() },
                "retrying"
            );
            drop(outcome);
            // A zero sleep would still wait for the timer's next millisecond tick.
            if !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            total: 5,
            backoff_factor: 0.5,
            backoff_max: Duration::from_secs(3),
            status_forcelist: vec![StatusCode::SERVICE_UNAVAILABLE],
            allowed_methods: vec![Method::GET],
            respect_retry_after: true,
            timeout: Duration::from_secs(1),
            deadline_margin: Duration::ZERO,
        }
    }

    #[test]
    fn backoff_follows_urllib3_with_full_jitter() {
        let p = policy();
        assert_eq!(p.backoff(1), Duration::ZERO, "no back-off before the first retry");
        for retry in 2..8 {
            let ceiling = (0.5 * 2f64.powi(retry as i32 - 1)).min(3.0);
            for _ in 0..50 {
                let b = p.backoff(retry).as_secs_f64();
                assert!((0.0..=ceiling).contains(&b), "retry {retry}: {b} > {ceiling}");
            }
        }
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        // Sun, 06 Nov 1994 08:49:37 GMT
        let date = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        let before = date - Duration::from_secs(90);
        assert_eq!(retry_after_value(" 7 ", before), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after_value("Sun, 06 Nov 1994 08:49:37 GMT", before),
            Some(Duration::from_secs(90))
        );
        // The older forms RFC 9110 says a recipient must accept.
        assert_eq!(
            retry_after_value("Sunday, 06-Nov-94 08:49:37 GMT", before),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            retry_after_value("Sun Nov  6 08:49:37 1994", before),
            Some(Duration::from_secs(90))
        );
    }

    #[test]
    fn a_retry_after_date_in_the_past_means_no_pause() {
        let after = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777 + 3600);
        assert_eq!(
            retry_after_value("Sun, 06 Nov 1994 08:49:37 GMT", after),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn a_garbled_retry_after_is_ignored() {
        let now = SystemTime::UNIX_EPOCH;
        for value in [
            "soon",
            "",
            "-5",
            "1.5",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Mon, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37",
        ] {
            assert_eq!(retry_after_value(value, now), None, "{value:?}");
        }
    }
}
