//! The words of the attribute language, in one place.

use std::fmt;

#[derive(Copy, Clone)]
pub(crate) struct Symbol(pub(crate) &'static str);

/// The crate users import the attributes from.
pub(crate) const PYPWEXT: Symbol = Symbol("pypwext");

pub(crate) const COLLECT_ERRORS: Symbol = Symbol("collect_errors");
pub(crate) const ROOT: Symbol = Symbol("root");
pub(crate) const LOG: Symbol = Symbol("log");

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
