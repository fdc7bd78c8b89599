//! Helpers shared by the integration tests in `tests/`.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

/// A JSON object read with its keys in the order they were written, which
/// `serde_json::Value` does not keep.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedObject(pub Vec<(String, serde_json::Value)>);

impl OrderedObject {
    /// Parses one JSON line; panics with the line when it is not an object.
    pub fn parse(line: &str) -> OrderedObject {
        match serde_json::from_str(line) {
            Ok(object) => object,
            Err(err) => panic!("not a JSON object ({err}): {line}"),
        }
    }

    /// The keys, in written order.
    pub fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<'de> Deserialize<'de> for OrderedObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor;
        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedObject, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry()? {
                    entries.push((key, value));
                }
                Ok(OrderedObject(entries))
            }
        }
        deserializer.deserialize_map(OrderedVisitor)
    }
}

/// `true` when `s` has the shape `2021-11-24 13:38:50,673+0000`.
pub fn is_powertools_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 28
        && s.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == ' ',
            13 | 16 => c == ':',
            19 => c == ',',
            23 => c == '+',
            _ => c.is_ascii_digit(),
        })
        && &s[23..] == "+0000"
}

/// Installs, once per test binary, a global subscriber that takes every event
/// and writes it nowhere.
///
/// `tracing` caches each callsite's interest process-wide, computed the first
/// time the callsite runs. A test thread with no subscriber would cache
/// "never", hiding that line from a test that captures it with
/// `with_default` on another thread. With this global subscriber registered,
/// no callsite is ever cached as "never", and each scoped subscriber still
/// filters by its own level. Call it first in every test that logs.
pub fn install_global_subscriber() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let everything = pypwext::logging::builder()
            .level(tracing::level_filters::LevelFilter::TRACE)
            .writer(std::io::sink)
            .build();
        // Only this function sets it; a second binary-wide call is a no-op.
        let _ = tracing::subscriber::set_global_default(everything);
    });
}
