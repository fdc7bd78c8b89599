//! The `otel` feature's way out: each subsegment as an OpenTelemetry span,
//! exported over OTLP/HTTP (protobuf) to the endpoint
//! `OTEL_EXPORTER_OTLP_ENDPOINT` names — in Lambda, the ADOT collector
//! extension, whose X-Ray exporter turns the spans back into the same
//! subsegments.
//!
//! The ids are X-Ray's, unchanged: the trace id is the root's 32 hex digits
//! (`1-5759e988-bd86…` is `5759e988bd86…`), a span's id is its
//! subsegment's, and the outermost span's parent is Lambda's segment (a
//! remote parent), so the header a call sends (`Parent=<span id>`) and the
//! spans agree. The SDK's batch processor exports on its own thread with a
//! blocking client; the outermost call's end waits for it to be done
//! (`force_flush`), so nothing is left to send after the response.
//!
//! Attributes follow the ADOT collector's X-Ray exporter: annotations are
//! attributes listed in `aws.xray.annotations`; each metadata namespace is
//! `aws.xray.metadata.<namespace>`, its JSON as text; a remote call has
//! OpenTelemetry's HTTP client attributes.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry::trace::{Event, SpanContext, SpanKind, Status, TraceState};
use opentelemetry::{InstrumentationScope, KeyValue, SpanId, TraceFlags, TraceId, Value};
use opentelemetry_otlp::{Protocol, RetryPolicy, WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{BatchSpanProcessor, SpanData, SpanEvents, SpanLinks, SpanProcessor as _};

use super::document::Document;
use crate::log_target::TRACER as TARGET;

/// The batch processor that exports to one endpoint.
#[derive(Debug)]
pub(crate) struct Otlp {
    endpoint: String,
    processor: BatchSpanProcessor,
    scope: InstrumentationScope,
    /// Whether a failed flush was reported at WARNING already (later ones
    /// go to DEBUG: a collector that is down would otherwise flood the log).
    warned: AtomicBool,
}

impl Otlp {
    /// An exporter to `endpoint` (the traces URL, `…/v1/traces`) for spans
    /// of `service`.
    pub(crate) fn new(endpoint: &str, service: &str, function_name: Option<&str>) -> Result<Otlp, String> {
        crate::tls::install_crypto_provider();
        // reqwest's blocking client makes a runtime of its own, which
        // cannot be made on a thread of the function's tokio runtime.
        let client = std::thread::spawn(reqwest::blocking::Client::new)
            .join()
            .map_err(|_| "the HTTP client could not be made".to_owned())?;
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_http_client(client)
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(endpoint)
            // One quick retry, not the SDK's three over ~0.7 s: the response
            // waits for the export, and a collector on loopback that refused
            // twice is down (a_collector_that_is_not_there_… in otlp_tests).
            .with_retry_policy(
                RetryPolicy::disabled()
                    .with_max_retries(1)
                    .with_initial_delay(Duration::from_millis(10))
                    .with_max_delay(Duration::from_millis(10)),
            )
            .build()
            .map_err(|err| err.to_string())?;
        let mut processor = BatchSpanProcessor::builder(exporter).build();
        let mut resource = Resource::builder_empty()
            .with_service_name(service.to_owned())
            .with_attributes([
                KeyValue::new("cloud.provider", "aws"),
                KeyValue::new("cloud.platform", "aws_lambda"),
            ]);
        if let Some(name) = function_name {
            resource = resource.with_attribute(KeyValue::new("faas.name", name.to_owned()));
        }
        processor.set_resource(&resource.build());
        Ok(Otlp {
            endpoint: endpoint.to_owned(),
            processor,
            scope: InstrumentationScope::builder("pypwext")
                .with_version(env!("CARGO_PKG_VERSION"))
                .build(),
            warned: AtomicBool::new(false),
        })
    }

    /// Hands one ended (or still open, `in_progress`) subsegment to the
    /// processor; `remote_parent`: its parent is Lambda's segment.
    pub(crate) fn send(&self, doc: &Document, remote_parent: bool) {
        match span(doc, remote_parent, &self.scope) {
            Some(span) => self.processor.on_end(span),
            None => {
                tracing::debug!(target: TARGET, "the subsegment {:?} has ids OpenTelemetry cannot take; not exported", doc.name)
            }
        }
    }

    /// Exports everything handed over, and waits until it is done (at most
    /// the SDK's 5 s). On a multi-threaded runtime the wait lets the
    /// worker's other tasks move elsewhere.
    pub(crate) fn flush(&self) {
        let flush = || self.processor.force_flush();
        let multi_thread = tokio::runtime::Handle::try_current()
            .is_ok_and(|handle| handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        let outcome = if multi_thread {
            tokio::task::block_in_place(flush)
        } else {
            flush()
        };
        if let Err(err) = outcome {
            if self.warned.swap(true, Ordering::Relaxed) {
                tracing::debug!(target: TARGET, "spans were not exported to {}: {err}", self.endpoint);
            } else {
                tracing::warn!(
                    target: TARGET,
                    "spans were not exported to {}: {err}; check OTEL_EXPORTER_OTLP_ENDPOINT and that the collector runs (later failures are logged at DEBUG)",
                    self.endpoint
                );
            }
        }
    }
}

/// The span of one subsegment; `None` when its ids are not X-Ray's (they
/// always are: the trace header was checked, the ids are pypwext's own).
pub(crate) fn span(doc: &Document, remote_parent: bool, scope: &InstrumentationScope) -> Option<SpanData> {
    let trace_id = trace_id(&doc.trace_id)?;
    let span_id = SpanId::from_hex(&doc.id).ok()?;
    let parent_span_id = SpanId::from_hex(&doc.parent_id).ok()?;
    let start_time = time(doc.start_time);
    // A span has an end: one sent open ends when it was sent, and says so.
    let end_time = doc.end_time.map_or_else(SystemTime::now, time);
    let mut events = SpanEvents::default();
    let mut description = None;
    for exception in doc.cause.iter().flat_map(|cause| &cause.exceptions) {
        events.events.push(Event::new(
            "exception",
            end_time,
            vec![
                KeyValue::new("exception.type", exception.kind.clone()),
                KeyValue::new("exception.message", exception.message.clone()),
            ],
            0,
        ));
        description.get_or_insert_with(|| exception.message.clone());
    }
    let status = if doc.fault || doc.error {
        Status::error(description.unwrap_or_else(|| status_text(doc)))
    } else {
        Status::Unset
    };
    Some(SpanData {
        span_context: SpanContext::new(trace_id, span_id, TraceFlags::SAMPLED, false, TraceState::default()),
        parent_span_id,
        parent_span_is_remote: remote_parent,
        span_kind: if doc.namespace == Some("remote") {
            SpanKind::Client
        } else {
            SpanKind::Internal
        },
        name: Cow::Owned(doc.name.clone()),
        start_time,
        end_time,
        attributes: attributes(doc),
        dropped_attributes_count: 0,
        events,
        links: SpanLinks::default(),
        status,
        instrumentation_scope: scope.clone(),
    })
}

/// The attributes of a subsegment, in the names the ADOT collector's X-Ray
/// exporter reads and OpenTelemetry's HTTP conventions.
fn attributes(doc: &Document) -> Vec<KeyValue> {
    let mut attributes = Vec::new();
    for (key, value) in &doc.annotations {
        let value = match value {
            serde_json::Value::Bool(flag) => Value::Bool(*flag),
            serde_json::Value::Number(number) => match number.as_i64() {
                Some(int) => Value::I64(int),
                None => Value::F64(number.as_f64().unwrap_or_default()),
            },
            serde_json::Value::String(text) => Value::String(text.clone().into()),
            other => Value::String(other.to_string().into()),
        };
        attributes.push(KeyValue::new(key.clone(), value));
    }
    if !doc.annotations.is_empty() {
        let keys = doc.annotations.keys().map(|key| key.clone().into()).collect();
        attributes.push(KeyValue::new(
            "aws.xray.annotations",
            Value::Array(opentelemetry::Array::String(keys)),
        ));
    }
    for (namespace, json) in doc.metadata.namespaces() {
        attributes.push(KeyValue::new(format!("aws.xray.metadata.{namespace}"), json));
    }
    if let Some(http) = &doc.http {
        attributes.push(KeyValue::new("http.request.method", http.request.method.clone()));
        attributes.push(KeyValue::new("url.full", http.request.url.clone()));
        if let Some(response) = &http.response {
            attributes.push(KeyValue::new("http.response.status_code", i64::from(response.status)));
        }
    }
    if let Some(aws) = &doc.aws {
        attributes.push(KeyValue::new("rpc.system", "aws-api"));
        attributes.push(KeyValue::new("rpc.method", aws.operation));
        if let Some(function) = &aws.function_name {
            attributes.push(KeyValue::new("aws.lambda.function.name", function.clone()));
        }
    }
    if doc.attempts > 1 {
        attributes.push(KeyValue::new("http.request.resend_count", i64::from(doc.attempts - 1)));
    }
    if doc.in_progress {
        attributes.push(KeyValue::new("aws.xray.inprogress", true));
    }
    attributes
}

/// A failure without an exception: a remote call's answer.
fn status_text(doc: &Document) -> String {
    match doc.http.as_ref().and_then(|http| http.response.as_ref()) {
        Some(response) => format!("answered {}", response.status),
        None => "failed".to_owned(),
    }
}

/// The OpenTelemetry trace id of an X-Ray trace id: `1-<8 hex>-<24 hex>`
/// read as 32 hex digits.
pub(crate) fn trace_id(xray: &str) -> Option<TraceId> {
    let mut parts = xray.splitn(3, '-');
    let (Some("1"), Some(time), Some(random)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    if time.len() != 8 || random.len() != 24 {
        return None;
    }
    TraceId::from_hex(&format!("{time}{random}")).ok()
}

/// Epoch seconds as a time.
fn time(seconds: f64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs_f64(seconds.max(0.0))
}

#[cfg(test)]
#[path = "otlp_tests.rs"]
mod tests;
