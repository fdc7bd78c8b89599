//! The rules CloudWatch and the EMF specification set for metrics: names,
//! dimensions, namespaces and values, and the errors that say which rule a
//! metric breaks. The dimension rules are `const fn`s, so that the code
//! `#[metrics]` generates checks `default_dimensions(...)` at compile time
//! with the same rules the set applies at run time.

use http::StatusCode;

use crate::errors::PwError;

/// At most this many dimensions besides `service` (CloudWatch takes 30 per metric).
pub(crate) const MAX_DIMENSIONS: usize = 29;

/// Metric and dimension names: 1 to 255 characters.
pub(crate) const MAX_NAME_CHARS: usize = 255;

/// Dimension values: 1 to 1024 characters.
pub(crate) const MAX_DIMENSION_VALUE_CHARS: usize = 1024;

/// Namespaces: 1 to 255 characters.
pub(crate) const MAX_NAMESPACE_CHARS: usize = 255;

/// CloudWatch refuses values beyond ±2^360.
pub(crate) const MAX_MAGNITUDE: f64 = 2.348_542_582_773_833_3e108;

/// The dimension Powertools adds to every metric from `POWERTOOLS_SERVICE_NAME`.
pub(crate) const SERVICE: &str = "service";

/// The key of an EMF line's metadata: no metric, dimension or metadata key
/// may take it.
pub(crate) const AWS: &str = "_aws";

/// The error of a metric that breaks a rule, as a 500 (a bug in the
/// function, not the caller's fault).
pub(crate) fn metric_error(message: String) -> PwError {
    PwError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
}

/// A metric's name: 1 to 255 characters, no surrounding whitespace.
pub(crate) fn check_name(what: &str, name: &str) -> Result<(), PwError> {
    let chars = name.chars().count();
    if name.trim().is_empty() {
        return Err(metric_error(format!(
            "a {what} name is empty; give it 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    if chars > MAX_NAME_CHARS {
        return Err(metric_error(format!(
            "{what} name `{}…` has {chars} characters; CloudWatch takes at most {MAX_NAME_CHARS}, so shorten it",
            name.chars().take(32).collect::<String>()
        )));
    }
    if name.trim() != name {
        return Err(metric_error(format!(
            "{what} name `{name}` starts or ends with whitespace; remove it"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(metric_error(format!(
            "{what} name {name:?} holds a control character; remove it"
        )));
    }
    Ok(())
}

/// A dimension's name or value as CloudWatch takes it ([`dimension_problem`]).
pub(crate) fn check_dimension_part(what: &str, text: &str, part: DimensionPart) -> Result<(), PwError> {
    match dimension_problem(part, text) {
        Some(problem) => Err(dimension_error(what, text, part, problem)),
        None => Ok(()),
    }
}

/// How the errors name the value of dimension `name`.
pub(crate) fn value_of(name: &str) -> String {
    format!("the value of dimension `{name}`")
}

/// The error of a dimension's name or value that breaks a rule; `what`
/// names the part.
fn dimension_error(what: &str, text: &str, part: DimensionPart, problem: DimensionProblem) -> PwError {
    metric_error(match problem {
        DimensionProblem::Blank => {
            format!("{what} is empty; CloudWatch needs at least one character that is not whitespace")
        }
        DimensionProblem::NotPrintableAscii => {
            let shown: String = text.chars().take(64).collect();
            format!("{what} {shown:?} holds a character CloudWatch refuses in dimensions; use printable ASCII only")
        }
        DimensionProblem::TooLong => format!(
            "{what} has {} characters; CloudWatch takes at most {}, so shorten it",
            text.len(),
            part.max_chars()
        ),
        DimensionProblem::LeadingColon => {
            format!("{what} {text:?} starts with a colon, which CloudWatch refuses; remove it")
        }
    })
}

/// The error of a dimension beyond [`MAX_DIMENSIONS`], with `before` others
/// besides `service` already there.
pub(crate) fn too_many_dimensions(name: &str, before: usize) -> PwError {
    metric_error(format!(
        "dimension `{name}` would be the {}th besides `service`; CloudWatch takes at most {MAX_DIMENSIONS} (30 with `service`), so drop one",
        before + 1
    ))
}

/// The error of a default dimension (the one at `index`) that breaks a rule.
pub(crate) fn default_dimension_error(
    problem: DefaultDimensionProblem,
    name: &str,
    value: &str,
    index: usize,
) -> PwError {
    match problem {
        DefaultDimensionProblem::Service => metric_error(
            "`service` is not a default dimension; set it with `#[metrics(service = \"…\")]` or POWERTOOLS_SERVICE_NAME".to_owned(),
        ),
        DefaultDimensionProblem::EmfMetadata => metric_error(
            "default dimension `_aws` would overwrite the line's EMF metadata (`_aws`); rename it".to_owned(),
        ),
        DefaultDimensionProblem::Twice => {
            metric_error(format!("default dimension `{name}` is given twice; keep one"))
        }
        DefaultDimensionProblem::Name(problem) => {
            dimension_error("dimension name", name, DimensionPart::Name, problem)
        }
        DefaultDimensionProblem::Value(problem) => {
            dimension_error(&value_of(name), value, DimensionPart::Value, problem)
        }
        DefaultDimensionProblem::TooMany => too_many_dimensions(name, index),
    }
}

// The rules of dimensions, as `const fn`s: `MetricSet` applies them at run
// time, and the code `#[metrics]` generates evaluates
// `assert_default_dimension` in a `const` for each of its default
// dimensions, so that one that breaks a rule is a compile error.

/// A dimension's name or value, and how many characters CloudWatch takes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DimensionPart {
    Name,
    Value,
}

impl DimensionPart {
    pub(crate) const fn max_chars(self) -> usize {
        match self {
            DimensionPart::Name => MAX_NAME_CHARS,
            DimensionPart::Value => MAX_DIMENSION_VALUE_CHARS,
        }
    }
}

/// A rule of CloudWatch's that a dimension's name or value breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DimensionProblem {
    /// Nothing but whitespace, or nothing at all.
    Blank,
    /// A character beyond ASCII, or a control character.
    NotPrintableAscii,
    /// More than [`DimensionPart::max_chars`].
    TooLong,
    /// A leading `:` (refused for both parts, to be safe).
    LeadingColon,
}

/// What CloudWatch refuses in a dimension's name or value, if anything: at
/// least one character that is not whitespace, printable ASCII only, at most
/// [`DimensionPart::max_chars`], no leading `:`.
pub(crate) const fn dimension_problem(part: DimensionPart, text: &str) -> Option<DimensionProblem> {
    let bytes = text.as_bytes();
    let mut blank = true;
    let mut printable = true;
    let mut i = 0;
    while i < bytes.len() {
        blank &= bytes[i].is_ascii_whitespace();
        printable &= bytes[i].is_ascii() && !bytes[i].is_ascii_control();
        i += 1;
    }
    // Whitespace beyond ASCII's (a no-break space) counts as a character,
    // one CloudWatch refuses.
    if blank {
        return Some(DimensionProblem::Blank);
    }
    if !printable {
        return Some(DimensionProblem::NotPrintableAscii);
    }
    // Printable ASCII: as many characters as bytes.
    if bytes.len() > part.max_chars() {
        return Some(DimensionProblem::TooLong);
    }
    if bytes[0] == b':' {
        return Some(DimensionProblem::LeadingColon);
    }
    None
}
/// A rule that a default dimension of `#[metrics(default_dimensions(...))]` breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefaultDimensionProblem {
    /// It is named `service`, which is the attribute's own argument.
    Service,
    /// It is named `_aws`, the key of the line's EMF metadata.
    EmfMetadata,
    /// An earlier default dimension has its name.
    Twice,
    /// Its name breaks a rule of CloudWatch's.
    Name(DimensionProblem),
    /// Its value breaks a rule of CloudWatch's.
    Value(DimensionProblem),
    /// It comes after [`MAX_DIMENSIONS`] others.
    TooMany,
}

/// The rule the default dimension at `index` of `dimensions` breaks, if any.
pub(crate) const fn default_dimension_problem(
    dimensions: &[(&str, &str)],
    index: usize,
) -> Option<DefaultDimensionProblem> {
    let (name, value) = dimensions[index];
    if same(name, SERVICE) {
        return Some(DefaultDimensionProblem::Service);
    }
    if same(name, AWS) {
        return Some(DefaultDimensionProblem::EmfMetadata);
    }
    let mut earlier = 0;
    while earlier < index {
        if same(dimensions[earlier].0, name) {
            return Some(DefaultDimensionProblem::Twice);
        }
        earlier += 1;
    }
    if let Some(problem) = dimension_problem(DimensionPart::Name, name) {
        return Some(DefaultDimensionProblem::Name(problem));
    }
    if let Some(problem) = dimension_problem(DimensionPart::Value, value) {
        return Some(DefaultDimensionProblem::Value(problem));
    }
    if index >= MAX_DIMENSIONS {
        return Some(DefaultDimensionProblem::TooMany);
    }
    None
}

/// `a == b`, in a `const fn`.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The compile-time check of the default dimension at `index` of a
/// `#[metrics(default_dimensions(...))]`: the generated code evaluates
/// `const _: () = assert_default_dimension(OPTS.default_dimensions, index);`,
/// spanned on that dimension as written, so one that breaks a rule is a
/// compile error there that says what to do. A const panic takes no
/// formatting: a limit is written out in the message (a test checks it
/// against its constant).
#[track_caller]
#[allow(clippy::panic, reason = "a panic in a const is the compile error")]
pub const fn assert_default_dimension(dimensions: &[(&str, &str)], index: usize) {
    use DefaultDimensionProblem::{EmfMetadata, Name, Service, TooMany, Twice, Value};
    use DimensionProblem::{Blank, LeadingColon, NotPrintableAscii, TooLong};
    let Some(problem) = default_dimension_problem(dimensions, index) else {
        return;
    };
    let message = match problem {
        Service => "`service` is not a default dimension; write `service = \"…\"` as an argument of `#[metrics]`",
        EmfMetadata => "`_aws` is the key of the line's EMF metadata, so no dimension may be named so; rename it",
        Twice => "this dimension is given twice; keep one",
        Name(Blank) => "the name of this dimension is empty; give it a character that is not whitespace",
        Name(NotPrintableAscii) => {
            "the name of this dimension holds a character CloudWatch refuses in dimensions; use printable ASCII only"
        }
        Name(TooLong) => "the name of this dimension is longer than the 255 characters CloudWatch takes; shorten it",
        Name(LeadingColon) => "the name of this dimension starts with `:`, which CloudWatch refuses; remove it",
        Value(Blank) => "the value of this dimension is empty; give it a character that is not whitespace",
        Value(NotPrintableAscii) => {
            "the value of this dimension holds a character CloudWatch refuses in dimensions; use printable ASCII only"
        }
        Value(TooLong) => "the value of this dimension is longer than the 1024 characters CloudWatch takes; shorten it",
        Value(LeadingColon) => "the value of this dimension starts with `:`, which CloudWatch refuses; remove it",
        TooMany => {
            "this default dimension comes after the 29 CloudWatch takes besides `service`; drop it or one before it"
        }
    };
    panic!("{}", message);
}

/// A namespace: 1 to 255 characters, no control characters.
pub(crate) fn check_namespace(namespace: &str) -> Result<(), PwError> {
    if namespace.trim().is_empty()
        || namespace.chars().count() > MAX_NAMESPACE_CHARS
        || namespace.chars().any(char::is_control)
        || namespace.starts_with(':')
    {
        return Err(metric_error(format!(
            "the metrics namespace {namespace:?} is not one CloudWatch takes; give 1 to {MAX_NAMESPACE_CHARS} printable characters, not starting with `:`"
        )));
    }
    Ok(())
}
