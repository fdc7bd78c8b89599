//! The subsegment document, in X-Ray's segment document format
//! (<https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html>),
//! sent on its own with its trace and parent ids, as the X-Ray SDKs send
//! subsegments in Lambda (whose segment is Lambda's own).

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::value::RawValue;

/// One subsegment as sent.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Document {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    /// 16 hex digits, fresh for each subsegment.
    pub(crate) id: String,
    pub(crate) trace_id: String,
    pub(crate) parent_id: String,
    pub(crate) name: String,
    /// Epoch seconds, with the fraction.
    pub(crate) start_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end_time: Option<f64>,
    /// Sent before its call ended (the invocation's response was ready first).
    #[serde(skip_serializing_if = "is_false")]
    pub(crate) in_progress: bool,
    /// `remote` for a call to another service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) namespace: Option<&'static str>,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub(crate) annotations: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    pub(crate) metadata: Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) http: Option<Http>,
    /// An AWS call: its operation, and the function for a Lambda invocation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) aws: Option<Aws>,
    /// A 4xx answer to a call.
    #[serde(skip_serializing_if = "is_false")]
    pub(crate) error: bool,
    /// A 429 answer to a call.
    #[serde(skip_serializing_if = "is_false")]
    pub(crate) throttle: bool,
    /// A failed function, or a 5xx answer to a call.
    #[serde(skip_serializing_if = "is_false")]
    pub(crate) fault: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cause: Option<Cause>,
    /// A call's attempts (0 for a traced function): X-Ray reads them from
    /// the metadata `http.request.attempts`, OpenTelemetry from
    /// `http.request.resend_count`.
    #[serde(skip)]
    #[cfg_attr(not(feature = "otel"), allow(dead_code))]
    pub(crate) attempts: u32,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Document {
    /// A subsegment that starts now.
    pub(crate) fn start(trace_id: &str, parent_id: &str, name: String) -> Document {
        Document {
            kind: "subsegment",
            id: new_id(),
            trace_id: trace_id.to_owned(),
            parent_id: parent_id.to_owned(),
            name,
            start_time: now(),
            end_time: None,
            in_progress: false,
            namespace: None,
            annotations: serde_json::Map::new(),
            metadata: Metadata::default(),
            http: None,
            aws: None,
            error: false,
            throttle: false,
            fault: false,
            cause: None,
            attempts: 0,
        }
    }

    /// Marks the subsegment failed, with the error's text and type.
    pub(crate) fn fail(&mut self, message: String, kind: String) {
        self.fault = true;
        self.cause
            .get_or_insert_with(Cause::default)
            .exceptions
            .push(Exception {
                id: new_id(),
                message,
                kind,
            });
    }
}

/// Metadata by namespace, then by key, in the order first put; a key put
/// again keeps its place and takes the new value.
#[derive(Debug, Clone, Default)]
pub(crate) struct Metadata(Vec<(String, Entries)>);

/// One namespace's metadata: keys and their JSON, in the order first put.
type Entries = Vec<(String, Box<RawValue>)>;

impl Metadata {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each namespace with its entries as one JSON object's text.
    #[cfg(feature = "otel")]
    pub(crate) fn namespaces(&self) -> impl Iterator<Item = (&str, String)> {
        self.0.iter().map(|(namespace, entries)| {
            // Keys and raw JSON values: serializing them cannot fail.
            let json = serde_json::to_string(&EntriesMap(entries)).unwrap_or_default();
            (namespace.as_str(), json)
        })
    }

    pub(crate) fn put(&mut self, namespace: &str, key: &str, value: Box<RawValue>) {
        let entries = match self.0.iter().position(|(ns, _)| ns == namespace) {
            Some(at) => &mut self.0[at].1,
            None => {
                self.0.push((namespace.to_owned(), Vec::new()));
                let last = self.0.len() - 1;
                &mut self.0[last].1
            }
        };
        match entries.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value,
            None => entries.push((key.to_owned(), value)),
        }
    }
}

impl Serialize for Metadata {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (namespace, entries) in &self.0 {
            map.serialize_entry(namespace, &EntriesMap(entries))?;
        }
        map.end()
    }
}

/// One namespace's entries, serialized as a JSON object.
struct EntriesMap<'a>(&'a [(String, Box<RawValue>)]);

impl Serialize for EntriesMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// `http` of a call's subsegment.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Http {
    pub(crate) request: HttpRequest,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) response: Option<HttpResponse>,
}

/// `http.request`: what was called. The URL has no query string and no
/// credentials.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HttpRequest {
    pub(crate) method: String,
    pub(crate) url: String,
    /// The called service was sent the trace header.
    pub(crate) traced: bool,
}

/// `http.response`: what came back (the last attempt's answer).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) content_length: Option<u64>,
}

/// `aws` of a call to an AWS service.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Aws {
    pub(crate) operation: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) function_name: Option<String>,
    /// Attempts after the first.
    pub(crate) retries: u32,
}

/// `cause`: why the subsegment failed.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Cause {
    pub(crate) exceptions: Vec<Exception>,
}

/// One error in `cause.exceptions`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Exception {
    pub(crate) id: String,
    pub(crate) message: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
}

/// A fresh id: 16 hex digits (64 random bits).
pub(crate) fn new_id() -> String {
    format!("{:016x}", crate::random::bits())
}

/// Now, in epoch seconds with the fraction (microseconds, as the SDKs write).
pub(crate) fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_micros() as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn raw(value: serde_json::Value) -> Box<RawValue> {
        serde_json::value::to_raw_value(&value).unwrap()
    }

    #[test]
    fn a_started_subsegment_has_fresh_hex_ids_and_its_start() {
        let before = now();
        let doc = Document::start("1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8", "## f".into());
        let other = Document::start("1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8", "## f".into());
        assert!(super::super::header::is_segment_id(&doc.id), "{}", doc.id);
        assert_ne!(doc.id, other.id);
        assert!(doc.start_time >= before && doc.start_time > 1.7e9);
        assert_eq!(
            serde_json::to_value(&doc).unwrap(),
            json!({
                "type": "subsegment",
                "id": doc.id,
                "trace_id": "1-5759e988-bd862e3fe1be46a994272793",
                "parent_id": "53995c3f42cd8ad8",
                "name": "## f",
                "start_time": doc.start_time,
            })
        );
    }

    #[test]
    fn a_finished_failed_call_serializes_every_part_in_x_ray_s_names() {
        let mut doc = Document::start(
            "1-5759e988-bd862e3fe1be46a994272793",
            "53995c3f42cd8ad8",
            "## pay".into(),
        );
        doc.end_time = Some(doc.start_time + 0.25);
        doc.annotations.insert("ColdStart".into(), json!(true));
        doc.metadata.put("orders", "pay error", raw(json!("card declined")));
        doc.metadata.put("orders", "order", raw(json!({"id": 1})));
        doc.metadata.put("orders", "pay error", raw(json!("replaced")));
        doc.metadata.put("other", "k", raw(json!(2)));
        doc.fail("card declined".into(), "PwError".into());
        let value = serde_json::to_value(&doc).unwrap();
        assert_eq!(value["end_time"], json!(doc.start_time + 0.25));
        assert_eq!(value["annotations"], json!({"ColdStart": true}));
        assert_eq!(
            value["metadata"],
            json!({"orders": {"pay error": "replaced", "order": {"id": 1}}, "other": {"k": 2}})
        );
        // Metadata keeps the order the keys were first put in.
        let text = serde_json::to_string(&doc.metadata).unwrap();
        assert!(
            text.find("pay error").unwrap() < text.find("order\"").unwrap(),
            "{text}"
        );
        assert_eq!(value["fault"], true);
        assert_eq!(value["cause"]["exceptions"][0]["message"], "card declined");
        assert_eq!(value["cause"]["exceptions"][0]["type"], "PwError");
        assert_eq!(value["cause"]["exceptions"][0]["id"].as_str().unwrap().len(), 16);
        assert!(value.get("error").is_none() && value.get("in_progress").is_none());
    }

    #[test]
    fn a_call_has_its_namespace_http_and_status_flags() {
        let mut doc = Document::start(
            "1-5759e988-bd862e3fe1be46a994272793",
            "53995c3f42cd8ad8",
            "offers".into(),
        );
        doc.namespace = Some("remote");
        doc.http = Some(Http {
            request: HttpRequest {
                method: "GET".into(),
                url: "https://offers.example.com/v1/offers".into(),
                traced: true,
            },
            response: Some(HttpResponse {
                status: 429,
                content_length: Some(12),
            }),
        });
        doc.error = true;
        doc.throttle = true;
        let value = serde_json::to_value(&doc).unwrap();
        assert_eq!(value["namespace"], "remote");
        assert_eq!(
            value["http"],
            json!({"request": {"method": "GET", "url": "https://offers.example.com/v1/offers", "traced": true},
                   "response": {"status": 429, "content_length": 12}})
        );
        assert_eq!(
            (value["error"].clone(), value["throttle"].clone()),
            (json!(true), json!(true))
        );
        assert!(value.get("fault").is_none());
    }
}
