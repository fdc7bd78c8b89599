//! The fields of `tracing` spans, kept in each span's extensions, and those
//! of the spans an event is in.

use std::fmt;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use super::fields::ErrorChain;

/// The fields of a span, as its log lines show them; kept in the span's
/// extensions from its creation on.
#[derive(Default)]
struct SpanFields(Vec<(&'static str, serde_json::Value)>);

impl SpanFields {
    fn put(&mut self, field: &Field, value: serde_json::Value) {
        let name = field.name();
        match self.0.iter_mut().find(|(own, _)| *own == name) {
            Some((_, slot)) => *slot = value,
            None => self.0.push((name, value)),
        }
    }
}

impl Visit for SpanFields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, serde_json::Value::String(format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, serde_json::Value::String(ErrorChain(value).to_string()));
    }
}

/// Keeps the fields a new span starts with.
pub(super) fn on_new_span<S>(attrs: &Attributes<'_>, id: &Id, ctx: &Context<'_, S>)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    if is_runtime_span(attrs.metadata()) {
        return;
    }
    if let Some(span) = ctx.span(id) {
        let mut fields = SpanFields::default();
        attrs.record(&mut fields);
        span.extensions_mut().insert(fields);
    }
}

/// Keeps the values recorded on a span after its creation.
pub(super) fn on_record<S>(id: &Id, values: &Record<'_>, ctx: &Context<'_, S>)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    if let Some(span) = ctx.span(id).filter(|span| !is_runtime_span(span.metadata())) {
        let mut extensions = span.extensions_mut();
        match extensions.get_mut::<SpanFields>() {
            Some(fields) => values.record(fields),
            None => {
                let mut fields = SpanFields::default();
                values.record(&mut fields);
                extensions.insert(fields);
            }
        }
    }
}

/// The fields of the spans an event is in, each name once with the innermost
/// span's value, outermost span first.
pub(super) fn span_fields<S>(event: &Event<'_>, ctx: &Context<'_, S>) -> Vec<(&'static str, serde_json::Value)>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let mut fields: Vec<(&'static str, serde_json::Value)> = Vec::new();
    let Some(scope) = ctx.event_scope(event) else {
        return fields;
    };
    // Innermost first, so that an outer span's field of the same name is left out.
    for span in scope {
        if let Some(own) = span.extensions().get::<SpanFields>() {
            for (name, value) in &own.0 {
                if !fields.iter().any(|(seen, _)| seen == name) {
                    fields.push((name, value.clone()));
                }
            }
        }
    }
    fields.reverse();
    fields
}

/// Whether a span is the Lambda runtime's own (its invoke span, with
/// `requestId` and `xrayTraceId`; its worker span, with `task_id`): their
/// fields add no keys to a line, which has them as `function_request_id` and
/// `xray_trace_id` already, as Powertools writes them.
fn is_runtime_span(meta: &Metadata<'_>) -> bool {
    meta.target().starts_with("lambda_runtime")
}
