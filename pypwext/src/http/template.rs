//! URL and header templates: pieces parsed at compile time, filled per call
//! with values that must fit the part of the request they stand in.

use std::fmt::Display;

use http::StatusCode;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::errors::PwError;

/// What `#[http_method(...)]` was asked to do on one function; a `static` in
/// the generated code.
#[derive(Debug)]
pub struct HttpCall {
    /// The function's name, for errors.
    pub function: &'static str,
    /// The HTTP method, or `FUNC`/`EVENT` for a Lambda invocation.
    pub method: &'static str,
    /// The URL up to the query (for `FUNC`/`EVENT`: the function's name).
    pub url: &'static [Piece],
    /// Query parameters: name, and its value's pieces (the template's own
    /// query string first, then `params(...)`).
    pub query: &'static [(&'static str, &'static [Piece])],
    /// Headers: name (checked at compile time), and its value's pieces.
    pub headers: &'static [(&'static str, &'static [Piece])],
    /// The names of the arguments `Part::Arg` counts, for errors.
    pub arg_names: &'static [&'static str],
}

/// Where in the request a placeholder's value goes; each place has its own
/// rule, so that no value can change the URL's scheme, host, port or path
/// structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A host label: letters, digits and `-` only.
    Host,
    /// A port: digits only.
    Port,
    /// A path segment: percent-encoded, so `/`, `?`, `#` stay data.
    Path,
    /// A query value: percent-encoded.
    Query,
    /// A header value: anything but CR, LF and other control characters.
    Header,
    /// A Lambda function name (or a part of one): letters, digits, `-`, `_`.
    Function,
    /// A value in a Lambda invocation's client context: any text (JSON-escaped).
    Context,
}

/// One piece of a template.
#[derive(Debug, Clone, Copy)]
pub enum Part {
    /// Text written in the template, used as is.
    Literal(&'static str),
    /// The value of the call's argument number `n`.
    Arg(usize),
    /// An environment variable, read per call.
    Env(&'static str),
}

/// A template piece and where it stands.
#[derive(Debug, Clone, Copy)]
pub struct Piece {
    /// What it is.
    pub part: Part,
    /// Where it goes.
    pub place: Place,
}

/// What a path segment or query value encodes: everything but RFC 3986's
/// unreserved characters, so that no value adds a `/`, `?`, `&`, `=` or `#`.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Appends `value` percent-encoded.
pub(super) fn percent_encode(out: &mut String, value: &str) {
    out.extend(utf8_percent_encode(value, NOT_UNRESERVED));
}

/// Why `value` cannot stand in `place`, if it cannot.
fn misfit(place: Place, value: &str) -> Option<&'static str> {
    let all = |fits: fn(u8) -> bool| !value.is_empty() && value.bytes().all(fits);
    match place {
        Place::Host => (!all(|b| b.is_ascii_alphanumeric() || b == b'-')).then_some("only letters, digits and `-` may"),
        // Digits only: `u16::from_str` would also take a leading `+`.
        Place::Port => {
            (!all(|b| b.is_ascii_digit()) || value.parse::<u16>().is_err()).then_some("only a number up to 65535 may")
        }
        Place::Function => (!all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
            .then_some("only letters, digits, `-` and `_` may"),
        Place::Header => value
            .bytes()
            .any(|b| b.is_ascii_control() && b != b'\t')
            .then_some("CR, LF and control characters may not"),
        Place::Path | Place::Query | Place::Context => None,
    }
}

fn value_error(call: &HttpCall, what: &str, place: Place, value: &str, why: &str) -> PwError {
    let place = match place {
        Place::Host => "a host label",
        Place::Port => "a port",
        Place::Path => "a path segment",
        Place::Query => "a query value",
        Place::Header => "a header value",
        Place::Function => "a function name",
        Place::Context => "a client context value",
    };
    PwError::new(
        StatusCode::BAD_REQUEST,
        format!("{}: the value of {what} cannot stand in {place}: {why}", call.function),
    )
    .with_details(serde_json::json!({ "placeholder": what, "value": value }))
}

/// Whether `text` is `.` or `..` once percent-decoded, however often it was
/// encoded (`%2e`, `.%2E`, `%252e`, …): a server that decodes it, or the URL
/// parser itself, would take it as "this directory" or "the parent".
fn is_dot_segment(text: &str) -> bool {
    let mut text = text.to_owned();
    // A decoding that changes the text shortens it or ends the `%`s in it,
    // so the text is stable long before this bound.
    for _ in 0..=text.len() {
        if text == "." || text == ".." {
            return true;
        }
        let decoded = percent_decode_str(&text).decode_utf8_lossy().into_owned();
        if decoded == text {
            return false;
        }
        text = decoded;
    }
    false
}

/// The path segment being rendered: its text with values as given (before
/// percent-encoding), and the first placeholder in it with its value.
#[derive(Default)]
struct Segment {
    text: String,
    placeholder: Option<(String, String)>,
}

impl Segment {
    /// Adds a literal of the template; each `/` in it ends a segment.
    fn literal(&mut self, call: &HttpCall, text: &str) -> Result<(), PwError> {
        for (n, part) in text.split('/').enumerate() {
            if n > 0 {
                self.end(call)?;
            }
            self.text.push_str(part);
        }
        Ok(())
    }

    /// Adds a placeholder's value.
    fn value(&mut self, what: &str, value: &str) {
        self.text.push_str(value);
        if self.placeholder.is_none() {
            self.placeholder = Some((what.to_owned(), value.to_owned()));
        }
    }

    /// Ends the segment: an error when a value made it a dot segment, which
    /// would climb out of the path the template names.
    fn end(&mut self, call: &HttpCall) -> Result<(), PwError> {
        let segment = std::mem::take(self);
        match segment.placeholder {
            Some((what, value)) if is_dot_segment(&segment.text) => Err(value_error(
                call,
                &what,
                Place::Path,
                &value,
                "`.` and `..` (however percent-encoded) would leave the path the template names; pass a name, not a relative path",
            )),
            _ => Ok(()),
        }
    }
}

/// Argument `n`'s name (for errors) and value.
fn arg_value(call: &HttpCall, n: usize, args: &[&dyn Display]) -> Result<(String, String), PwError> {
    let value = args.get(n).map(ToString::to_string).ok_or_else(|| {
        PwError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{}: argument {n} is missing", call.function),
        )
    })?;
    let name = call.arg_names.get(n).copied().unwrap_or("an argument");
    Ok((format!("`{name}`"), value))
}

/// An environment variable's name (for errors) and value, read now.
fn env_value(call: &HttpCall, name: &str) -> Result<(String, String), PwError> {
    let value = std::env::var(name).map_err(|_| {
        PwError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "{}: the environment variable {name} is not set; the URL template needs it",
                call.function
            ),
        )
    })?;
    Ok((format!("${name}"), value))
}

/// Appends the pieces, each value checked for its place; a path segment that
/// a value made `.` or `..` is refused.
pub(super) fn render_pieces(
    call: &HttpCall,
    pieces: &[Piece],
    args: &[&dyn Display],
    out: &mut String,
) -> Result<(), PwError> {
    let mut segment = Segment::default();
    for piece in pieces {
        if piece.place != Place::Path {
            segment.end(call)?;
        }
        let (what, value) = match piece.part {
            Part::Literal(text) => {
                out.push_str(text);
                if piece.place == Place::Path {
                    segment.literal(call, text)?;
                }
                continue;
            }
            Part::Arg(n) => arg_value(call, n, args)?,
            Part::Env(name) => env_value(call, name)?,
        };
        if let Some(why) = misfit(piece.place, &value) {
            return Err(value_error(call, &what, piece.place, &value, why));
        }
        match piece.place {
            Place::Path => {
                segment.value(&what, &value);
                percent_encode(out, &value);
            }
            Place::Query => percent_encode(out, &value),
            _ => out.push_str(&value),
        }
    }
    segment.end(call)
}

/// The headers of one call, each value checked.
pub(super) fn render_headers(call: &HttpCall, args: &[&dyn Display]) -> Result<HeaderMap, PwError> {
    let mut headers = HeaderMap::new();
    for (name, value) in call.headers {
        let mut text = String::new();
        render_pieces(call, value, args, &mut text)?;
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|err| PwError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("{name}: {err}")))?;
        let value = HeaderValue::from_str(&text).map_err(|_| {
            value_error(
                call,
                name.as_str(),
                Place::Header,
                &text,
                "it is not a valid header value",
            )
        })?;
        headers.append(name, value);
    }
    Ok(headers)
}

/// Parses `url`, or says which call built a string that is not one.
pub(super) fn parse_url(call: &HttpCall, url: &str) -> Result<reqwest::Url, PwError> {
    reqwest::Url::parse(url).map_err(|err| {
        PwError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{}: {url} is not a URL: {err}", call.function),
        )
    })
}

/// The URL and headers of one call.
pub fn render(call: &HttpCall, args: &[&dyn Display]) -> Result<(reqwest::Url, HeaderMap), PwError> {
    let mut url = String::with_capacity(128);
    render_pieces(call, call.url, args, &mut url)?;
    let mut first = !url.contains('?');
    for (name, value) in call.query {
        url.push(if first { '?' } else { '&' });
        first = false;
        percent_encode(&mut url, name);
        url.push('=');
        render_pieces(call, value, args, &mut url)?;
    }
    let url = parse_url(call, &url)?;
    let headers = render_headers(call, args)?;
    Ok((url, headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    static CALL: HttpCall = HttpCall {
        function: "send_offer",
        method: "POST",
        url: &[
            Piece {
                part: Part::Literal("https://"),
                place: Place::Host,
            },
            Piece {
                part: Part::Arg(0),
                place: Place::Host,
            },
            Piece {
                part: Part::Literal(".example.com:"),
                place: Place::Host,
            },
            Piece {
                part: Part::Arg(1),
                place: Place::Port,
            },
            Piece {
                part: Part::Literal("/v1/"),
                place: Place::Path,
            },
            Piece {
                part: Part::Arg(2),
                place: Place::Path,
            },
            Piece {
                part: Part::Literal("/offers?fixed=1"),
                place: Place::Query,
            },
        ],
        query: &[(
            "email",
            &[Piece {
                part: Part::Arg(3),
                place: Place::Query,
            }],
        )],
        headers: &[(
            "x-request-id",
            &[
                Piece {
                    part: Part::Literal("req-"),
                    place: Place::Header,
                },
                Piece {
                    part: Part::Arg(4),
                    place: Place::Header,
                },
            ],
        )],
        arg_names: &["region", "port", "segment", "email", "id"],
    };

    fn rendered(args: [&str; 5]) -> Result<(reqwest::Url, HeaderMap), PwError> {
        let args: Vec<&dyn Display> = args.iter().map(|a| a as &dyn Display).collect();
        render(&CALL, &args)
    }

    #[test]
    fn values_fill_their_places() {
        let (url, headers) = rendered(["api-eu", "8443", "a b/c", "ada+x@example.com", "7"]).unwrap();
        assert_eq!(
            url.as_str(),
            "https://api-eu.example.com:8443/v1/a%20b%2Fc/offers?fixed=1&email=ada%2Bx%40example.com"
        );
        assert_eq!(headers["x-request-id"], "req-7");
    }

    #[test]
    fn values_cannot_change_the_url_structure() {
        for (args, part) in [
            (["evil.com/x", "1", "p", "e", "h"], "host label"),
            (["a@b", "1", "p", "e", "h"], "host label"),
            (["", "1", "p", "e", "h"], "host label"),
            (["a", "1/x", "p", "e", "h"], "port"),
            (["a", "99999", "p", "e", "h"], "port"),
            (["a", "+1", "p", "e", "h"], "port"),
            (["a", "1", "p", "e", "x\r\nset-cookie: 1"], "header value"),
        ] {
            let err = rendered(args).unwrap_err();
            assert_eq!(err.code(), StatusCode::BAD_REQUEST, "{args:?}");
            assert!(err.message().contains(part), "{args:?}: {}", err.message());
        }
        // Path and query values can hold anything: it stays data.
        let (url, _) = rendered(["a", "1", "../../admin?x=1#f", "a&b=c#d", "h"]).unwrap();
        assert_eq!(url.path(), "/v1/..%2F..%2Fadmin%3Fx%3D1%23f/offers");
        assert_eq!(url.query(), Some("fixed=1&email=a%26b%3Dc%23d"));
        assert_eq!(url.host_str(), Some("a.example.com"));
    }

    #[test]
    fn dot_segments_are_refused_however_spelled() {
        for segment in [".", "..", "%2e", "%2E", "%2e%2E", ".%2E", "%2e.", "%252e", "%252E%2e"] {
            let err = rendered(["a", "1", segment, "e", "h"]).unwrap_err();
            assert_eq!(err.code(), StatusCode::BAD_REQUEST, "{segment}");
            assert!(
                err.message()
                    .contains("the value of `segment` cannot stand in a path segment: `.` and `..`"),
                "{segment}: {}",
                err.message()
            );
            assert_eq!(err.details().unwrap()["value"], segment);
        }
        // Dots that are not a whole segment are data.
        for segment in ["...", ".a", "a.", "%2e%2e%2e", "./.", "..%2F"] {
            assert!(rendered(["a", "1", segment, "e", "h"]).is_ok(), "{segment}");
        }
        // A query value may be anything.
        assert!(rendered(["a", "1", "p", "..", "h"]).is_ok());
    }

    #[test]
    fn a_dot_segment_made_of_a_literal_and_a_value_is_refused() {
        static DOT_CALL: HttpCall = HttpCall {
            function: "f",
            method: "GET",
            url: &[
                Piece {
                    part: Part::Literal("http://localhost/a/."),
                    place: Place::Path,
                },
                Piece {
                    part: Part::Arg(0),
                    place: Place::Path,
                },
                Piece {
                    part: Part::Literal("/b"),
                    place: Place::Path,
                },
            ],
            query: &[],
            headers: &[],
            arg_names: &["tail"],
        };
        let args: [&dyn Display; 1] = [&"."];
        assert_eq!(render(&DOT_CALL, &args).unwrap_err().code(), StatusCode::BAD_REQUEST);
        let args: [&dyn Display; 1] = [&"x"];
        assert_eq!(render(&DOT_CALL, &args).unwrap().0.path(), "/a/.x/b");
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        let mut out = String::new();
        percent_encode(&mut out, "AZaz09-._~ !*'();:@&=+$,/?#[]%é");
        assert_eq!(
            out,
            "AZaz09-._~%20%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D%25%C3%A9"
        );
    }

    #[test]
    fn function_names_take_letters_digits_dashes_and_underscores() {
        assert_eq!(misfit(Place::Function, "my-func_2"), None);
        assert!(misfit(Place::Function, "my:func").is_some());
        assert!(misfit(Place::Function, "").is_some());
        assert_eq!(misfit(Place::Context, "any \"text\"\n"), None);
        assert_eq!(misfit(Place::Header, "tab\tis fine"), None);
    }

    #[test]
    fn a_missing_environment_variable_is_named() {
        static ENV_CALL: HttpCall = HttpCall {
            function: "f",
            method: "GET",
            url: &[
                Piece {
                    part: Part::Literal("https://"),
                    place: Place::Host,
                },
                Piece {
                    part: Part::Env("PYPWEXT_SURELY_UNSET_VARIABLE"),
                    place: Place::Host,
                },
                Piece {
                    part: Part::Literal(".example.com/"),
                    place: Place::Path,
                },
            ],
            query: &[],
            headers: &[],
            arg_names: &[],
        };
        let err = render(&ENV_CALL, &[]).unwrap_err();
        assert_eq!(err.code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            err.message().contains("PYPWEXT_SURELY_UNSET_VARIABLE is not set"),
            "{}",
            err.message()
        );
    }
}
