//! The words of the attribute language, in one place.

use std::fmt;

#[derive(Copy, Clone)]
pub(crate) struct Symbol(pub(crate) &'static str);

/// The crate users import the attributes from.
pub(crate) const PYPWEXT: Symbol = Symbol("pypwext");

pub(crate) const COLLECT_ERRORS: Symbol = Symbol("collect_errors");
pub(crate) const ROOT: Symbol = Symbol("root");
pub(crate) const LOG: Symbol = Symbol("log");

pub(crate) const LOGGED: Symbol = Symbol("logged");
pub(crate) const LEVEL: Symbol = Symbol("level");
pub(crate) const OUT_LEVEL: Symbol = Symbol("out_level");
pub(crate) const CLASSIFICATION: Symbol = Symbol("classification");
pub(crate) const OUT_CLASSIFICATION: Symbol = Symbol("out_classification");
pub(crate) const LOG_TYPE: Symbol = Symbol("log_type");
pub(crate) const OUT_LOG_TYPE: Symbol = Symbol("out_log_type");
pub(crate) const OPERATION: Symbol = Symbol("operation");
pub(crate) const OUT_OPERATION: Symbol = Symbol("out_operation");
pub(crate) const LOG_EXCEPTION: Symbol = Symbol("log_exception");
pub(crate) const SKIP: Symbol = Symbol("skip");
pub(crate) const REDACT: Symbol = Symbol("redact");
pub(crate) const INJECT_LAMBDA_CONTEXT: Symbol = Symbol("inject_lambda_context");
pub(crate) const CORRELATION_ID_PATH: Symbol = Symbol("correlation_id_path");
pub(crate) const LOG_EVENT: Symbol = Symbol("log_event");

pub(crate) const SERVICE_RESPONSE: Symbol = Symbol("service_response");
pub(crate) const JUST_STATUS_CODE: Symbol = Symbol("just_status_code");
pub(crate) const CODE_FROM_ERROR: Symbol = Symbol("code_from_error");
pub(crate) const ALWAYS_RETURN: Symbol = Symbol("always_return");

pub(crate) const METRICS: Symbol = Symbol("metrics");
pub(crate) const NAMESPACE: Symbol = Symbol("namespace");
pub(crate) const SERVICE: Symbol = Symbol("service");
pub(crate) const CAPTURE_COLD_START_METRIC: Symbol = Symbol("capture_cold_start_metric");
pub(crate) const DEFAULT_DIMENSIONS: Symbol = Symbol("default_dimensions");
pub(crate) const TRACED: Symbol = Symbol("traced");
pub(crate) const CAPTURE_RESPONSE: Symbol = Symbol("capture_response");
pub(crate) const CAPTURE_ERROR: Symbol = Symbol("capture_error");
pub(crate) const NAME: Symbol = Symbol("name");

pub(crate) const BATCH_RESPONSE: Symbol = Symbol("batch_response");
pub(crate) const SOURCE: Symbol = Symbol("source");
pub(crate) const CONCURRENCY: Symbol = Symbol("concurrency");
pub(crate) const SKIP_GROUP_ON_ERROR: Symbol = Symbol("skip_group_on_error");
pub(crate) const FAIL_WHOLE_BATCH: Symbol = Symbol("fail_whole_batch");

pub(crate) const IDEMPOTENT: Symbol = Symbol("idempotent");
pub(crate) const STORE: Symbol = Symbol("store");
pub(crate) const KEY: Symbol = Symbol("key");
pub(crate) const VALIDATE: Symbol = Symbol("validate");
pub(crate) const KEY_PREFIX: Symbol = Symbol("key_prefix");

pub(crate) const HTTP_METHOD: Symbol = Symbol("http_method");
pub(crate) const METHOD: Symbol = Symbol("method");
pub(crate) const URL: Symbol = Symbol("url");
pub(crate) const PARAMS: Symbol = Symbol("params");
pub(crate) const HEADERS: Symbol = Symbol("headers");
pub(crate) const BODY: Symbol = Symbol("body");
pub(crate) const SESSION: Symbol = Symbol("session");

/// The methods `#[http_method]` takes: HTTP's, and `FUNC` (invoke a Lambda
/// function and wait) and `EVENT` (queue an invocation).
pub(crate) const HTTP_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "FUNC", "EVENT",
];

/// Parameters filled from the answer, not from the caller.
pub(crate) const RESPONSE_PARAMS: &[&str] = &["response", "response_body", "response_code"];

/// The level names `level` and `out_level` take, and the `tracing::Level` each means.
pub(crate) const LEVELS: &[(&str, &str)] = &[
    ("trace", "TRACE"),
    ("debug", "DEBUG"),
    ("info", "INFO"),
    ("warn", "WARN"),
    ("warning", "WARN"),
    ("error", "ERROR"),
];

/// `InfoClassification`'s variants.
pub(crate) const CLASSIFICATIONS: &[&str] = &["Na", "AuthorizationInfo", "CorporateSensitiveInfo", "Pii"];
/// `LogEntryType`'s variants.
pub(crate) const LOG_TYPES: &[&str] = &["Std", "Audit"];

impl PartialEq<Symbol> for syn::Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for syn::Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
