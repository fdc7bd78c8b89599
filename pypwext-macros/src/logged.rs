//! The arguments of `#[logged]`: levels, classification, log type,
//! operation, skip and redact, and what `inject_lambda_context` takes.

use proc_macro2::Span;

use crate::ast::StackAttr;
use crate::attr::{Attr, parse_args};
use crate::ctxt::Ctxt;
use crate::symbol::{
    CLASSIFICATION, CLASSIFICATIONS, CORRELATION_ID_PATH, INJECT_LAMBDA_CONTEXT, LEVEL, LOG_EVENT, LOG_EXCEPTION,
    LOG_TYPE, LOG_TYPES, OPERATION, OUT_CLASSIFICATION, OUT_LEVEL, OUT_LOG_TYPE, OUT_OPERATION, REDACT, SKIP, Symbol,
};

/// `#[logged(level = "debug", classification = Pii, skip(password), ...)]`
pub(crate) struct Logged {
    /// `tracing::Level` constant names: `"DEBUG"`, ….
    pub(crate) level: &'static str,
    pub(crate) out_level: &'static str,
    /// `InfoClassification` variants.
    pub(crate) classification: &'static str,
    pub(crate) out_classification: Option<&'static str>,
    /// `LogEntryType` variants.
    pub(crate) log_type: &'static str,
    pub(crate) out_log_type: Option<&'static str>,
    pub(crate) operation: Option<syn::LitStr>,
    pub(crate) out_operation: Option<syn::LitStr>,
    pub(crate) log_exception: bool,
    /// Parameters left out of the log, as written.
    pub(crate) skip: Vec<syn::Ident>,
    /// Parameters logged as `"*****"`, as written.
    pub(crate) redact: Vec<syn::Ident>,
    /// `inject_lambda_context`, where it is written.
    pub(crate) inject_lambda_context: Option<Span>,
    /// A string literal or a path to a `&str` constant.
    pub(crate) correlation_id_path: Option<syn::Expr>,
    /// `log_event`, where it is written, when on.
    pub(crate) log_event: Option<Span>,
    /// Variants written as paths (`InfoClassification::Pii`), with their
    /// enum: the expansion names them as written, so that the user's import
    /// is used and the path is checked to be pypwext's enum.
    pub(crate) variant_paths: Vec<(&'static str, syn::Path)>,
}

const LOGGED_ARGS: &[Symbol] = &[
    LEVEL,
    OUT_LEVEL,
    CLASSIFICATION,
    OUT_CLASSIFICATION,
    LOG_TYPE,
    OUT_LOG_TYPE,
    OPERATION,
    OUT_OPERATION,
    LOG_EXCEPTION,
    SKIP,
    REDACT,
    INJECT_LAMBDA_CONTEXT,
    CORRELATION_ID_PATH,
    LOG_EVENT,
];

pub(crate) fn parse_logged(cx: &mut Ctxt, attr: &StackAttr) -> Logged {
    let mut level = Attr::new(LEVEL);
    let mut out_level = Attr::new(OUT_LEVEL);
    let mut classification = Attr::new(CLASSIFICATION);
    let mut variant_paths = Vec::new();
    let mut out_classification = Attr::new(OUT_CLASSIFICATION);
    let mut log_type = Attr::new(LOG_TYPE);
    let mut out_log_type = Attr::new(OUT_LOG_TYPE);
    let mut operation = Attr::new(OPERATION);
    let mut out_operation = Attr::new(OUT_OPERATION);
    let mut log_exception = Attr::new(LOG_EXCEPTION);
    let mut skip = Attr::new(SKIP);
    let mut redact = Attr::new(REDACT);
    let mut inject = Attr::new(INJECT_LAMBDA_CONTEXT);
    let mut correlation_id_path = Attr::new(CORRELATION_ID_PATH);
    let mut log_event = Attr::new(LOG_EVENT);
    parse_args(cx, attr, LOGGED_ARGS, |cx, meta| {
        let path = &meta.path;
        if *path == LEVEL {
            level.set_level(cx, meta)?;
        } else if *path == OUT_LEVEL {
            out_level.set_level(cx, meta)?;
        } else if *path == CLASSIFICATION {
            variant_paths.extend(
                classification
                    .set_variant(cx, meta, "InfoClassification", CLASSIFICATIONS)?
                    .map(|p| ("InfoClassification", p)),
            );
        } else if *path == OUT_CLASSIFICATION {
            variant_paths.extend(
                out_classification
                    .set_variant(cx, meta, "InfoClassification", CLASSIFICATIONS)?
                    .map(|p| ("InfoClassification", p)),
            );
        } else if *path == LOG_TYPE {
            variant_paths.extend(
                log_type
                    .set_variant(cx, meta, "LogEntryType", LOG_TYPES)?
                    .map(|p| ("LogEntryType", p)),
            );
        } else if *path == OUT_LOG_TYPE {
            variant_paths.extend(
                out_log_type
                    .set_variant(cx, meta, "LogEntryType", LOG_TYPES)?
                    .map(|p| ("LogEntryType", p)),
            );
        } else if *path == OPERATION {
            operation.set_str(cx, meta)?;
        } else if *path == OUT_OPERATION {
            out_operation.set_str(cx, meta)?;
        } else if *path == LOG_EXCEPTION {
            log_exception.set_bool(cx, meta)?;
        } else if *path == SKIP {
            skip.set_idents(cx, meta)?;
        } else if *path == REDACT {
            redact.set_idents(cx, meta)?;
        } else if *path == INJECT_LAMBDA_CONTEXT {
            inject.set_bare(cx, meta)?;
        } else if *path == CORRELATION_ID_PATH {
            correlation_id_path.set_correlation_path(cx, meta)?;
        } else if *path == LOG_EVENT {
            log_event.set_bool(cx, meta)?;
        } else {
            return Ok(false);
        }
        Ok(true)
    });
    Logged {
        level: level.value.unwrap_or("DEBUG"),
        out_level: out_level.value.unwrap_or("INFO"),
        classification: classification.value.unwrap_or("Na"),
        out_classification: out_classification.value,
        log_type: log_type.value.unwrap_or("Std"),
        out_log_type: out_log_type.value,
        operation: operation.value,
        out_operation: out_operation.value,
        log_exception: log_exception.value.unwrap_or(true),
        skip: skip.value.unwrap_or_default(),
        redact: redact.value.unwrap_or_default(),
        inject_lambda_context: inject.written_at,
        variant_paths,
        correlation_id_path: correlation_id_path.value,
        log_event: if log_event.value == Some(true) {
            log_event.written_at
        } else {
            None
        },
    }
}
