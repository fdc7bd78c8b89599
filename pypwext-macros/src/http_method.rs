//! The arguments of `#[http_method]`: method, URL and its templates, query
//! parameters, headers, body and session.

use proc_macro2::Span;

use crate::ast::StackAttr;
use crate::attr::{Attr, parse_args};
use crate::ctxt::Ctxt;
use crate::symbol::{BODY, HEADERS, HTTP_METHODS, METHOD, PARAMS, SESSION, URL};

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
