//! The error model: [`PwError`], its classification and action, and the
//! per-invocation [`ErrorCollector`].
//!
//! A `PwError` carries an HTTP status code, a message that is safe to show a
//! caller, an [`ErrorAction`] that tells the code above what to do with it, an
//! [`InfoClassification`] that tells the logger how sensitive it is, and optional
//! JSON details. It serializes to the same JSON the Python pypwext writes:
//!
//! ```
//! use pypwext::{ErrorAction, InfoClassification, PwError, StatusCode};
//!
//! let err = PwError::new(StatusCode::NOT_FOUND, "no such order")
//!     .with_action(ErrorAction::Continue)
//!     .with_classification(InfoClassification::Pii)
//!     .with_details(serde_json::json!({"order": 42}));
//!
//! assert_eq!(
//!     serde_json::to_string(&err).unwrap(),
//!     r#"{"code":404,"action":"CONTINUE","msg":"no such order","classification":"PII","details":{"order":42}}"#
//! );
//! ```

pub(crate) mod collect;
pub(crate) mod collector;
mod with_return;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use http::StatusCode;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

pub use collector::{CollectorFutureExt, CollectorScope, ErrorCollector, current_collector};
#[cfg(feature = "batch")]
pub(crate) use collector::{fresh_scope, start_fresh};
pub use with_return::ErrorWithReturn;

/// Declares a C-like enum whose wire name is a fixed upper-case string, with
/// `as_str`, `ALL`, `Display`, `FromStr`, `Serialize` and `Deserialize`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in ascending order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name written on the wire and in log lines.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $wire, )+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownVariant;

            /// Parses the wire name (`"PII"`) or the Rust name (`"Pii"`).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $(
                    if s == $wire || s == stringify!($variant) {
                        return Ok($name::$variant);
                    }
                )+
                Err(UnknownVariant {
                    what: $what,
                    found: s.to_owned(),
                    expected: &[$($wire),+],
                })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = Cow::<'de, str>::deserialize(deserializer)?;
                s.parse().map_err(de::Error::custom)
            }
        }
    };
}

wire_enum! {
    /// How sensitive the information in an error or a log line is.
    ///
    /// Ordered by [`rank`](InfoClassification::rank): `Na` (0) <
    /// `AuthorizationInfo` (50) < `CorporateSensitiveInfo` (70) < `Pii` (100).
    InfoClassification, "classification" {
        /// Not classified: nothing sensitive. Serialized `"NA"`.
        #[default]
        Na => "NA",
        /// Authorization material such as tokens or roles. Serialized `"AUTHORIZATION_INFO"`.
        AuthorizationInfo => "AUTHORIZATION_INFO",
        /// Information internal to the company. Serialized `"CORPORATE_SENSITIVE_INFO"`.
        CorporateSensitiveInfo => "CORPORATE_SENSITIVE_INFO",
        /// Personally identifiable information. Serialized `"PII"`.
        Pii => "PII",
    }
}

impl InfoClassification {
    /// The numeric rank of the classification: 0, 50, 70 or 100.
    pub const fn rank(self) -> u8 {
        match self {
            InfoClassification::Na => 0,
            InfoClassification::AuthorizationInfo => 50,
            InfoClassification::CorporateSensitiveInfo => 70,
            InfoClassification::Pii => 100,
        }
    }
}

wire_enum! {
    /// What the code that receives an error should do with it.
    ErrorAction, "error action" {
        /// No recommendation: the receiver decides. Serialized `"INDECISIVE"`.
        Indecisive => "INDECISIVE",
        /// Stop and return the error. The default. Serialized `"RAISE"`.
        #[default]
        Raise => "RAISE",
        /// The work can go on: `#[collect_errors]` collects the error instead of
        /// returning it. Serialized `"CONTINUE"`.
        Continue => "CONTINUE",
    }
}

wire_enum! {
    /// The kind of a log line.
    LogEntryType, "log entry type" {
        /// An ordinary line. Serialized `"STD"`.
        #[default]
        Std => "STD",
        /// An audit line, kept for compliance. Serialized `"AUDIT"`.
        Audit => "AUDIT",
    }
}

/// A string that named none of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVariant {
    what: &'static str,
    found: String,
    expected: &'static [&'static str],
}

impl fmt::Display for UnknownVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} `{}`, expected one of: ", self.what, self.found)?;
        for (i, name) in self.expected.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{name}`")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownVariant {}

/// The pypwext error: an HTTP status code, a message, an action, a
/// classification and optional JSON details.
///
/// `Display` shows the message only. `Serialize` writes
/// `{"code":404,"action":"RAISE","msg":"…","classification":"NA","details":{…}}`
/// (`details` left out when absent); `Deserialize` reads the same, and also the
/// error objects of a pypwext response body, which have no `action` (it is then
/// [`ErrorAction::Raise`]) and may leave out `classification` (then
/// [`InfoClassification::Na`]).
///
/// A source error attached with [`with_source`](PwError::with_source) is kept
/// for [`std::error::Error::source`] and the logs, never serialized: it may hold
/// details a caller must not see.
#[derive(Clone)]
pub struct PwError {
    code: StatusCode,
    action: ErrorAction,
    message: Cow<'static, str>,
    classification: InfoClassification,
    details: Option<serde_json::Value>,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl PwError {
    /// A new error with action [`ErrorAction::Raise`], classification
    /// [`InfoClassification::Na`] and no details.
    pub fn new(code: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        PwError {
            code,
            action: ErrorAction::Raise,
            message: message.into(),
            classification: InfoClassification::Na,
            details: None,
            source: None,
        }
    }

    /// Sets what the receiver should do with the error.
    #[must_use]
    pub fn with_action(mut self, action: ErrorAction) -> Self {
        self.action = action;
        self
    }

    /// Sets how sensitive the error's message and details are.
    #[must_use]
    pub fn with_classification(mut self, classification: InfoClassification) -> Self {
        self.classification = classification;
        self
    }

    /// Attaches JSON details, for example the body a downstream service answered.
    #[must_use]
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    /// Attaches the error that caused this one; see the type's docs.
    #[must_use]
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// The HTTP status code.
    pub fn code(&self) -> StatusCode {
        self.code
    }

    /// What the receiver should do with the error.
    pub fn action(&self) -> ErrorAction {
        self.action
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How sensitive the message and details are.
    pub fn classification(&self) -> InfoClassification {
        self.classification
    }

    /// The JSON details, if any.
    pub fn details(&self) -> Option<&serde_json::Value> {
        self.details.as_ref()
    }

    /// `true` when the action is [`ErrorAction::Continue`].
    pub fn is_continue(&self) -> bool {
        self.action == ErrorAction::Continue
    }

    /// The error as a JSON value, as `Serialize` writes it.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::with_capacity(5);
        map.insert("code".into(), self.code.as_u16().into());
        map.insert("action".into(), self.action.as_str().into());
        map.insert("msg".into(), self.message().into());
        map.insert("classification".into(), self.classification.as_str().into());
        if let Some(details) = &self.details {
            map.insert("details".into(), details.clone());
        }
        serde_json::Value::Object(map)
    }
}

impl fmt::Display for PwError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for PwError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("PwError");
        s.field("code", &self.code.as_u16())
            .field("action", &self.action)
            .field("message", &self.message)
            .field("classification", &self.classification);
        if let Some(details) = &self.details {
            s.field("details", details);
        }
        if let Some(source) = &self.source {
            s.field("source", source);
        }
        s.finish()
    }
}

impl std::error::Error for PwError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl Serialize for PwError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = if self.details.is_some() { 5 } else { 4 };
        let mut s = serializer.serialize_struct("PwError", len)?;
        s.serialize_field("code", &self.code.as_u16())?;
        s.serialize_field("action", &self.action)?;
        s.serialize_field("msg", &*self.message)?;
        s.serialize_field("classification", &self.classification)?;
        if let Some(details) = &self.details {
            s.serialize_field("details", details)?;
        }
        s.end()
    }
}

const PW_ERROR_FIELDS: &[&str] = &["code", "action", "msg", "classification", "details"];

impl<'de> Deserialize<'de> for PwError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("PwError", PW_ERROR_FIELDS, PwErrorVisitor)
    }
}

struct PwErrorVisitor;

impl<'de> Visitor<'de> for PwErrorVisitor {
    type Value = PwError;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a pypwext error object with `code` and `msg`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PwError, A::Error> {
        let mut code: Option<StatusCode> = None;
        let mut action: Option<ErrorAction> = None;
        let mut message: Option<String> = None;
        let mut classification: Option<InfoClassification> = None;
        let mut details: Option<serde_json::Value> = None;

        fn set_once<T, E: de::Error>(slot: &mut Option<T>, key: &'static str, value: T) -> Result<(), E> {
            if slot.replace(value).is_some() {
                return Err(E::duplicate_field(key));
            }
            Ok(())
        }

        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match &*key {
                "code" => {
                    let raw: u16 = map.next_value()?;
                    let status = StatusCode::from_u16(raw).map_err(|_| {
                        de::Error::custom(format_args!(
                            "`code` {raw} is not an HTTP status code, expected 100 to 999"
                        ))
                    })?;
                    set_once(&mut code, "code", status)?;
                }
                "action" => set_once(&mut action, "action", map.next_value()?)?,
                "msg" => set_once(&mut message, "msg", map.next_value()?)?,
                "classification" => set_once(&mut classification, "classification", map.next_value()?)?,
                "details" => {
                    let value: serde_json::Value = map.next_value()?;
                    // `null` details are no details, as when they are left out.
                    set_once(&mut details, "details", value)?;
                }
                // Other services may add keys of their own; they are not ours to refuse.
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }

        let code = code.ok_or_else(|| de::Error::missing_field("code"))?;
        let message = message.ok_or_else(|| de::Error::missing_field("msg"))?;
        Ok(PwError {
            code,
            action: action.unwrap_or_default(),
            message: Cow::Owned(message),
            classification: classification.unwrap_or_default(),
            details: details.filter(|d| !d.is_null()),
            source: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_raise_na_and_no_details() {
        let err = PwError::new(StatusCode::BAD_REQUEST, "Test message");
        assert_eq!(err.action(), ErrorAction::Raise);
        assert_eq!(err.classification(), InfoClassification::Na);
        assert!(err.details().is_none());
        assert_eq!(
            serde_json::to_string(&err).unwrap(),
            r#"{"code":400,"action":"RAISE","msg":"Test message","classification":"NA"}"#
        );
    }

    #[test]
    fn to_json_matches_serialize() {
        let err = PwError::new(StatusCode::CONFLICT, "dup")
            .with_details(json!({"id": [1, 2]}))
            .with_classification(InfoClassification::CorporateSensitiveInfo);
        assert_eq!(err.to_json(), serde_json::to_value(&err).unwrap());
    }

    #[test]
    fn ranks_and_order_agree() {
        let ranks: Vec<u8> = InfoClassification::ALL.iter().map(|c| c.rank()).collect();
        assert_eq!(ranks, [0, 50, 70, 100]);
        assert!(InfoClassification::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn enums_parse_wire_and_rust_names() {
        assert_eq!("PII".parse::<InfoClassification>().unwrap(), InfoClassification::Pii);
        assert_eq!("Pii".parse::<InfoClassification>().unwrap(), InfoClassification::Pii);
        assert_eq!("CONTINUE".parse::<ErrorAction>().unwrap(), ErrorAction::Continue);
        assert_eq!("Audit".parse::<LogEntryType>().unwrap(), LogEntryType::Audit);
        let err = "pii".parse::<InfoClassification>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown classification `pii`, expected one of: `NA`, `AUTHORIZATION_INFO`, `CORPORATE_SENSITIVE_INFO`, `PII`"
        );
    }

    #[test]
    fn deserialize_rejects_bad_codes_and_duplicates() {
        let bad = serde_json::from_str::<PwError>(r#"{"code":42,"msg":"x"}"#).unwrap_err();
        assert!(
            bad.to_string().contains("`code` 42 is not an HTTP status code"),
            "{bad}"
        );
        let dup = serde_json::from_str::<PwError>(r#"{"code":400,"code":401,"msg":"x"}"#).unwrap_err();
        assert!(dup.to_string().contains("duplicate field `code`"), "{dup}");
        let missing = serde_json::from_str::<PwError>(r#"{"code":400}"#).unwrap_err();
        assert!(missing.to_string().contains("missing field `msg`"), "{missing}");
        let action = serde_json::from_str::<PwError>(r#"{"code":400,"msg":"x","action":"STOP"}"#).unwrap_err();
        assert!(action.to_string().contains("unknown error action `STOP`"), "{action}");
    }

    #[test]
    fn source_is_kept_but_never_serialized() {
        let io = std::io::Error::other("disk on fire at /secret/path");
        let err = PwError::new(StatusCode::INTERNAL_SERVER_ERROR, "storage failed").with_source(io);
        let source = std::error::Error::source(&err).unwrap();
        assert_eq!(source.to_string(), "disk on fire at /secret/path");
        assert!(!serde_json::to_string(&err).unwrap().contains("secret"));
        assert!(format!("{err:?}").contains("secret"));
        assert_eq!(err.to_string(), "storage failed");
    }
}
