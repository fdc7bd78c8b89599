//! Calls join the trace: an HTTP request or Lambda invocation made inside a
//! recorded traced call is a `remote` subsegment under it, and carries the
//! trace header with that subsegment as its parent. The `http` module
//! opens one per request (all its attempts) and finishes it with the answer.

use std::sync::Arc;

use super::context::{self, Span};
use super::document::{Aws, Http, HttpRequest, HttpResponse};
use super::header::TraceHeader;
use crate::lambda::Invocation;

/// One outgoing call's subsegment, open.
#[derive(Debug)]
pub(crate) struct RemoteCall {
    span: Arc<Span>,
    header: String,
}

/// How a call ended, as far as its subsegment says.
pub(crate) enum CallOutcome<'a> {
    /// An answer: its status and, if known, its length.
    Answer { status: u16, content_length: Option<u64> },
    /// No answer: why (a refused connection, a timeout).
    Failed(&'a str),
}

/// The header a call made in a traced call that is not recorded sends: the
/// invocation's trace, its parent, `Sampled=0`, so that the called service
/// keeps the decision not to record it (as the X-Ray SDKs pass it on).
/// `None` outside a traced call, or without a trace header that has a parent.
pub(crate) fn unsampled_header() -> Option<String> {
    if !matches!(context::current(), Ok(None)) {
        return None;
    }
    let invocation = Invocation::current()?;
    let mut header = TraceHeader::parse(invocation.xray_trace_id()?)?;
    header.sampled = false;
    Some(header.for_call(header.parent.as_deref()?))
}

impl RemoteCall {
    /// Opens the subsegment of a call named `name` (the host, or the
    /// function invoked), when the running code is a recorded traced call.
    /// `url` has no query string and no credentials.
    pub(crate) fn open(name: &str, method: &str, url: String) -> Option<RemoteCall> {
        let parent = context::current().ok().flatten()?;
        let span = parent.child(name.to_owned());
        let header = span.trace.header.for_call(&span.id);
        span.edit(|doc| {
            doc.namespace = Some("remote");
            doc.http = Some(Http {
                request: HttpRequest {
                    method: method.to_owned(),
                    url,
                    traced: true,
                },
                response: None,
            });
        });
        Some(RemoteCall { span, header })
    }

    /// The `X-Amzn-Trace-Id` the call sends: this trace, this subsegment as
    /// the parent.
    pub(crate) fn header(&self) -> &str {
        &self.header
    }

    /// Marks the call as a Lambda invocation of `function`.
    pub(crate) fn lambda_invocation(&self, function: &str) {
        self.span.edit(|doc| {
            doc.aws = Some(Aws {
                operation: "Invoke",
                function_name: Some(function.to_owned()),
                retries: 0,
            });
        });
    }

    /// Ends the call and sends its subsegment: the answer's status (4xx
    /// `error`, 429 also `throttle`, 5xx `fault`, as X-Ray marks them), or
    /// the failure as a fault; how many attempts it took.
    pub(crate) fn finish(&self, outcome: CallOutcome<'_>, attempts: u32) {
        self.span.close(|doc| {
            match outcome {
                CallOutcome::Answer { status, content_length } => {
                    if let Some(http) = &mut doc.http {
                        http.response = Some(HttpResponse { status, content_length });
                    }
                    doc.error = (400..500).contains(&status);
                    doc.throttle = status == 429;
                    doc.fault = status >= 500;
                }
                CallOutcome::Failed(reason) => doc.fail(reason.to_owned(), "HttpError".to_owned()),
            }
            doc.attempts = attempts;
            if let Some(aws) = &mut doc.aws {
                aws.retries = attempts.saturating_sub(1);
            }
            let attempts = serde_json::value::to_raw_value(&serde_json::json!({ "attempts": attempts }));
            if let Ok(attempts) = attempts {
                doc.metadata.put("http", "request", attempts);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lambda::Invocation;
    use crate::tracer::context::Trace;
    use crate::tracer::context::tests::{SAMPLED, daemon, received};

    #[test]
    fn a_call_outside_a_recorded_call_opens_nothing() {
        assert!(RemoteCall::open("h", "GET", "http://h/".into()).is_none());
        let unrecorded = context::sync_scope(None, || RemoteCall::open("h", "GET", "http://h/".into()));
        assert!(unrecorded.is_none());
    }

    #[test]
    fn a_call_in_a_traced_call_that_is_not_recorded_passes_the_decision_on() {
        let unsampled = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a:1";
        let header = Invocation::new("r")
            .with_xray_trace_id(unsampled)
            .sync_scope(|| context::sync_scope(None, unsampled_header));
        assert_eq!(header.as_deref(), Some(unsampled));
        // Outside a traced call, or with no header (a local run), nothing is sent.
        let outside = Invocation::new("r")
            .with_xray_trace_id(unsampled)
            .sync_scope(unsampled_header);
        assert_eq!(outside, None);
        assert_eq!(context::sync_scope(None, unsampled_header), None);
    }

    #[test]
    fn a_call_is_a_remote_child_with_its_status_marked_as_x_ray_marks_it() {
        let (daemon, settings) = daemon(&[]);
        let trace = Invocation::new("r")
            .with_xray_trace_id(SAMPLED)
            .sync_scope(|| Trace::of_invocation(settings))
            .unwrap();
        let parent = Span::root(&trace, "## handler".into());
        context::sync_scope(Some(Arc::clone(&parent)), || {
            for (status, attempts) in [(200, 1), (404, 1), (429, 3), (503, 2)] {
                let call =
                    RemoteCall::open("offers.example.com", "GET", "https://offers.example.com/v1".into()).unwrap();
                assert_eq!(
                    call.header(),
                    format!(
                        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent={};Sampled=1",
                        call.span.id
                    )
                );
                call.finish(
                    CallOutcome::Answer {
                        status,
                        content_length: Some(2),
                    },
                    attempts,
                );
            }
            let lambda = RemoteCall::open(
                "prices",
                "POST",
                "https://lambda/2015-03-31/functions/prices/invocations".into(),
            )
            .unwrap();
            lambda.lambda_invocation("prices");
            lambda.finish(CallOutcome::Failed("connection refused"), 2);
        });
        let docs = received(&daemon);
        assert_eq!(docs.len(), 5);
        let flags = |doc: &serde_json::Value| {
            (
                doc.get("error").is_some(),
                doc.get("throttle").is_some(),
                doc.get("fault").is_some(),
            )
        };
        assert_eq!(flags(&docs[0]), (false, false, false));
        assert_eq!(flags(&docs[1]), (true, false, false));
        assert_eq!(flags(&docs[2]), (true, true, false));
        assert_eq!(flags(&docs[3]), (false, false, true));
        for doc in &docs[..4] {
            assert_eq!(doc["namespace"], "remote");
            assert_eq!(doc["parent_id"], parent.id.as_str());
            assert_eq!(
                doc["http"]["request"],
                serde_json::json!({"method": "GET", "url": "https://offers.example.com/v1", "traced": true})
            );
        }
        assert_eq!(
            docs[2]["http"]["response"],
            serde_json::json!({"status": 429, "content_length": 2})
        );
        assert_eq!(docs[2]["metadata"]["http"]["request"]["attempts"], 3);
        assert_eq!(
            docs[4]["aws"],
            serde_json::json!({"operation": "Invoke", "function_name": "prices", "retries": 1})
        );
        assert_eq!(docs[4]["fault"], true);
        assert_eq!(docs[4]["cause"]["exceptions"][0]["message"], "connection refused");
    }
}
