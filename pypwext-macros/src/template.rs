//! `#[http_method]`'s URL and value templates, parsed at compile time into
//! pieces with the place each stands in (host, port, path, query, header).

/// Where a piece goes; the same names as `pypwext::__private::http::Place`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    Host,
    Port,
    Path,
    Query,
    Header,
    Function,
    Context,
}

impl Place {
    pub(crate) fn ident(self) -> &'static str {
        match self {
            Place::Host => "Host",
            Place::Port => "Port",
            Place::Path => "Path",
            Place::Query => "Query",
            Place::Header => "Header",
            Place::Function => "Function",
            Place::Context => "Context",
        }
    }
}

/// A piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Literal(String),
    /// `{name}`: a parameter.
    Param(String),
    /// `{NAME}`: an environment variable.
    Env(String),
}

/// A template piece and its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Piece {
    pub(crate) part: Part,
    pub(crate) place: Place,
}

/// Splits `text` into literals and placeholders, all in `place`.
pub(crate) fn pieces(text: &str, place: Place) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return Err(format!("a `}}` without its `{{` in `{text}`"));
        }
        if open > 0 {
            out.push(Piece {
                part: Part::Literal(rest[..open].to_owned()),
                place,
            });
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("a `{{` without its `}}` in `{text}`"))?;
        let name = &after[..close];
        out.push(Piece {
            part: placeholder(name)?,
            place,
        });
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece {
            part: Part::Literal(rest.to_owned()),
            place,
        });
    }
    Ok(out)
}

/// `name` is a parameter, `NAME` an environment variable; anything else is an error.
fn placeholder(name: &str) -> Result<Part, String> {
    let valid = !name.is_empty()
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{{{name}}}` is not a placeholder: write `{{parameter}}` or `{{ENV_VARIABLE}}`"
        ));
    }
    let has_lower = name.chars().any(|c| c.is_ascii_lowercase());
    let has_upper = name.chars().any(|c| c.is_ascii_uppercase());
    match (has_lower, has_upper) {
        (true, false) => Ok(Part::Param(name.to_owned())),
        (false, true) => Ok(Part::Env(name.to_owned())),
        _ => Err(format!(
            "`{{{name}}}` mixes cases: `{{lower_case}}` names a parameter, `{{UPPER_CASE}}` an environment variable"
        )),
    }
}

/// A URL template: `scheme://host[:port]/path[?query]`.
pub(crate) fn url(text: &str) -> Result<Vec<Piece>, String> {
    let (scheme, rest) = text
        .split_once("://")
        .ok_or_else(|| format!("`{text}` has no scheme: start it with `https://` or `http://`"))?;
    if scheme != "https" && scheme != "http" {
        return Err(format!(
            "`{scheme}://` is not a scheme a call can use: write `https://` or `http://`"
        ));
    }
    if text.contains('#') {
        return Err("a URL template cannot have a `#fragment`: it is never sent".to_owned());
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(authority_end);
    if authority.contains('@') {
        return Err("a URL template cannot hold credentials (`user@host`): sign the request instead".to_owned());
    }
    if authority.is_empty() {
        return Err(format!("`{text}` has no host"));
    }
    // No IPv6 literals: the last `:` separates the port.
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let mut out = vec![Piece {
        part: Part::Literal(format!("{scheme}://")),
        place: Place::Host,
    }];
    out.extend(pieces(host, Place::Host)?);
    if let Some(port) = port {
        out.push(Piece {
            part: Part::Literal(":".to_owned()),
            place: Place::Port,
        });
        out.extend(pieces(port, Place::Port)?);
    }
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    out.extend(pieces(path, Place::Path)?);
    if let Some(query) = query {
        out.push(Piece {
            part: Part::Literal("?".to_owned()),
            place: Place::Query,
        });
        out.extend(pieces(query, Place::Query)?);
    }
    Ok(out)
}

/// A Lambda function template: a name, `name:alias`, or an ARN, with placeholders.
pub(crate) fn function(text: &str) -> Result<Vec<Piece>, String> {
    let parsed = pieces(text, Place::Function)?;
    for piece in &parsed {
        if let Part::Literal(literal) = &piece.part
            && !literal
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'))
        {
            return Err(format!(
                "`{text}` is not a Lambda function: write a name, `name:alias` or an ARN (`arn:aws:lambda:<region>:<account>:function:<name>`)"
            ));
        }
    }
    if parsed.is_empty() {
        return Err("the function to invoke is empty: write its name or ARN".to_owned());
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str, place: Place) -> Piece {
        Piece {
            part: Part::Literal(s.to_owned()),
            place,
        }
    }
    fn param(s: &str, place: Place) -> Piece {
        Piece {
            part: Part::Param(s.to_owned()),
            place,
        }
    }
    fn env(s: &str, place: Place) -> Piece {
        Piece {
            part: Part::Env(s.to_owned()),
            place,
        }
    }

    #[test]
    fn the_design_example_parses() {
        let parsed = url("https://{STAGE}.execute-api.{AWS_REGION}.amazonaws.com/{api_version}/my-api").unwrap();
        assert_eq!(
            parsed,
            vec![
                lit("https://", Place::Host),
                env("STAGE", Place::Host),
                lit(".execute-api.", Place::Host),
                env("AWS_REGION", Place::Host),
                lit(".amazonaws.com", Place::Host),
                lit("/", Place::Path),
                param("api_version", Place::Path),
                lit("/my-api", Place::Path),
            ]
        );
    }

    #[test]
    fn ports_and_queries_have_their_places() {
        let parsed = url("http://localhost:{port}/orders/{id}?verbose={flag}").unwrap();
        assert!(parsed.contains(&param("port", Place::Port)));
        assert!(parsed.contains(&param("id", Place::Path)));
        assert!(parsed.contains(&param("flag", Place::Query)));
    }

    #[test]
    fn functions_are_names_aliases_or_arns() {
        assert!(function("orders-{STAGE}:live").is_ok());
        assert!(function("arn:aws:lambda:eu-west-1:123456789012:function:orders").is_ok());
        assert!(
            function("https://example.com")
                .unwrap_err()
                .contains("not a Lambda function")
        );
        assert!(function("").is_err());
    }

    #[test]
    fn bad_templates_say_why() {
        for (template, why) in [
            ("example.com/x", "no scheme"),
            ("ftp://example.com", "not a scheme"),
            ("https://user:pw@example.com", "credentials"),
            ("https://example.com/#top", "fragment"),
            ("https://example.com/{id", "without its `}`"),
            ("https://example.com/{Id}", "mixes cases"),
            ("https://example.com/{1d}", "not a placeholder"),
            ("https:///path", "no host"),
        ] {
            let err = url(template).unwrap_err();
            assert!(err.contains(why), "{template}: {err}");
        }
    }
}
