//! Appended keys: `append_key` / `remove_keys`, as Powertools' `append_keys`
//! and `remove_keys`. Inside an invocation a key lasts until the invocation
//! ends and no other invocation sees it; outside any invocation (during init)
//! it is on every later line of the process.

use std::sync::{Mutex, MutexGuard, PoisonError, RwLock};

use http::StatusCode;
use serde_json::value::RawValue;

use crate::errors::PwError;
use crate::lambda::{Invocation, LogKeys as Keys};

/// Keys every line writes itself. Another field of the same name (an event's,
/// a span's, an appended key) cannot take one: an event field is renamed
/// `event_<name>`, a span field `span_<name>`, and `append_key` refuses it.
/// (An event field named like a key with a place of its own, such as
/// `message` or `operation`, fills that place: `fields::field`.)
pub(crate) const LINE_KEYS: &[&str] = &[
    "level",
    "location",
    "message",
    "timestamp",
    "service",
    "sampling_rate",
    "classification",
    "type",
    "operation",
    "cold_start",
    "function_name",
    "function_memory_size",
    "function_arn",
    "function_request_id",
    "correlation_id",
    "tenant_id",
    "xray_trace_id",
    "exception",
    "exception_name",
];

/// The keys appended outside any invocation.
static PROCESS_KEYS: RwLock<Keys> = RwLock::new(Vec::new());

/// Puts `name` with `value` on every line of the current invocation (until it
/// ends), or of the process when called outside any invocation (during init).
/// A key appended again takes its new value.
///
/// ```
/// use pypwext::lambda::Invocation;
/// use pypwext::logging;
///
/// let sink = logging::MemoryWriter::new();
/// let subscriber = logging::builder().service("orders").writer(sink.clone()).build();
/// tracing::subscriber::with_default(subscriber, || {
///     Invocation::new("req-1").sync_scope(|| {
///         logging::append_key("order_id", 42).unwrap();
///         tracing::info!("accepted");
///     });
///     tracing::info!("next invocation: no order_id");
/// });
/// let lines: Vec<serde_json::Value> = sink.lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect();
/// assert_eq!(lines[0]["order_id"], 42);
/// assert!(lines[1].get("order_id").is_none());
/// ```
///
/// # Errors
///
/// A name that is empty or that every line writes itself (`level`,
/// `message`, `function_request_id`, …), or a value that cannot be serialized.
pub fn append_key(name: impl Into<String>, value: impl serde::Serialize) -> Result<(), PwError> {
    let name = name.into();
    if name.is_empty() {
        return Err(key_error("a log key needs a name; give it one".to_owned()));
    }
    if LINE_KEYS.contains(&name.as_str()) {
        return Err(key_error(format!(
            "`{name}` is a key every log line writes itself; append the value under another name"
        )));
    }
    let value = serde_json::value::to_raw_value(&value)
        .map_err(|err| key_error(format!("the value of log key `{name}` cannot be serialized: {err}")))?;
    match Invocation::current() {
        Some(invocation) => set(&mut lock(&invocation.log_keys), name, Some(value)),
        None => set(
            &mut PROCESS_KEYS.write().unwrap_or_else(PoisonError::into_inner),
            name,
            Some(value),
        ),
    }
    Ok(())
}

/// Takes `names` off the lines of the current invocation (a key of the
/// process too, for this invocation only), or off every later line of the
/// process when called outside any invocation.
pub fn remove_keys(names: &[&str]) {
    match Invocation::current() {
        Some(invocation) => {
            let mut keys = lock(&invocation.log_keys);
            for name in names {
                set(&mut keys, (*name).to_owned(), None);
            }
        }
        None => PROCESS_KEYS
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(name, _)| !names.contains(&name.as_str())),
    }
}

fn key_error(message: String) -> PwError {
    PwError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
}

// A panic while a lock was held cannot leave a `Vec` half-written.
fn lock(keys: &Mutex<Keys>) -> MutexGuard<'_, Keys> {
    keys.lock().unwrap_or_else(PoisonError::into_inner)
}

fn set(keys: &mut Keys, name: String, value: Option<Box<RawValue>>) {
    match keys.iter_mut().find(|(own, _)| *own == name) {
        Some((_, slot)) => *slot = value,
        None => keys.push((name, value)),
    }
}

/// Serializes the keys a line of `invocation` (or of no invocation) carries:
/// the process's, unless the invocation removed or replaced them, then the
/// invocation's own.
/// Names `written_later` says the line writes itself later are left out.
pub(crate) fn serialize_appended<M: serde::ser::SerializeMap>(
    map: &mut M,
    invocation: Option<&Invocation>,
    written_later: impl Fn(&str) -> bool,
) -> Result<(), M::Error> {
    let process = PROCESS_KEYS.read().unwrap_or_else(PoisonError::into_inner);
    let own = invocation.map(|invocation| lock(&invocation.log_keys));
    let own_keys: &[(String, Option<Box<RawValue>>)] = own.as_deref().map_or(&[], Vec::as_slice);
    for (name, value) in process.iter() {
        if let Some(value) = value
            && !own_keys.iter().any(|(own, _)| own == name)
            && !written_later(name)
        {
            map.serialize_entry(name, value)?;
        }
    }
    for (name, value) in own_keys {
        if let Some(value) = value
            && !written_later(name)
        {
            map.serialize_entry(name, value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_line_writes_are_refused() {
        for name in ["level", "message", "function_request_id", "xray_trace_id", ""] {
            let err = append_key(name, 1).unwrap_err();
            assert_eq!(err.code(), StatusCode::INTERNAL_SERVER_ERROR, "{name}");
        }
    }

    #[test]
    fn a_value_that_cannot_be_serialized_is_an_error() {
        let mut map = std::collections::HashMap::new();
        map.insert((1, 2), "tuple keys are not JSON keys");
        let err = append_key("bad", map).unwrap_err();
        assert!(err.message().contains("cannot be serialized"), "{err}");
    }

    #[test]
    fn an_invocation_keeps_its_keys_to_itself() {
        Invocation::new("a").sync_scope(|| {
            append_key("order_id", 1).unwrap();
            append_key("order_id", 2).unwrap();
            let current = Invocation::current().unwrap();
            let keys = lock(&current.log_keys);
            assert_eq!(keys.len(), 1);
            assert_eq!(keys[0].1.as_deref().map(RawValue::get), Some("2"));
        });
        Invocation::new("b").sync_scope(|| {
            assert!(lock(&Invocation::current().unwrap().log_keys).is_empty());
        });
    }
}
