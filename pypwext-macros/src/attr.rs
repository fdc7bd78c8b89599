//! Pass 2: each attribute's arguments, parsed into typed settings. Every
//! problem goes to the `Ctxt`; parsing goes on past it where it can.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::spanned::Spanned;

use crate::ast::StackAttr;
use crate::ctxt::Ctxt;
use crate::symbol::{
    ALWAYS_RETURN, BODY, CLASSIFICATION, CLASSIFICATIONS, CODE_FROM_ERROR, CORRELATION_ID_PATH, HEADERS, HTTP_METHODS,
    INJECT_LAMBDA_CONTEXT, JUST_STATUS_CODE, LEVEL, LEVELS, LOG, LOG_EVENT, LOG_EXCEPTION, LOG_TYPE, LOG_TYPES, METHOD,
    OPERATION, OUT_CLASSIFICATION, OUT_LEVEL, OUT_LOG_TYPE, OUT_OPERATION, PARAMS, REDACT, ROOT, SESSION, SKIP, Symbol,
    URL,
};

/// `#[collect_errors(root, log = false)]`
pub(crate) struct CollectErrors {
    pub(crate) root: bool,
    pub(crate) log: bool,
}

pub(crate) fn parse_collect_errors(cx: &mut Ctxt, attr: &StackAttr) -> CollectErrors {
    let mut root = Attr::new(ROOT);
    let mut log = Attr::new(LOG);
    parse_args(cx, attr, &[ROOT, LOG], |cx, meta| {
        if meta.path == ROOT {
            root.set_bare(cx, meta)?;
        } else if meta.path == LOG {
            log.set_bool(cx, meta)?;
        } else {
            return Ok(false);
        }
        Ok(true)
    });
    CollectErrors {
        root: root.value.unwrap_or(false),
        log: log.value.unwrap_or(true),
    }
}

/// A template as written, parsed.
pub(crate) struct Template {
    pub(crate) literal: syn::LitStr,
    pub(crate) pieces: Vec<crate::template::Piece>,
}

/// `#[http_method(method = "POST", url = "...", params(k = "{v}"), headers("h" = "{v}"), body = x, session = S)]`
pub(crate) struct HttpMethod {
    /// Where the attribute is written.
    pub(crate) span: Span,
    pub(crate) method: String,
    pub(crate) url: Option<Template>,
    pub(crate) params: Vec<(String, Template)>,
    pub(crate) headers: Vec<(String, Template)>,
    pub(crate) body: Option<syn::Ident>,
    pub(crate) session: Option<syn::Path>,
}

pub(crate) fn parse_http_method(cx: &mut Ctxt, attr: &StackAttr) -> HttpMethod {
    let mut method = Attr::new(METHOD);
    let mut url: Attr<syn::LitStr> = Attr::new(URL);
    let mut params: Attr<Vec<(String, Template)>> = Attr::new(PARAMS);
    let mut headers: Attr<Vec<(String, Template)>> = Attr::new(HEADERS);
    let mut body: Attr<syn::Ident> = Attr::new(BODY);
    let mut session: Attr<syn::Path> = Attr::new(SESSION);
    parse_args(cx, attr, &[METHOD, URL, PARAMS, HEADERS, BODY, SESSION], |cx, meta| {
        let path = &meta.path;
        if *path == METHOD {
            let lit: syn::LitStr = meta.value()?.parse()?;
            let upper = lit.value().to_ascii_uppercase();
            if HTTP_METHODS.contains(&upper.as_str()) {
                method.set(cx, meta, upper);
            } else {
                cx.error_spanned_by(
                    &lit,
                    format_args!(
                        "unknown method `{}`; expected one of: {}",
                        lit.value(),
                        HTTP_METHODS
                            .iter()
                            .map(|m| format!("`\"{m}\"`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        } else if *path == URL {
            // Parsed below, once the method says whether it is a URL or a function.
            let lit: syn::LitStr = meta.value()?.parse()?;
            url.set(cx, meta, lit);
        } else if *path == PARAMS || *path == HEADERS {
            let place = if *path == PARAMS {
                crate::template::Place::Query
            } else {
                crate::template::Place::Header
            };
            let content;
            syn::parenthesized!(content in meta.input);
            let pairs = content.parse_terminated(
                |input: syn::parse::ParseStream<'_>| {
                    let key: String = if input.peek(syn::LitStr) {
                        input.parse::<syn::LitStr>()?.value()
                    } else {
                        syn::ext::IdentExt::parse_any(input).map(|i: syn::Ident| i.to_string())?
                    };
                    input.parse::<syn::Token![=]>()?;
                    let value: syn::LitStr = input.parse()?;
                    Ok((key, value))
                },
                syn::Token![,],
            )?;
            let mut parsed = Vec::new();
            for (key, value) in pairs {
                if place == crate::template::Place::Header && http_header_name_invalid(&key) {
                    cx.error_spanned_by(&value, format_args!("`{key}` is not a valid header name"));
                    continue;
                }
                match crate::template::pieces(&value.value(), place) {
                    Ok(pieces) => parsed.push((key, Template { literal: value, pieces })),
                    Err(why) => cx.error_spanned_by(&value, why),
                }
            }
            if *path == PARAMS {
                params.set(cx, meta, parsed);
            } else {
                headers.set(cx, meta, parsed);
            }
        } else if *path == BODY {
            let ident: syn::Ident = meta.value()?.parse()?;
            body.set(cx, meta, ident);
        } else if *path == SESSION {
            let session_path: syn::Path = meta.value()?.parse()?;
            session.set(cx, meta, session_path);
        } else {
            return Ok(false);
        }
        Ok(true)
    });
    // A Lambda invocation's `url` is the function, its `params` the client context.
    let method = method.value.unwrap_or_else(|| "GET".to_owned());
    let lambda = method == "FUNC" || method == "EVENT";
    let url_template = url.value.as_ref().and_then(|lit| {
        let parsed = if lambda {
            crate::template::function(&lit.value())
        } else {
            crate::template::url(&lit.value())
        };
        match parsed {
            Ok(pieces) => Some(Template {
                literal: lit.clone(),
                pieces,
            }),
            Err(why) => {
                cx.error_spanned_by(lit, why);
                None
            }
        }
    });
    if lambda {
        for (_, template) in params.value.iter_mut().flatten() {
            for piece in &mut template.pieces {
                piece.place = crate::template::Place::Context;
            }
        }
    }
    if url.value.is_none() && cx.error_count() == 0 {
        cx.syn_error(syn::Error::new(
            attr.span,
            "`#[http_method]` needs `url = \"https://...\"`",
        ));
    }
    HttpMethod {
        span: attr.span,
        method,
        url: url_template,
        params: params.value.unwrap_or_default(),
        headers: headers.value.unwrap_or_default(),
        body: body.value,
        session: session.value,
    }
}

/// A header name must be a token (RFC 9110).
fn http_header_name_invalid(name: &str) -> bool {
    name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `#[service_response(just_status_code = false, code_from_error, always_return)]`
pub(crate) struct ServiceResponse {
    /// Where the attribute is written.
    pub(crate) span: Span,
    pub(crate) just_status_code: bool,
    pub(crate) code_from_error: bool,
    pub(crate) always_return: bool,
}

pub(crate) fn parse_service_response(cx: &mut Ctxt, attr: &StackAttr) -> ServiceResponse {
    let mut just_status_code = Attr::new(JUST_STATUS_CODE);
    let mut code_from_error = Attr::new(CODE_FROM_ERROR);
    let mut always_return = Attr::new(ALWAYS_RETURN);
    parse_args(
        cx,
        attr,
        &[JUST_STATUS_CODE, CODE_FROM_ERROR, ALWAYS_RETURN],
        |cx, meta| {
            if meta.path == JUST_STATUS_CODE {
                just_status_code.set_bool(cx, meta)?;
            } else if meta.path == CODE_FROM_ERROR {
                code_from_error.set_bool(cx, meta)?;
            } else if meta.path == ALWAYS_RETURN {
                always_return.set_bool(cx, meta)?;
            } else {
                return Ok(false);
            }
            Ok(true)
        },
    );
    ServiceResponse {
        span: attr.span,
        just_status_code: just_status_code.value.unwrap_or(true),
        code_from_error: code_from_error.value.unwrap_or(true),
        always_return: always_return.value.unwrap_or(true),
    }
}

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

/// Runs `one` on each `name`, `name = value` or `name(...)` argument. `one`
/// answers `Ok(false)` for a name it does not know; that is reported here with
/// the list of valid names.
pub(crate) fn parse_args(
    cx: &mut Ctxt,
    attr: &StackAttr,
    valid: &[Symbol],
    mut one: impl FnMut(&mut Ctxt, &ParseNestedMeta<'_>) -> syn::Result<bool>,
) {
    let name = attr.kind.symbol();
    if let Some(proc_macro2::TokenTree::Punct(eq)) = attr.args.clone().into_iter().next()
        && eq.as_char() == '='
    {
        cx.error_spanned_by(
            &attr.args,
            format_args!("`#[{name} = ...]` is not a form of this attribute; write `#[{name}]` or `#[{name}(...)]`"),
        );
        return;
    }
    let parser = syn::meta::parser(|meta| {
        if one(cx, &meta)? {
            return Ok(());
        }
        cx.error_spanned_by(
            &meta.path,
            format_args!(
                "unknown argument `{}` of `#[{name}]`; expected one of: {}",
                path_to_string(&meta.path),
                list(valid)
            ),
        );
        skip_value(&meta)
    });
    if let Err(err) = parser.parse2(attr.args.clone()) {
        cx.syn_error(err);
    }
}

/// Consumes the `= value` or `(...)` of an argument that was refused, so the
/// arguments after it are still read.
pub(crate) fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<proc_macro2::Group>()?;
    }
    Ok(())
}

/// One argument of an attribute: its word, and its value once given (a
/// second one is reported).
pub(crate) struct Attr<T> {
    word: Symbol,
    pub(crate) value: Option<T>,
    /// Where the setting is written.
    written_at: Option<Span>,
}

impl<T> Attr<T> {
    pub(crate) fn new(word: Symbol) -> Self {
        Attr {
            word,
            value: None,
            written_at: None,
        }
    }

    pub(crate) fn set(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>, value: T) {
        if self.value.is_some() {
            cx.error_spanned_by(&meta.path, format_args!("`{}` is given twice; keep one", self.word));
        } else {
            self.value = Some(value);
            self.written_at = Some(meta.path.span());
        }
    }
}

impl Attr<syn::Expr> {
    /// `correlation_id_path = "a.b"` or `= SOME_CONSTANT`. Its grammar is
    /// the support crate's, which the expansion evaluates in a `const`
    /// (`expand/inject.rs`): a constant's path is checked as a literal is.
    fn set_correlation_path(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let expr: syn::Expr = meta.value()?.parse()?;
        match &expr {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(_), ..
            })
            | syn::Expr::Path(_) => {}
            other => {
                cx.error_spanned_by(
                    other,
                    "`correlation_id_path` takes a string literal or the path of a `&str` constant",
                );
                return Ok(());
            }
        }
        self.set(cx, meta, expr);
        Ok(())
    }
}

impl Attr<bool> {
    /// `name` alone.
    fn set_bare(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
            cx.error_spanned_by(
                &meta.path,
                format_args!("`{0}` takes no value; write `{0}` alone", self.word),
            );
            return skip_value(meta);
        }
        self.set(cx, meta, true);
        Ok(())
    }

    /// `name = true` or `name = false`; `name` alone means `true`.
    pub(crate) fn set_bool(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        if !meta.input.peek(syn::Token![=]) {
            if meta.input.peek(syn::token::Paren) {
                cx.error_spanned_by(&meta.path, format_args!("`{0}` takes `= true` or `= false`", self.word));
                return skip_value(meta);
            }
            self.set(cx, meta, true);
            return Ok(());
        }
        let expr: syn::Expr = meta.value()?.parse()?;
        match &expr {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Bool(b), ..
            }) => self.set(cx, meta, b.value),
            other => cx.error_spanned_by(other, format_args!("`{}` takes `true` or `false`", self.word)),
        }
        Ok(())
    }
}

impl Attr<&'static str> {
    /// `name = "debug"`: one of `LEVELS`, as the `tracing::Level` constant.
    fn set_level(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let Some(lit) = self.str_value(cx, meta)? else {
            return Ok(());
        };
        let wanted = lit.value().to_ascii_lowercase();
        match LEVELS.iter().find(|(name, _)| *name == wanted) {
            Some((_, constant)) => self.set(cx, meta, constant),
            None => {
                let names: Vec<String> = LEVELS.iter().map(|(name, _)| format!("`\"{name}\"`")).collect();
                cx.error_spanned_by(
                    &lit,
                    format_args!("unknown level `{}`; expected one of: {}", lit.value(), names.join(", ")),
                );
            }
        }
        Ok(())
    }

    /// `name = Pii` or `name = InfoClassification::Pii`: one of `variants`.
    fn set_variant(
        &mut self,
        cx: &mut Ctxt,
        meta: &ParseNestedMeta<'_>,
        enum_name: &str,
        variants: &'static [&'static str],
    ) -> syn::Result<Option<syn::Path>> {
        let expr: syn::Expr = meta.value()?.parse()?;
        let last = match &expr {
            syn::Expr::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        match last.and_then(|l| variants.iter().find(|v| **v == l)) {
            Some(variant) => {
                self.set(cx, meta, variant);
                // A qualified path is named in the expansion as written.
                return Ok(match expr {
                    syn::Expr::Path(p) if p.path.segments.len() > 1 => Some(p.path),
                    _ => None,
                });
            }
            None => {
                let names: Vec<String> = variants.iter().map(|v| format!("`{v}`")).collect();
                cx.error_spanned_by(
                    &expr,
                    format_args!(
                        "unknown {enum_name} `{}`; expected one of: {} (or `{enum_name}::<one of them>`)",
                        quote::ToTokens::to_token_stream(&expr).to_string().replace(' ', ""),
                        names.join(", ")
                    ),
                );
            }
        }
        Ok(None)
    }

    /// The string literal of `name = "..."`, or `None` after reporting why not.
    fn str_value(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<syn::LitStr>> {
        let expr: syn::Expr = meta.value()?.parse()?;
        match expr {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(lit),
                ..
            }) => Ok(Some(lit)),
            other => {
                cx.error_spanned_by(&other, format_args!("`{}` takes a string, like `\"debug\"`", self.word));
                Ok(None)
            }
        }
    }
}

impl Attr<syn::LitStr> {
    /// `name = "text"`.
    fn set_str(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let expr: syn::Expr = meta.value()?.parse()?;
        match expr {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(lit),
                ..
            }) => self.set(cx, meta, lit),
            other => cx.error_spanned_by(&other, format_args!("`{}` takes a string literal", self.word)),
        }
        Ok(())
    }
}

impl Attr<Vec<syn::Ident>> {
    /// `name(a, b, c)`.
    fn set_idents(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        if !meta.input.peek(syn::token::Paren) {
            cx.error_spanned_by(
                &meta.path,
                format_args!(
                    "`{0}` takes a list of parameter names: `{0}(password, token)`",
                    self.word
                ),
            );
            return skip_value(meta);
        }
        let mut idents = Vec::new();
        meta.parse_nested_meta(|inner| {
            match inner.path.get_ident() {
                Some(ident) if inner.input.is_empty() || inner.input.peek(syn::Token![,]) => idents.push(ident.clone()),
                _ => {
                    cx.error_spanned_by(&inner.path, format_args!("`{}` takes parameter names only", self.word));
                    skip_value(&inner)?;
                }
            }
            Ok(())
        })?;
        self.set(cx, meta, idents);
        Ok(())
    }
}

fn path_to_string(path: &syn::Path) -> String {
    let mut out = String::new();
    for (i, segment) in path.segments.iter().enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        out.push_str(&segment.ident.to_string());
    }
    out
}

/// "`a`, `b`" for an error message.
pub(crate) fn list(words: &[Symbol]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    quoted.join(", ")
}
