//! `put_annotation` and `put_metadata`: what the code of a traced call adds
//! to its subsegment.

use http::StatusCode;

use super::context;
use crate::errors::PwError;

/// An annotation's value: a string, a number or a boolean, as X-Ray indexes
/// them. Made with `into()` from `&str`, `String`, any integer, `f32`,
/// `f64` and `bool`.
#[derive(Debug, Clone, PartialEq)]
pub enum AnnotationValue {
    /// A string.
    Text(String),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A floating-point number; it must be finite.
    Float(f64),
    /// A boolean.
    Bool(bool),
}

macro_rules! annotation_from {
    ($variant:ident as $as:ty: $($ty:ty),*) => {
        $(impl From<$ty> for AnnotationValue {
            fn from(value: $ty) -> Self {
                AnnotationValue::$variant(<$as>::from(value))
            }
        })*
    };
}
annotation_from!(Int as i64: i8, i16, i32, i64);
annotation_from!(UInt as u64: u8, u16, u32, u64);
annotation_from!(Float as f64: f32, f64);
annotation_from!(Bool as bool: bool);
annotation_from!(Text as String: &str, String, &String);

impl From<usize> for AnnotationValue {
    fn from(value: usize) -> Self {
        AnnotationValue::UInt(value as u64)
    }
}

impl From<isize> for AnnotationValue {
    fn from(value: isize) -> Self {
        AnnotationValue::Int(value as i64)
    }
}

impl AnnotationValue {
    fn into_json(self, key: &str) -> Result<serde_json::Value, PwError> {
        Ok(match self {
            AnnotationValue::Text(text) if text.chars().count() > MAX_VALUE_CHARS => {
                return Err(tracer_error(format!(
                    "the annotation `{key}` has {} characters; X-Ray takes up to {MAX_VALUE_CHARS}: annotate with a shorter value (put the whole in metadata)",
                    text.chars().count()
                )));
            }
            AnnotationValue::Text(text) => text.into(),
            AnnotationValue::Int(n) => n.into(),
            AnnotationValue::UInt(n) => n.into(),
            AnnotationValue::Bool(b) => b.into(),
            AnnotationValue::Float(x) => serde_json::Number::from_f64(x)
                .ok_or_else(|| {
                    tracer_error(format!(
                        "the annotation `{key}` is {x}, which X-Ray cannot store; annotate with a finite number"
                    ))
                })?
                .into(),
        })
    }
}

/// Adds an annotation to the running traced call's subsegment: indexed by
/// X-Ray, so traces can be searched by it (`annotation.order_id = "o-1"`).
///
/// The key follows X-Ray's rule: 1 to 500 letters, digits and `_` (a key
/// with a space, `-`, `.` or any other character is an error naming the rule,
/// checked whether the call is recorded or not, so a local run finds it); a
/// string value has up to 1000 characters, a number is finite.
/// Outside any `#[traced]` call it is an error that says to annotate the
/// function; in a traced call that is not recorded (no sampled trace header,
/// `POWERTOOLS_TRACE_DISABLED`) it does nothing and succeeds.
///
/// ```
/// use pypwext::{traced, tracer, PwError};
///
/// #[traced]
/// fn reserve(order_id: &str) -> Result<(), PwError> {
///     tracer::put_annotation("order_id", order_id)?;
///     tracer::put_annotation("items", 3)?;
///     Ok(())
/// }
///
/// reserve("o-1").unwrap();
/// assert!(tracer::put_annotation("order-id", "o-1").is_err()); // outside #[traced], and `-`
/// ```
pub fn put_annotation(key: &str, value: impl Into<AnnotationValue>) -> Result<(), PwError> {
    let span = running(format_args!("`put_annotation(\"{key}\", …)`"))?;
    check_annotation_key(key)?;
    let Some(span) = span else { return Ok(()) };
    let value = value.into().into_json(key)?;
    span.edit(|doc| doc.annotations.insert(key.to_owned(), value));
    Ok(())
}

/// Adds metadata to the running traced call's subsegment, under the
/// service's namespace (`POWERTOOLS_SERVICE_NAME`, as Powertools does): any
/// `Serialize` value, shown in X-Ray but not indexed. A key put again takes
/// the new value.
///
/// Outside any `#[traced]` call it is an error that says to annotate the
/// function; in a traced call that is not recorded it does nothing (the
/// value is not even serialized) and succeeds. A value that fails to
/// serialize is an error.
///
/// ```
/// use pypwext::{traced, tracer, PwError};
///
/// #[derive(serde::Serialize)]
/// struct Order { id: u64, items: Vec<&'static str> }
///
/// #[traced]
/// fn store(order: &Order) -> Result<(), PwError> {
///     tracer::put_metadata("order", order)?;
///     Ok(())
/// }
///
/// store(&Order { id: 7, items: vec!["apple"] }).unwrap();
/// ```
pub fn put_metadata<T: serde::Serialize + ?Sized>(key: &str, value: &T) -> Result<(), PwError> {
    let Some(span) = running(format_args!("`put_metadata(\"{key}\", …)`"))? else {
        return Ok(());
    };
    let raw = serde_json::value::to_raw_value(value).map_err(|err| {
        tracer_error(format!(
            "the metadata `{key}` cannot be serialized as JSON ({err}); give it a value whose `Serialize` succeeds"
        ))
    })?;
    let namespace = &span.trace.settings.service;
    span.edit(|doc| doc.metadata.put(namespace, key, raw));
    Ok(())
}

/// The running traced call, or the error that says to trace the function.
fn running(what: std::fmt::Arguments<'_>) -> Result<Option<std::sync::Arc<context::Span>>, PwError> {
    context::current().map_err(|()| {
        tracer_error(format!(
            "{what} outside a `#[traced]` function; annotate the function with `#[traced]` (a task spawned with tokio::spawn does not see its caller's trace)"
        ))
    })
}

/// The longest annotation key X-Ray takes.
const MAX_KEY_CHARS: usize = 500;
/// The longest annotation string X-Ray takes, in characters.
const MAX_VALUE_CHARS: usize = 1000;

/// X-Ray's rule for annotation keys: 1 to 500 letters, digits and underscores.
fn check_annotation_key(key: &str) -> Result<(), PwError> {
    if key.is_empty() {
        return Err(tracer_error(
            "an annotation key is empty; X-Ray keys are 1 to 500 letters, digits and underscores".to_owned(),
        ));
    }
    if key.len() > MAX_KEY_CHARS {
        return Err(tracer_error(format!(
            "an annotation key has {} characters; X-Ray keys are 1 to {MAX_KEY_CHARS} letters, digits and underscores",
            key.len()
        )));
    }
    if let Some(bad) = key.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
        return Err(tracer_error(format!(
            "the annotation key `{key}` has {bad:?}; X-Ray keys take only letters, digits and underscores (write `{}`)",
            key.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect::<String>()
        )));
    }
    Ok(())
}

fn tracer_error(message: String) -> PwError {
    PwError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_x_ray_s_rule_and_the_error_names_it() {
        for key in ["order_id", "OrderId", "a1", "_"] {
            assert!(check_annotation_key(key).is_ok(), "{key}");
        }
        for (key, bad) in [
            ("order id", "' '"),
            ("order-id", "'-'"),
            ("order.id", "'.'"),
            ("clé", "'é'"),
        ] {
            let err = check_annotation_key(key).unwrap_err();
            assert!(
                err.message().contains(&format!(
                    "has {bad}; X-Ray keys take only letters, digits and underscores"
                )),
                "{key}: {}",
                err.message()
            );
        }
        assert!(check_annotation_key("").unwrap_err().message().contains("is empty"));
        assert!(check_annotation_key(&"k".repeat(500)).is_ok());
        assert!(
            check_annotation_key(&"k".repeat(501))
                .unwrap_err()
                .message()
                .contains("has 501 characters; X-Ray keys are 1 to 500")
        );
        assert!(
            check_annotation_key("order-id")
                .unwrap_err()
                .message()
                .contains("(write `order_id`)")
        );
    }

    #[test]
    fn values_are_strings_numbers_and_booleans() {
        let json = |value: AnnotationValue| value.into_json("k").unwrap();
        assert_eq!(json("a".into()), serde_json::json!("a"));
        assert_eq!(json(String::from("b").into()), serde_json::json!("b"));
        assert_eq!(json((-3i32).into()), serde_json::json!(-3));
        assert_eq!(json(u64::MAX.into()), serde_json::json!(u64::MAX));
        assert_eq!(json(7usize.into()), serde_json::json!(7));
        assert_eq!(json(1.5f64.into()), serde_json::json!(1.5));
        assert_eq!(json(true.into()), serde_json::json!(true));
        assert_eq!(json("é".repeat(1000).into()), serde_json::json!("é".repeat(1000)));
        let err = AnnotationValue::from("x".repeat(1001)).into_json("note").unwrap_err();
        assert!(
            err.message()
                .contains("the annotation `note` has 1001 characters; X-Ray takes up to 1000"),
            "{}",
            err.message()
        );
        let err = AnnotationValue::from(f64::NAN).into_json("ratio").unwrap_err();
        assert!(
            err.message()
                .contains("the annotation `ratio` is NaN, which X-Ray cannot store"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn outside_a_traced_call_they_say_to_annotate_the_function() {
        let err = put_annotation("k", 1).unwrap_err();
        assert!(
            err.message().starts_with(
                "`put_annotation(\"k\", …)` outside a `#[traced]` function; annotate the function with `#[traced]`"
            ),
            "{}",
            err.message()
        );
        let err = put_metadata("k", &1).unwrap_err();
        assert!(err.message().contains("outside a `#[traced]` function"));
    }

    #[test]
    fn in_a_call_that_is_not_recorded_they_succeed_and_do_nothing() {
        context::sync_scope(None, || {
            put_annotation("k", 1).unwrap();
            put_metadata("k", &1).unwrap();
            // The key rule still holds.
            assert!(put_annotation("k-1", 1).is_err());
        });
    }
}
