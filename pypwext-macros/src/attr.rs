//! Pass 2: each attribute's arguments, parsed into typed settings. Every
//! problem goes to the `Ctxt`; parsing goes on past it where it can.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::spanned::Spanned;

use crate::ast::StackAttr;
use crate::ctxt::Ctxt;
use crate::symbol::{ALWAYS_RETURN, CODE_FROM_ERROR, JUST_STATUS_CODE, LEVELS, LOG, ROOT, Symbol};

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
    pub(crate) written_at: Option<Span>,
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
    pub(crate) fn set_correlation_path(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
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
    pub(crate) fn set_bare(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
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
    pub(crate) fn set_level(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
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
    pub(crate) fn set_variant(
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
    pub(crate) fn set_str(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
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
    pub(crate) fn set_idents(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
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
