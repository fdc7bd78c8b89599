//! One invocation's metrics, dimensions and metadata, checked as they are
//! added, and written as EMF lines in Powertools' shape.

use serde::Serialize;
use serde::ser::{SerializeMap as _, Serializer as _};
use serde_json::value::RawValue;

use super::MetricUnit;
use super::rules::{
    AWS, DimensionPart, MAX_DIMENSIONS, MAX_MAGNITUDE, SERVICE, check_dimension_part, check_name, check_namespace,
    default_dimension_error, default_dimension_problem, metric_error, too_many_dimensions, value_of,
};
use crate::errors::PwError;

/// At most this many metrics in one EMF line (the EMF specification's limit
/// on a directive's `Metrics`); more are split over several lines.
pub(crate) const MAX_METRICS_PER_LINE: usize = 100;
/// At most this many values of one metric in one line (the specification's
/// limit on a value array); more are split over several lines.
pub(crate) const MAX_VALUES_PER_LINE: usize = 100;

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

#[cfg(test)]
#[path = "set_tests.rs"]
mod tests;
