//! Pass 2: each attribute's arguments, parsed into typed settings. Every
//! problem goes to the `Ctxt`; parsing goes on past it where it can.

use syn::meta::ParseNestedMeta;
use syn::parse::Parser;

use crate::ast::{LayerKind, StackAttr};
use crate::ctxt::Ctxt;
use crate::symbol::{LOG, ROOT, Symbol};

/// One layer of the stack with its settings.
pub(crate) enum Layer {
    CollectErrors(CollectErrors),
}

/// `#[collect_errors(root, log = false)]`
pub(crate) struct CollectErrors {
    pub(crate) root: bool,
    pub(crate) log: bool,
}

/// The arguments of `attr`. Each problem is reported to `cx` and the setting
/// keeps its default, so the rules of `valid.rs` can still be checked.
pub(crate) fn parse(cx: &mut Ctxt, attr: &StackAttr) -> Layer {
    match attr.kind {
        LayerKind::CollectErrors => Layer::CollectErrors(parse_collect_errors(cx, attr)),
    }
}

fn parse_collect_errors(cx: &mut Ctxt, attr: &StackAttr) -> CollectErrors {
    let mut root = Flag::new(ROOT);
    let mut log = Flag::new(LOG);
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

/// Runs `one` on each `name`, `name = value` or `name(...)` argument. `one`
/// answers `Ok(false)` for a name it does not know; that is reported here with
/// the list of valid names.
fn parse_args(
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
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<proc_macro2::Group>()?;
    }
    Ok(())
}

/// A setting given at most once.
struct Flag<T> {
    word: Symbol,
    value: Option<T>,
}

impl<T> Flag<T> {
    fn new(word: Symbol) -> Self {
        Flag { word, value: None }
    }

    fn set(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>, value: T) {
        if self.value.is_some() {
            cx.error_spanned_by(&meta.path, format_args!("`{}` is given twice; keep one", self.word));
        } else {
            self.value = Some(value);
        }
    }
}

impl Flag<bool> {
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
    fn set_bool(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
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
