//! One event's fields, recorded from `tracing` into a reused scratch buffer
//! and shown to serde as the line's values.

use std::fmt::{self, Write as _};
use std::ops::Range;

use serde_json::value::RawValue;
use tracing::field::{Field, Visit};
use tracing::{Event, Metadata};

/// Field names with a place of their own in the line. An event field with
/// one of these names goes there instead of among the event's other keys.
pub(crate) mod field {
    /// The message, as text.
    pub(crate) const MESSAGE: &str = "message";
    /// The message, already JSON (an object from `#[logged]`): taken as JSON
    /// only from pypwext's own callsites (see `is_pypwext_callsite`).
    pub(crate) const MESSAGE_JSON: &str = "pypwext.message";
    /// Overrides the computed `location`.
    pub(crate) const LOCATION: &str = "location";
    pub(crate) const CLASSIFICATION: &str = "classification";
    /// The log entry type; `type` in the line.
    pub(crate) const LOG_TYPE: &str = "log_type";
    pub(crate) const OPERATION: &str = "operation";
    pub(crate) const EXCEPTION: &str = "exception";
    pub(crate) const EXCEPTION_NAME: &str = "exception_name";
}

/// One field's value, as the line shows it; text and JSON sit in the
/// event's scratch buffer ([`Fields::scratch`]).
#[derive(Clone)]
pub(super) enum FieldValue {
    Text(Range<usize>),
    /// JSON made by pypwext itself; written as a string should it ever not
    /// be one JSON value.
    Json(Range<usize>),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F64(f64),
    Bool(bool),
}

/// A field's value with the buffer its text sits in, for serde.
pub(super) struct Shown<'a> {
    scratch: &'a str,
    value: &'a FieldValue,
}

impl serde::Serialize for Shown<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = |range: &Range<usize>| self.scratch.get(range.clone()).unwrap_or_default();
        match self.value {
            FieldValue::Text(range) => serializer.serialize_str(text(range)),
            FieldValue::Json(range) => match serde_json::from_str::<&RawValue>(text(range)) {
                Ok(json) => json.serialize(serializer),
                Err(_) => serializer.serialize_str(text(range)),
            },
            FieldValue::I64(n) => serializer.serialize_i64(*n),
            FieldValue::U64(n) => serializer.serialize_u64(*n),
            FieldValue::I128(n) => serializer.serialize_i128(*n),
            FieldValue::U128(n) => serializer.serialize_u128(*n),
            FieldValue::F64(n) => serializer.serialize_f64(*n),
            FieldValue::Bool(b) => serializer.serialize_bool(*b),
        }
    }
}

/// One event's fields: the ones with a place of their own, then the others
/// in the order they were recorded.
#[derive(Default)]
pub(super) struct Fields {
    /// Whether the event comes from pypwext itself.
    trusted: bool,
    /// The text of every field, one after the other.
    pub(super) scratch: String,
    pub(super) message: Option<FieldValue>,
    pub(super) location: Option<FieldValue>,
    pub(super) classification: Option<FieldValue>,
    pub(super) log_type: Option<FieldValue>,
    pub(super) operation: Option<FieldValue>,
    pub(super) exception: Option<FieldValue>,
    pub(super) exception_name: Option<FieldValue>,
    pub(super) others: Vec<(&'static str, FieldValue)>,
}

impl Fields {
    /// Records `event`'s fields in place of the last event's.
    pub(super) fn record(&mut self, event: &Event<'_>) {
        self.reset(is_pypwext_callsite(event.metadata()));
        event.record(self);
    }

    /// Empties the fields for the next event, keeping the buffers.
    pub(super) fn reset(&mut self, trusted: bool) {
        let Fields {
            trusted: own_trusted,
            scratch,
            message,
            location,
            classification,
            log_type,
            operation,
            exception,
            exception_name,
            others,
        } = self;
        *own_trusted = trusted;
        scratch.clear();
        for slot in [
            message,
            location,
            classification,
            log_type,
            operation,
            exception,
            exception_name,
        ] {
            *slot = None;
        }
        others.clear();
    }

    pub(super) fn shown<'a>(&'a self, value: &'a FieldValue) -> Shown<'a> {
        Shown {
            scratch: &self.scratch,
            value,
        }
    }

    /// Whether `value` is the text `text`.
    pub(super) fn is_text(&self, value: &FieldValue, text: &str) -> bool {
        matches!(value, FieldValue::Text(range) if self.scratch.get(range.clone()) == Some(text))
    }

    /// Writes a field's text into the scratch buffer; where it sits.
    pub(super) fn text(&mut self, write: impl FnOnce(&mut String)) -> Range<usize> {
        let start = self.scratch.len();
        write(&mut self.scratch);
        start..self.scratch.len()
    }

    fn put(&mut self, field: &Field, value: FieldValue) {
        let name = field.name();
        let slot = match name {
            field::MESSAGE => &mut self.message,
            field::LOCATION => &mut self.location,
            field::CLASSIFICATION => &mut self.classification,
            field::LOG_TYPE => &mut self.log_type,
            field::OPERATION => &mut self.operation,
            field::EXCEPTION => &mut self.exception,
            field::EXCEPTION_NAME => &mut self.exception_name,
            _ => {
                self.others.push((name, value));
                return;
            }
        };
        *slot = Some(value);
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = self.text(|scratch| {
            let _ = write!(scratch, "{value:?}");
        });
        if self.trusted && field.name() == field::MESSAGE_JSON {
            // pypwext's own message is JSON already (checked when written).
            self.message = Some(FieldValue::Json(text));
            return;
        }
        self.put(field, FieldValue::Text(text));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let text = self.text(|scratch| scratch.push_str(value));
        self.put(field, FieldValue::Text(text));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, FieldValue::I64(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, FieldValue::U64(value));
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.put(field, FieldValue::I128(value));
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.put(field, FieldValue::U128(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, FieldValue::F64(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, FieldValue::Bool(value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let text = self.text(|scratch| {
            let _ = write!(scratch, "{}", ErrorChain(value));
        });
        self.put(field, FieldValue::Text(text));
    }
}

/// Whether the event comes from pypwext itself. Only these callsites may hand
/// the line a message that is already JSON: `tracing`'s macros set the module
/// path of the code they are written in, so user code cannot claim it.
fn is_pypwext_callsite(meta: &Metadata<'_>) -> bool {
    meta.module_path()
        .is_some_and(|path| path == "pypwext" || path.starts_with("pypwext::"))
}

/// An error and its sources, `outer: cause: root cause`.
pub(crate) struct ErrorChain<'a>(pub(crate) &'a (dyn std::error::Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_chain_lists_every_source() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("saving the order failed")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let err = Outer(std::io::Error::other("disk full"));
        assert_eq!(ErrorChain(&err).to_string(), "saving the order failed: disk full");
    }
}
