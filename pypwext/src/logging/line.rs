//! Serializes one log line: its keys in the contract's order, by serde_json,
//! then its end.

use std::time::SystemTime;

use serde::ser::{SerializeMap as _, Serializer as _};
use tracing::{Level, Metadata};

use super::fields::Fields;
use super::indent::indent;
use super::keys::LINE_KEYS;
use super::time::Timestamp;
use crate::lambda::Invocation;

/// What every line of one logger shows the same way.
#[derive(Debug)]
pub(super) struct LineFormat {
    pub(super) service: String,
    /// Shown as `sampling_rate` when sampling is configured.
    pub(super) sample_rate: f64,
    /// Lines indented (`POWERTOOLS_DEV`).
    pub(super) dev: bool,
}

impl LineFormat {
    /// Appends the finished line, newline included, to `line`.
    pub(super) fn write(
        &self,
        line: &mut Vec<u8>,
        meta: &Metadata<'_>,
        invocation: Option<&Invocation>,
        spans: &[(&'static str, serde_json::Value)],
        fields: &Fields,
    ) -> Result<(), serde_json::Error> {
        self.serialize(
            &mut serde_json::Serializer::new(&mut *line),
            meta,
            invocation,
            spans,
            fields,
        )?;
        if self.dev {
            indent(line);
        }
        line.push(b'\n');
        Ok(())
    }

    /// Serializes the line's keys, in the contract's order.
    fn serialize<W, F>(
        &self,
        serializer: &mut serde_json::Serializer<W, F>,
        meta: &Metadata<'_>,
        invocation: Option<&Invocation>,
        spans: &[(&'static str, serde_json::Value)],
        fields: &Fields,
    ) -> Result<(), serde_json::Error>
    where
        W: std::io::Write,
        F: serde_json::ser::Formatter,
    {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("level", level_name(meta.level()))?;
        match &fields.location {
            Some(location) => map.serialize_entry("location", &fields.shown(location))?,
            None => {
                // Never a span's name: a span is not where the line was written.
                let place = meta.module_path().unwrap_or_else(|| meta.target());
                let line_number = meta.line().unwrap_or(0);
                map.serialize_entry("location", &format_args!("{place}:{line_number}"))?;
            }
        }
        match &fields.message {
            Some(message) => map.serialize_entry("message", &fields.shown(message))?,
            None => map.serialize_entry("message", "")?,
        }
        map.serialize_entry("timestamp", &format_args!("{}", Timestamp::at(SystemTime::now())))?;
        map.serialize_entry("service", &self.service)?;
        if self.sample_rate > 0.0 {
            // As Powertools: the configured share of invocations logged at DEBUG.
            map.serialize_entry("sampling_rate", &self.sample_rate)?;
        }
        if let Some(classification) = &fields.classification
            && !fields.is_text(classification, "NA")
        {
            map.serialize_entry("classification", &fields.shown(classification))?;
        }
        if let Some(log_type) = &fields.log_type
            && !fields.is_text(log_type, "STD")
        {
            map.serialize_entry("type", &fields.shown(log_type))?;
        }
        if let Some(operation) = &fields.operation {
            map.serialize_entry("operation", &fields.shown(operation))?;
        }
        // The invocation's keys now; its appended keys after the exception.
        if let Some(invocation) = invocation {
            serialize_invocation(&mut map, invocation)?;
        }
        if let Some(exception) = &fields.exception {
            map.serialize_entry("exception", &fields.shown(exception))?;
        }
        if let Some(name) = &fields.exception_name {
            map.serialize_entry("exception_name", &fields.shown(name))?;
        }
        // Each name once, the innermost value winning: the event's own field,
        // then the innermost span's, then an appended key.
        let event_has = |name: &str| {
            fields
                .others
                .iter()
                .any(|(own, _)| !LINE_KEYS.contains(own) && *own == name)
        };
        super::keys::serialize_appended(&mut map, invocation, |name| {
            event_has(name) || spans.iter().any(|(span, _)| *span == name)
        })?;
        for (name, value) in spans {
            if LINE_KEYS.contains(name) {
                map.serialize_entry(&format_args!("span_{name}"), value)?;
            } else if !event_has(name) {
                map.serialize_entry(name, value)?;
            }
        }
        for (name, value) in &fields.others {
            if LINE_KEYS.contains(name) {
                map.serialize_entry(&format_args!("event_{name}"), &fields.shown(value))?;
            } else {
                map.serialize_entry(name, &fields.shown(value))?;
            }
        }
        map.end()
    }
}

/// The invocation's keys, read from it for each line.
fn serialize_invocation<M: serde::ser::SerializeMap>(map: &mut M, invocation: &Invocation) -> Result<(), M::Error> {
    map.serialize_entry("cold_start", &invocation.cold_start())?;
    if let Some(name) = invocation.function_name() {
        map.serialize_entry("function_name", name)?;
    }
    if let Some(memory) = invocation.function_memory_size() {
        map.serialize_entry("function_memory_size", &memory)?;
    }
    if let Some(arn) = invocation.function_arn() {
        map.serialize_entry("function_arn", arn)?;
    }
    map.serialize_entry("function_request_id", invocation.request_id())?;
    if let Some(correlation_id) = invocation.correlation_id() {
        map.serialize_entry("correlation_id", correlation_id)?;
    }
    if let Some(tenant_id) = invocation.tenant_id() {
        map.serialize_entry("tenant_id", tenant_id)?;
    }
    if let Some(trace_id) = invocation.xray_trace_id() {
        map.serialize_entry("xray_trace_id", xray_root_id(trace_id))?;
    }
    Ok(())
}

/// The trace's root id, as Powertools writes `xray_trace_id`: from
/// `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`,
/// `1-5759e988-bd862e3fe1be46a994272793`. A header without a `Root=` part is
/// written as it is.
fn xray_root_id(header: &str) -> &str {
    header
        .split(';')
        .find_map(|part| part.trim().strip_prefix("Root="))
        .unwrap_or(header)
}

/// Powertools' level names.
pub(crate) fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "VERBOSE",
        Level::DEBUG => "DEBUG",
        Level::INFO => "INFO",
        Level::WARN => "WARNING",
        Level::ERROR => "ERROR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trace_header_is_written_as_its_root_id() {
        let header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        assert_eq!(xray_root_id(header), "1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(xray_root_id("Parent=53995c3f42cd8ad8; Root=1-abc"), "1-abc");
        assert_eq!(xray_root_id("Root=1-abc"), "1-abc");
        // Not a header: the id as given.
        assert_eq!(
            xray_root_id("1-5759e988-bd862e3fe1be46a994272793"),
            "1-5759e988-bd862e3fe1be46a994272793"
        );
    }

    #[test]
    fn powertools_dev_indents_every_line_and_its_json_message() {
        use tracing_subscriber::layer::SubscriberExt as _;
        let sink = super::super::MemoryWriter::new();
        let layer = super::super::builder()
            .service("svc")
            .writer(sink.clone())
            .layer_with_env(|name| (name == "POWERTOOLS_DEV").then(|| "true".to_owned()));
        let subscriber = tracing_subscriber::registry::Registry::default().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            // From inside pypwext, so the message is taken as JSON.
            tracing::info!(pypwext.message = %r#"{"msg":"Entering f","args":{"a":1}}"#, n = 2);
        });
        // The sink splits what was written at line ends.
        let text = &sink.lines().join("\n");
        assert!(text.starts_with("{\n    \"level\": \"INFO\","), "{text}");
        assert!(
            text.contains("\n    \"message\": {\n        \"msg\": \"Entering f\","),
            "{text}"
        );
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(value["message"]["args"]["a"], 1);
        assert_eq!(value["n"], 2);
    }
}
