//! The unit tests of `set.rs` and `rules.rs`.

use super::*;
use crate::metrics::rules::*;
use crate::test_support::panic_message;
use http::StatusCode;
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
            &[("env", "prod"), ("_aws", "v")],
            DefaultDimensionProblem::EmfMetadata,
            "rename it",
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
