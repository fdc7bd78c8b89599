//! One invocation's metrics, dimensions and metadata, checked as they are
//! added, and written as EMF lines in Powertools' shape.

use http::StatusCode;
use serde::Serialize;
use serde::ser::{SerializeMap as _, Serializer as _};
use serde_json::value::RawValue;

use super::MetricUnit;
use crate::errors::PwError;

/// At most this many metrics in one EMF line (the EMF specification's limit
/// on a directive's `Metrics`); more are split over several lines.
pub(crate) const MAX_METRICS_PER_LINE: usize = 100;
/// At most this many values of one metric in one line (the specification's
/// limit on a value array); more are split over several lines.
pub(crate) const MAX_VALUES_PER_LINE: usize = 100;
/// At most this many dimensions besides `service` (CloudWatch takes 30 per metric).
pub(crate) const MAX_DIMENSIONS: usize = 29;
/// Metric and dimension names: 1 to 255 characters.
pub(crate) const MAX_NAME_CHARS: usize = 255;
/// Dimension values: 1 to 1024 characters.
pub(crate) const MAX_DIMENSION_VALUE_CHARS: usize = 1024;
/// Namespaces: 1 to 255 characters.
pub(crate) const MAX_NAMESPACE_CHARS: usize = 255;
/// CloudWatch refuses values beyond ±2^360.
const MAX_MAGNITUDE: f64 = 2.348_542_582_773_833_3e108;

/// The dimension Powertools adds to every metric from `POWERTOOLS_SERVICE_NAME`.
pub(crate) const SERVICE: &str = "service";
/// The member that holds an EMF line's metadata; no other key may take it.
const AWS: &str = "_aws";

/// The error of a metric that breaks a rule, as a 500 (a bug in the
/// function, not the caller's fault).
pub(crate) fn metric_error(message: String) -> PwError {
    PwError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
}

/// One metric: its unit and resolution, and every value added in order.
#[derive(Debug, Clone)]
struct Metric {
    name: String,
    unit: MetricUnit,
    high_resolution: bool,
    values: Vec<f64>,
}

/// The metrics of one `#[metrics]` scope.
#[derive(Debug, Clone)]
pub(crate) struct MetricSet {
    /// `None` when neither the attribute nor `POWERTOOLS_METRICS_NAMESPACE`
    /// names one: every `add_metric` then says so.
    namespace: Option<String>,
    /// The `service` dimension, written after the others (where Powertools
    /// writes it) unless a dimension named `service` was added.
    service: Option<String>,
    /// The dimensions every flush starts from: the attribute's.
    defaults: Vec<(String, String)>,
    /// The dimensions in force, in the order they were added; `service`
    /// only when added by name.
    dimensions: Vec<(String, String)>,
    metadata: Vec<(String, Box<RawValue>)>,
    metrics: Vec<Metric>,
}

impl MetricSet {
    /// An empty set. `defaults` are checked as `add_dimension` checks them;
    /// `service` (when given) is written last, as Powertools writes it.
    pub(crate) fn new(
        namespace: Option<&str>,
        service: Option<&str>,
        defaults: &[(&str, &str)],
    ) -> Result<MetricSet, PwError> {
        let mut set = MetricSet {
            namespace: namespace.map(str::to_owned),
            service: None,
            defaults: Vec::new(),
            dimensions: Vec::new(),
            metadata: Vec::new(),
            metrics: Vec::new(),
        };
        if let Some(namespace) = namespace {
            check_namespace(namespace)?;
        }
        // The rules `#[metrics]` checked at compile time, in case the
        // settings were written by hand.
        for (index, (name, value)) in defaults.iter().enumerate() {
            if let Some(problem) = default_dimension_problem(defaults, index) {
                return Err(default_dimension_error(problem, name, value, index));
            }
            set.add_dimension(name, value)?;
        }
        if let Some(service) = service.filter(|s| !s.is_empty()) {
            check_dimension_part("the service", service, DimensionPart::Value)?;
            set.service = Some(service.to_owned());
        }
        set.defaults = set.dimensions.clone();
        Ok(set)
    }

    /// Whether no metric is waiting to be written.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.metrics.is_empty()
    }

    /// Adds one value of a metric; the metric keeps the unit and resolution
    /// it was first added with.
    pub(crate) fn add_metric(
        &mut self,
        name: &str,
        unit: MetricUnit,
        value: f64,
        high_resolution: bool,
    ) -> Result<(), PwError> {
        if self.namespace.is_none() {
            return Err(metric_error(format!(
                "metric `{name}` has no namespace to go to; name one with `#[metrics(namespace = \"…\")]` or POWERTOOLS_METRICS_NAMESPACE"
            )));
        }
        check_name("metric", name)?;
        if !value.is_finite() || value.abs() > MAX_MAGNITUDE {
            return Err(metric_error(format!(
                "metric `{name}` has the value {value}, which CloudWatch refuses; give a finite number between -2^360 and 2^360"
            )));
        }
        if let Some(metric) = self.metrics.iter_mut().find(|m| m.name == name) {
            if metric.unit != unit || metric.high_resolution != high_resolution {
                return Err(metric_error(format!(
                    "metric `{name}` was added as {} and now as {}; one metric has one unit and resolution, so use the first or give this one another name",
                    describe(metric.unit, metric.high_resolution),
                    describe(unit, high_resolution)
                )));
            }
            metric.values.push(value);
            return Ok(());
        }
        self.check_key_free("metric", name)?;
        self.metrics.push(Metric {
            name: name.to_owned(),
            unit,
            high_resolution,
            values: vec![value],
        });
        Ok(())
    }

    /// Adds a dimension to every metric of the set, or gives one a new value.
    pub(crate) fn add_dimension(&mut self, name: &str, value: &str) -> Result<(), PwError> {
        check_dimension_part("dimension name", name, DimensionPart::Name)?;
        check_dimension_part(&value_of(name), value, DimensionPart::Value)?;
        if let Some((_, old)) = self.dimensions.iter_mut().find(|(own, _)| own == name) {
            value.clone_into(old);
            return Ok(());
        }
        // A dimension named `service` takes the configured service's key.
        if name != SERVICE || self.service.is_none() {
            self.check_key_free("dimension", name)?;
        }
        let besides_service = self.dimensions.iter().filter(|(own, _)| own != SERVICE).count();
        if name != SERVICE && besides_service >= MAX_DIMENSIONS {
            return Err(too_many_dimensions(name, besides_service));
        }
        self.dimensions.push((name.to_owned(), value.to_owned()));
        Ok(())
    }

    /// Adds a metadata key (searchable in the logs, not a dimension), or gives one a new value.
    pub(crate) fn add_metadata(&mut self, key: &str, value: Box<RawValue>) -> Result<(), PwError> {
        if key.is_empty() {
            return Err(metric_error("a metadata key is empty; give it a name".to_owned()));
        }
        if let Some((_, old)) = self.metadata.iter_mut().find(|(own, _)| own == key) {
            *old = value;
            return Ok(());
        }
        self.check_key_free("metadata key", key)?;
        self.metadata.push((key.to_owned(), value));
        Ok(())
    }

    /// A name becomes a key of the line: it must not be `_aws` nor the name
    /// of another metric, dimension or metadata key.
    fn check_key_free(&self, what: &str, name: &str) -> Result<(), PwError> {
        let taken_by = if name == AWS {
            Some("the EMF metadata (`_aws`)")
        } else if name == SERVICE && self.service.is_some() {
            Some("the `service` dimension")
        } else if self.metrics.iter().any(|m| m.name == name) {
            Some("a metric")
        } else if self.dimensions.iter().any(|(own, _)| own == name) {
            Some("a dimension")
        } else if self.metadata.iter().any(|(own, _)| own == name) {
            Some("a metadata key")
        } else {
            None
        };
        match taken_by {
            Some(owner) => Err(metric_error(format!(
                "{what} `{name}` would share its key in the EMF line with {owner}; give it another name"
            ))),
            None => Ok(()),
        }
    }

    /// The EMF lines of the metrics added since the last flush, each with a
    /// newline, at `timestamp_ms`; empties the metrics and metadata and puts
    /// the dimensions back to the defaults (as Powertools' flush does).
    pub(crate) fn take_lines(&mut self, timestamp_ms: u64) -> Vec<Vec<u8>> {
        let lines = self.lines(timestamp_ms);
        self.metrics.clear();
        self.metadata.clear();
        self.dimensions.clone_from(&self.defaults);
        lines
    }

    /// The EMF lines: each metric's values in slices of at most
    /// [`MAX_VALUES_PER_LINE`], and at most [`MAX_METRICS_PER_LINE`] metrics
    /// a line. Every line carries the dimensions and the metadata.
    pub(crate) fn lines(&self, timestamp_ms: u64) -> Vec<Vec<u8>> {
        let Some(namespace) = &self.namespace else {
            return Vec::new();
        };
        let rounds = self
            .metrics
            .iter()
            .map(|m| m.values.len().div_ceil(MAX_VALUES_PER_LINE))
            .max()
            .unwrap_or(0);
        let mut lines = Vec::new();
        for round in 0..rounds {
            let slices: Vec<(&Metric, &[f64])> = self
                .metrics
                .iter()
                .filter_map(|m| {
                    let start = round * MAX_VALUES_PER_LINE;
                    let end = (start + MAX_VALUES_PER_LINE).min(m.values.len());
                    m.values.get(start..end).filter(|s| !s.is_empty()).map(|s| (m, s))
                })
                .collect();
            for chunk in slices.chunks(MAX_METRICS_PER_LINE) {
                let mut line = Vec::with_capacity(256 + 48 * chunk.len());
                // Only a value's own `Serialize` could fail, and every value
                // here is a string, a number or checked JSON.
                if self.write_line(&mut line, namespace, chunk, timestamp_ms).is_ok() {
                    line.push(b'\n');
                    lines.push(line);
                }
            }
        }
        lines
    }

    fn write_line(
        &self,
        out: &mut Vec<u8>,
        namespace: &str,
        metrics: &[(&Metric, &[f64])],
        timestamp_ms: u64,
    ) -> Result<(), serde_json::Error> {
        let service = match &self.service {
            Some(service) if !self.dimensions.iter().any(|(own, _)| own == SERVICE) => {
                Some((SERVICE, service.as_str()))
            }
            _ => None,
        };
        let dimensions = || {
            self.dimensions
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .chain(service)
        };
        let mut serializer = serde_json::Serializer::new(out);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(
            AWS,
            &Aws {
                timestamp: timestamp_ms,
                directives: [Directive {
                    namespace,
                    dimensions: [Names(dimensions().map(|(name, _)| name).collect())],
                    metrics: Definitions(metrics),
                }],
            },
        )?;
        for (name, value) in dimensions() {
            map.serialize_entry(name, value)?;
        }
        for (key, value) in &self.metadata {
            map.serialize_entry(key, value)?;
        }
        for (metric, values) in metrics {
            map.serialize_entry(&metric.name, values)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Aws<'a> {
    #[serde(rename = "Timestamp")]
    timestamp: u64,
    #[serde(rename = "CloudWatchMetrics")]
    directives: [Directive<'a>; 1],
}

#[derive(Serialize)]
struct Directive<'a> {
    #[serde(rename = "Namespace")]
    namespace: &'a str,
    #[serde(rename = "Dimensions")]
    dimensions: [Names<'a>; 1],
    #[serde(rename = "Metrics")]
    metrics: Definitions<'a>,
}

/// The names of the dimensions: one dimension set.
#[derive(Serialize)]
#[serde(transparent)]
struct Names<'a>(Vec<&'a str>);

/// `{"Name":…,"Unit":…}` for each metric, with `"StorageResolution":1` for a high-resolution one.
struct Definitions<'a>(&'a [(&'a Metric, &'a [f64])]);

impl Serialize for Definitions<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Definition<'a> {
            #[serde(rename = "Name")]
            name: &'a str,
            #[serde(rename = "Unit")]
            unit: MetricUnit,
            #[serde(rename = "StorageResolution", skip_serializing_if = "Option::is_none")]
            storage_resolution: Option<u8>,
        }
        serializer.collect_seq(self.0.iter().map(|(metric, _)| Definition {
            name: &metric.name,
            unit: metric.unit,
            storage_resolution: metric.high_resolution.then_some(1),
        }))
    }
}

fn describe(unit: MetricUnit, high_resolution: bool) -> String {
    if high_resolution {
        format!("{unit} at high resolution")
    } else {
        unit.to_string()
    }
}

/// A metric's name: 1 to 255 characters, no surrounding whitespace.
fn check_name(what: &str, name: &str) -> Result<(), PwError> {
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
fn check_dimension_part(what: &str, text: &str, part: DimensionPart) -> Result<(), PwError> {
    match dimension_problem(part, text) {
        Some(problem) => Err(dimension_error(what, text, part, problem)),
        None => Ok(()),
    }
}

/// How the errors name the value of dimension `name`.
fn value_of(name: &str) -> String {
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
fn too_many_dimensions(name: &str, before: usize) -> PwError {
    metric_error(format!(
        "dimension `{name}` would be the {}th besides `service`; CloudWatch takes at most {MAX_DIMENSIONS} (30 with `service`), so drop one",
        before + 1
    ))
}

/// The error of a default dimension (the one at `index`) that breaks a rule.
fn default_dimension_error(problem: DefaultDimensionProblem, name: &str, value: &str, index: usize) -> PwError {
    match problem {
        DefaultDimensionProblem::Service => metric_error(
            "`service` is not a default dimension; set it with `#[metrics(service = \"…\")]` or POWERTOOLS_SERVICE_NAME".to_owned(),
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
    use DefaultDimensionProblem::{Name, Service, TooMany, Twice, Value};
    use DimensionProblem::{Blank, LeadingColon, NotPrintableAscii, TooLong};
    let Some(problem) = default_dimension_problem(dimensions, index) else {
        return;
    };
    let message = match problem {
        Service => "`service` is not a default dimension; write `service = \"…\"` as an argument of `#[metrics]`",
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn set() -> MetricSet {
        MetricSet::new(Some("shop"), Some("orders"), &[("environment", "prod")]).unwrap()
    }

    fn parsed(lines: &[Vec<u8>]) -> Vec<Value> {
        lines
            .iter()
            .map(|line| {
                assert_eq!(line.last(), Some(&b'\n'));
                serde_json::from_slice(line).unwrap()
            })
            .collect()
    }

    fn raw(value: Value) -> Box<RawValue> {
        serde_json::value::to_raw_value(&value).unwrap()
    }

    #[test]
    fn one_line_in_powertools_shape_and_key_order() {
        let mut set = set();
        set.add_metric("OrdersPlaced", MetricUnit::Count, 1.0, false).unwrap();
        set.add_metric("OrdersPlaced", MetricUnit::Count, 2.0, false).unwrap();
        set.add_metric("Latency", MetricUnit::Milliseconds, 12.5, true).unwrap();
        set.add_dimension("region", "eu-west-1").unwrap();
        set.add_metadata("order_id", raw(json!("o-1"))).unwrap();
        let lines = set.take_lines(1_700_000_000_000);
        assert_eq!(lines.len(), 1);
        assert_eq!(
            String::from_utf8(lines[0].clone()).unwrap(),
            concat!(
                r#"{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"shop","#,
                r#""Dimensions":[["environment","region","service"]],"#,
                r#""Metrics":[{"Name":"OrdersPlaced","Unit":"Count"},{"Name":"Latency","Unit":"Milliseconds","StorageResolution":1}]}]},"#,
                r#""environment":"prod","region":"eu-west-1","service":"orders","order_id":"o-1","#,
                r#""OrdersPlaced":[1.0,2.0],"Latency":[12.5]}"#,
                "\n"
            )
        );
        // A flush leaves the defaults and nothing else.
        assert!(set.is_empty());
        set.add_metric("OrdersPlaced", MetricUnit::Count, 1.0, false).unwrap();
        let again = parsed(&set.take_lines(1));
        assert_eq!(
            again[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["environment", "service"]])
        );
        assert!(again[0].get("region").is_none() && again[0].get("order_id").is_none());
    }

    #[test]
    fn more_than_100_metrics_or_values_split_into_lines_and_nothing_is_lost() {
        let mut set = set();
        for i in 0..250 {
            set.add_metric(&format!("m{i}"), MetricUnit::Count, f64::from(i), false)
                .unwrap();
        }
        for i in 0..230 {
            set.add_metric("m0", MetricUnit::Count, f64::from(i), false).unwrap();
        }
        let lines = parsed(&set.lines(1));
        // Round 0: 250 metrics in 3 lines; round 1 and 2: m0's values 100..200 and 200..231.
        assert_eq!(lines.len(), 5);
        let mut values_of_m0 = Vec::new();
        let mut names = Vec::new();
        for line in &lines {
            let definitions = line["_aws"]["CloudWatchMetrics"][0]["Metrics"].as_array().unwrap();
            assert!(definitions.len() <= MAX_METRICS_PER_LINE);
            for definition in definitions {
                let name = definition["Name"].as_str().unwrap();
                let values = line[name].as_array().unwrap();
                assert!(values.len() <= MAX_VALUES_PER_LINE, "{name}: {}", values.len());
                names.push(name.to_owned());
                if name == "m0" {
                    values_of_m0.extend(values.iter().map(|v| v.as_f64().unwrap()));
                }
            }
            assert_eq!(line["service"], "orders");
        }
        assert_eq!(values_of_m0.len(), 231);
        assert_eq!(names.iter().filter(|n| *n != "m0").count(), 249);
    }

    #[test]
    fn each_broken_rule_is_an_error_that_says_which() {
        let mut set = set();
        let cases: Vec<(Result<(), PwError>, &str)> = vec![
            (set.add_metric("", MetricUnit::Count, 1.0, false), "name is empty"),
            (
                set.add_metric(&"x".repeat(256), MetricUnit::Count, 1.0, false),
                "at most 255",
            ),
            (set.add_metric(" padded", MetricUnit::Count, 1.0, false), "whitespace"),
            (
                set.add_metric("nan", MetricUnit::Count, f64::NAN, false),
                "finite number",
            ),
            (
                set.add_metric("inf", MetricUnit::Count, f64::INFINITY, false),
                "finite number",
            ),
            (set.add_metric("huge", MetricUnit::Count, 1e300, false), "2^360"),
            (set.add_metric("_aws", MetricUnit::Count, 1.0, false), "`_aws`"),
            (
                set.add_metric("service", MetricUnit::Count, 1.0, false),
                "the `service` dimension",
            ),
            (set.add_dimension("", "v"), "dimension name is empty"),
            (set.add_dimension("k", " "), "the value of dimension `k` is empty"),
            (set.add_dimension("k", "café"), "printable ASCII"),
            (set.add_dimension(":k", "v"), "colon"),
            (set.add_dimension("k", &"v".repeat(1025)), "at most 1024"),
            (set.add_metadata("", raw(json!(1))), "empty"),
            (set.add_metadata("_aws", raw(json!(1))), "`_aws`"),
            (set.add_metadata("environment", raw(json!(1))), "a dimension"),
        ];
        for (result, says) in cases {
            let err = result.unwrap_err();
            assert_eq!(err.code(), StatusCode::INTERNAL_SERVER_ERROR);
            assert!(
                err.message().contains(says),
                "{:?} does not say {says:?}",
                err.message()
            );
            assert!(!err.message().ends_with('.'), "{}", err.message());
        }
        set.add_metric("Orders", MetricUnit::Count, 1.0, false).unwrap();
        let unit = set.add_metric("Orders", MetricUnit::Seconds, 1.0, false).unwrap_err();
        assert!(
            unit.message().contains("added as Count and now as Seconds"),
            "{}",
            unit.message()
        );
        let resolution = set.add_metric("Orders", MetricUnit::Count, 1.0, true).unwrap_err();
        assert!(
            resolution.message().contains("high resolution"),
            "{}",
            resolution.message()
        );
        let clash = set.add_dimension("Orders", "x").unwrap_err();
        assert!(clash.message().contains("a metric"), "{}", clash.message());
        // Nothing refused reached the line.
        let line = &parsed(&set.lines(1))[0];
        assert_eq!(line["Orders"], json!([1.0]));
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn at_most_29_dimensions_besides_service() {
        let mut set = MetricSet::new(Some("ns"), Some("svc"), &[]).unwrap();
        for i in 0..MAX_DIMENSIONS {
            set.add_dimension(&format!("d{i}"), "v").unwrap();
        }
        let err = set.add_dimension("d29", "v").unwrap_err();
        assert!(
            err.message().contains("at most 29 (30 with `service`)"),
            "{}",
            err.message()
        );
        // A new value for a dimension that is there is no new dimension.
        set.add_dimension("d0", "w").unwrap();
        set.add_metric("m", MetricUnit::Count, 1.0, false).unwrap();
        let line = &parsed(&set.lines(1))[0];
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]
                .as_array()
                .unwrap()
                .len(),
            30
        );
        assert_eq!(line["d0"], "w");
    }

    #[test]
    fn a_dimension_named_service_replaces_the_service_where_it_is_added() {
        let mut set = MetricSet::new(Some("ns"), Some("orders"), &[("a", "1")]).unwrap();
        set.add_dimension("service", "billing").unwrap();
        set.add_dimension("b", "2").unwrap();
        set.add_metric("m", MetricUnit::Count, 1.0, false).unwrap();
        let line = &parsed(&set.take_lines(1))[0];
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["a", "service", "b"]])
        );
        assert_eq!(line["service"], "billing");
        // The next flush has the configured service again, last.
        set.add_metric("m", MetricUnit::Count, 1.0, false).unwrap();
        let line = &parsed(&set.take_lines(1))[0];
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["a", "service"]])
        );
        assert_eq!(line["service"], "orders");
    }

    #[test]
    fn without_a_namespace_adding_a_metric_says_where_to_set_one() {
        let mut set = MetricSet::new(None, None, &[]).unwrap();
        let err = set.add_metric("m", MetricUnit::Count, 1.0, false).unwrap_err();
        assert!(
            err.message().contains("POWERTOOLS_METRICS_NAMESPACE"),
            "{}",
            err.message()
        );
        assert!(set.lines(1).is_empty());
        assert!(MetricSet::new(Some(""), None, &[]).is_err());
        assert!(MetricSet::new(Some("ns"), None, &[("service", "x")]).is_err());
        assert!(MetricSet::new(Some(":ns"), None, &[]).is_err());
    }

    /// The message of a caught panic: a `&str` or a formatted `String`.
    fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
        payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default()
    }

    /// The compile error `assert_default_dimension` gives, if any.
    fn compile_error(dimensions: &[(&str, &str)], index: usize) -> Option<String> {
        std::panic::catch_unwind(|| assert_default_dimension(dimensions, index))
            .err()
            .map(|payload| panic_message(&*payload).to_owned())
    }

    type Dimensions<'a> = &'a [(&'a str, &'a str)];

    /// `d0 = "v"` to `d29 = "v"`: one more than CloudWatch takes besides `service`.
    fn one_too_many() -> Vec<(String, &'static str)> {
        (0..=MAX_DIMENSIONS).map(|i| (format!("d{i}"), "v")).collect()
    }

    fn borrowed<'a>(dimensions: &'a [(String, &'static str)]) -> Vec<(&'a str, &'static str)> {
        dimensions.iter().map(|(name, value)| (name.as_str(), *value)).collect()
    }

    #[test]
    fn default_dimensions_that_break_a_rule_are_compile_errors_that_say_what_to_do() {
        const _: () = assert_default_dimension(&[("environment", "prod"), ("aws-region", "eu-west-1")], 1);
        let long_name = "n".repeat(MAX_NAME_CHARS + 1);
        let long_name = [(long_name.as_str(), "v")];
        let long_value = "v".repeat(MAX_DIMENSION_VALUE_CHARS + 1);
        let long_value = [("k", long_value.as_str())];
        let many = one_too_many();
        let many = borrowed(&many);
        // Each case checks its last dimension.
        let cases: Vec<(Dimensions<'_>, DefaultDimensionProblem, &str)> = vec![
            (
                &[("service", "x")],
                DefaultDimensionProblem::Service,
                "`service = \"…\"`",
            ),
            (
                &[("env", "a"), ("env", "b")],
                DefaultDimensionProblem::Twice,
                "keep one",
            ),
            (
                &[(" ", "v")],
                DefaultDimensionProblem::Name(DimensionProblem::Blank),
                "not whitespace",
            ),
            (
                &[("\t", "v")],
                DefaultDimensionProblem::Name(DimensionProblem::Blank),
                "not whitespace",
            ),
            (
                &[("k", "")],
                DefaultDimensionProblem::Value(DimensionProblem::Blank),
                "the value",
            ),
            (
                &[("café", "v")],
                DefaultDimensionProblem::Name(DimensionProblem::NotPrintableAscii),
                "printable ASCII",
            ),
            (
                &[("k", "a\u{7f}")],
                DefaultDimensionProblem::Value(DimensionProblem::NotPrintableAscii),
                "printable ASCII",
            ),
            (
                &[("k", "\u{a0}")],
                DefaultDimensionProblem::Value(DimensionProblem::NotPrintableAscii),
                "printable ASCII",
            ),
            (
                &[(":k", "v")],
                DefaultDimensionProblem::Name(DimensionProblem::LeadingColon),
                "remove it",
            ),
            (
                &[("k", ":v")],
                DefaultDimensionProblem::Value(DimensionProblem::LeadingColon),
                "remove it",
            ),
            (
                &long_name,
                DefaultDimensionProblem::Name(DimensionProblem::TooLong),
                "shorten it",
            ),
            (
                &long_value,
                DefaultDimensionProblem::Value(DimensionProblem::TooLong),
                "shorten it",
            ),
            (&many, DefaultDimensionProblem::TooMany, "drop it"),
        ];
        for (dimensions, problem, says) in cases {
            let index = dimensions.len() - 1;
            assert_eq!(default_dimension_problem(dimensions, index), Some(problem));
            let message = compile_error(dimensions, index).unwrap();
            assert!(message.contains(says), "{problem:?}: {message}");
            assert!(message.contains("; "), "says what to do: {message}");
            assert!(!message.ends_with('.'), "{message}");
            assert!(message.starts_with(|c: char| !c.is_uppercase()), "{message}");
            // The runtime refuses the same defaults.
            let refused = MetricSet::new(Some("ns"), None, dimensions).unwrap_err();
            assert_eq!(refused.code(), StatusCode::INTERNAL_SERVER_ERROR);
        }
        for index in 0..MAX_DIMENSIONS {
            assert_eq!(compile_error(&many, index), None);
        }
    }

    #[test]
    fn the_limits_in_the_compile_errors_are_the_constants() {
        let number_in = |message: String| -> usize {
            let digits: String = message.chars().filter(char::is_ascii_digit).collect();
            digits.parse().unwrap()
        };
        let long_name = "n".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            number_in(compile_error(&[(&long_name, "v")], 0).unwrap()),
            MAX_NAME_CHARS
        );
        let long_value = "v".repeat(MAX_DIMENSION_VALUE_CHARS + 1);
        assert_eq!(
            number_in(compile_error(&[("k", &long_value)], 0).unwrap()),
            MAX_DIMENSION_VALUE_CHARS
        );
        let many = one_too_many();
        let many = borrowed(&many);
        let too_many = compile_error(&many, MAX_DIMENSIONS).unwrap();
        assert_eq!(number_in(too_many), MAX_DIMENSIONS);
        // A limit right at the constant is no error.
        let name = "n".repeat(MAX_NAME_CHARS);
        let value = "v".repeat(MAX_DIMENSION_VALUE_CHARS);
        assert_eq!(default_dimension_problem(&[(&name, &value)], 0), None);
    }

    #[test]
    fn a_default_dimension_is_checked_at_run_time_as_at_compile_time() {
        let twice = MetricSet::new(Some("ns"), None, &[("env", "a"), ("env", "b")]).unwrap_err();
        assert!(twice.message().contains("`env` is given twice"), "{}", twice.message());
        let value = MetricSet::new(Some("ns"), None, &[("env", ":a")]).unwrap_err();
        assert!(
            value
                .message()
                .contains("the value of dimension `env` \":a\" starts with a colon"),
            "{}",
            value.message()
        );
        let many = one_too_many();
        let many = borrowed(&many);
        let err = MetricSet::new(Some("ns"), None, &many).unwrap_err();
        assert!(err.message().contains("`d29` would be the 30th"), "{}", err.message());
        MetricSet::new(Some("ns"), Some("svc"), &many[..MAX_DIMENSIONS]).unwrap();
    }

    #[test]
    fn without_a_service_there_is_no_service_dimension() {
        let mut set = MetricSet::new(Some("ns"), None, &[]).unwrap();
        set.add_metric("m", MetricUnit::Percent, 50.0, false).unwrap();
        let line = &parsed(&set.lines(1))[0];
        assert_eq!(line["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([[]]));
        assert!(line.get("service").is_none());
    }
}
