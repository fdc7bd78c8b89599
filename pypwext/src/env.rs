//! One reading of the environment. Every Powertools variable that pypwext
//! honours is read here, with one parser per kind of value, and every pillar
//! (the logger, metrics, and those to come) asks this module instead of
//! `std::env`. A value that is set but cannot be used is reported once, on
//! stderr, and the default applies: never a silent default, never a panic.
//!
//! Lambda's own variables that only one place needs (`AWS_LAMBDA_RUNTIME_API`,
//! `AWS_LAMBDA_MAX_CONCURRENCY`, credentials, endpoints) stay with the code
//! that uses them; this module holds the ones that decide how pypwext behaves.

use std::sync::OnceLock;
use std::time::Duration;

use tracing::level_filters::LevelFilter;

/// The names of the variables read here.
pub(crate) mod var {
    pub(crate) const SERVICE_NAME: &str = "POWERTOOLS_SERVICE_NAME";
    /// The plain fallback for the service, as the Python pypwext reads it.
    pub(crate) const PLAIN_SERVICE_NAME: &str = "SERVICE_NAME";
    pub(crate) const DEV: &str = "POWERTOOLS_DEV";
    pub(crate) const LAMBDA_LOG_LEVEL: &str = "AWS_LAMBDA_LOG_LEVEL";
    pub(crate) const LOG_LEVEL: &str = "POWERTOOLS_LOG_LEVEL";
    pub(crate) const PLAIN_LOG_LEVEL: &str = "LOG_LEVEL";
    pub(crate) const LOGGER_SAMPLE_RATE: &str = "POWERTOOLS_LOGGER_SAMPLE_RATE";
    pub(crate) const METRICS_NAMESPACE: &str = "POWERTOOLS_METRICS_NAMESPACE";
    pub(crate) const METRICS_FUNCTION_NAME: &str = "POWERTOOLS_METRICS_FUNCTION_NAME";
    pub(crate) const METRICS_DISABLED: &str = "POWERTOOLS_METRICS_DISABLED";
    pub(crate) const LAMBDA_FUNCTION_NAME: &str = "AWS_LAMBDA_FUNCTION_NAME";
    pub(crate) const TRACE_DISABLED: &str = "POWERTOOLS_TRACE_DISABLED";
    pub(crate) const TRACER_CAPTURE_RESPONSE: &str = "POWERTOOLS_TRACER_CAPTURE_RESPONSE";
    pub(crate) const TRACER_CAPTURE_ERROR: &str = "POWERTOOLS_TRACER_CAPTURE_ERROR";
    pub(crate) const XRAY_DAEMON_ADDRESS: &str = "AWS_XRAY_DAEMON_ADDRESS";
    pub(crate) const PARAMETERS_MAX_AGE: &str = "POWERTOOLS_PARAMETERS_MAX_AGE";
    /// OpenTelemetry's own: where OTLP goes (the `otel` feature).
    pub(crate) const OTLP_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
    pub(crate) const OTLP_TRACES_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    pub(crate) const OTLP_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_PROTOCOL";
    pub(crate) const OTLP_TRACES_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
}

/// The service a line or a metric names when no variable and no code names one.
pub(crate) const SERVICE_UNDEFINED: &str = "service_undefined";

/// Where the X-Ray daemon listens when `AWS_XRAY_DAEMON_ADDRESS` says nothing.
pub(crate) const DEFAULT_XRAY_DAEMON_ADDRESS: &str = "127.0.0.1:2000";

/// The level names accepted, Lambda's and Powertools' alike, case-insensitive.
pub(crate) const LEVEL_NAMES: &str = "TRACE (or VERBOSE), DEBUG, INFO, WARN (or WARNING), ERROR (or CRITICAL, FATAL)";

/// What the environment says, read once.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Powertools {
    /// `POWERTOOLS_SERVICE_NAME`, else `SERVICE_NAME`; `None` when neither is set.
    pub(crate) service: Option<String>,
    /// `POWERTOOLS_DEV`: indented log lines, and metrics off unless turned on.
    pub(crate) dev: bool,
    /// `AWS_LAMBDA_LOG_LEVEL` (the function's log controls), as written and as read.
    pub(crate) lambda_log_level: Option<(String, LevelFilter)>,
    /// `POWERTOOLS_LOG_LEVEL`, else `LOG_LEVEL`: the first of them that is a level.
    pub(crate) log_level: Option<LevelFilter>,
    /// `POWERTOOLS_LOGGER_SAMPLE_RATE`, a number from 0 to 1.
    pub(crate) sample_rate: Option<f64>,
    pub(crate) metrics_namespace: Option<String>,
    /// `POWERTOOLS_METRICS_FUNCTION_NAME`: the `function_name` of `ColdStart`.
    pub(crate) metrics_function_name: Option<String>,
    /// `POWERTOOLS_METRICS_DISABLED`, when set to a boolean.
    pub(crate) metrics_disabled: Option<bool>,
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    pub(crate) lambda_function_name: Option<String>,
    /// `POWERTOOLS_TRACE_DISABLED`, when set to a boolean.
    pub(crate) trace_disabled: Option<bool>,
    /// `POWERTOOLS_TRACER_CAPTURE_RESPONSE`, when set to a boolean.
    pub(crate) tracer_capture_response: Option<bool>,
    /// `POWERTOOLS_TRACER_CAPTURE_ERROR`, when set to a boolean.
    pub(crate) tracer_capture_error: Option<bool>,
    /// `AWS_XRAY_DAEMON_ADDRESS`: where the X-Ray daemon listens for UDP
    /// (`host:port`, or the `udp:` part of `tcp:host:port udp:host:port`).
    pub(crate) xray_daemon_address: Option<String>,
    /// `POWERTOOLS_PARAMETERS_MAX_AGE`: how long `pypwext::parameters` keeps a
    /// value, in whole seconds as Powertools reads it.
    #[cfg_attr(not(feature = "parameters"), allow(dead_code))]
    pub(crate) parameters_max_age: Option<Duration>,
    /// Where the `otel` feature sends spans over OTLP/HTTP:
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as written, else
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces` appended (as the
    /// OpenTelemetry specification reads them); `None` when neither is set.
    #[cfg_attr(not(feature = "otel"), allow(dead_code))]
    pub(crate) otlp_traces_endpoint: Option<String>,
}

impl Powertools {
    /// Reads every variable through `var`; each value that was set but could
    /// not be used gives one sentence in the returned list.
    pub(crate) fn read(var: impl Fn(&str) -> Option<String>) -> (Powertools, Vec<String>) {
        let mut reading = Reading {
            var: &var,
            problems: Vec::new(),
        };
        let tracer = cfg!(feature = "tracer");
        let env = Powertools {
            service: reading
                .text(var::SERVICE_NAME)
                .or_else(|| reading.text(var::PLAIN_SERVICE_NAME)),
            dev: reading.flag(var::DEV).unwrap_or(false),
            lambda_log_level: reading
                .text(var::LAMBDA_LOG_LEVEL)
                .and_then(|raw| reading.level(var::LAMBDA_LOG_LEVEL, &raw).map(|level| (raw, level))),
            log_level: [var::LOG_LEVEL, var::PLAIN_LOG_LEVEL]
                .into_iter()
                .find_map(|name| reading.text(name).and_then(|raw| reading.level(name, &raw))),
            sample_rate: reading.text(var::LOGGER_SAMPLE_RATE).and_then(|raw| {
                let rate = sample_rate(&raw);
                if rate.is_none() {
                    reading.report(format!(
                        "pypwext: {}={raw:?} is not a sample rate; {SAMPLE_RATE_ADVICE}; ignoring it",
                        var::LOGGER_SAMPLE_RATE
                    ));
                }
                rate
            }),
            metrics_namespace: reading.text(var::METRICS_NAMESPACE),
            metrics_function_name: reading.text(var::METRICS_FUNCTION_NAME),
            metrics_disabled: reading.flag(var::METRICS_DISABLED),
            lambda_function_name: reading.text(var::LAMBDA_FUNCTION_NAME),
            // A feature's variables are read (and a bad value reported)
            // only when it is compiled in: a service-only function links
            // none of their parsers (scripts/build-cost.sh, the binary).
            trace_disabled: tracer.then(|| reading.flag(var::TRACE_DISABLED)).flatten(),
            tracer_capture_response: tracer.then(|| reading.flag(var::TRACER_CAPTURE_RESPONSE)).flatten(),
            tracer_capture_error: tracer.then(|| reading.flag(var::TRACER_CAPTURE_ERROR)).flatten(),
            xray_daemon_address: tracer.then(|| reading.xray_daemon_address()).flatten(),
            parameters_max_age: cfg!(feature = "parameters")
                .then(|| reading.parameters_max_age())
                .flatten(),
            // Another OpenTelemetry SDK in the function may read these:
            // without the feature they are not pypwext's to judge.
            otlp_traces_endpoint: cfg!(feature = "otel").then(|| reading.otlp_traces_endpoint()).flatten(),
        };
        (env, reading.problems)
    }

    /// Whether metrics are off: `POWERTOOLS_METRICS_DISABLED`, else (as
    /// Powertools) the dev mode turns them off unless they are turned on.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    pub(crate) fn metrics_disabled(&self) -> bool {
        self.metrics_disabled.unwrap_or(self.dev)
    }

    /// Whether the tracer sends nothing (`POWERTOOLS_TRACE_DISABLED`).
    #[cfg_attr(not(feature = "tracer"), allow(dead_code))]
    pub(crate) fn trace_disabled(&self) -> bool {
        self.trace_disabled.unwrap_or(false)
    }

    /// The X-Ray daemon's UDP address: `AWS_XRAY_DAEMON_ADDRESS`, else the
    /// daemon's default.
    #[cfg_attr(not(feature = "tracer"), allow(dead_code))]
    pub(crate) fn xray_daemon_address(&self) -> &str {
        self.xray_daemon_address
            .as_deref()
            .unwrap_or(DEFAULT_XRAY_DAEMON_ADDRESS)
    }

    /// The service as lines write it: the one named, else `service_undefined`.
    pub(crate) fn service_or_undefined(&self) -> &str {
        self.service.as_deref().unwrap_or(SERVICE_UNDEFINED)
    }
}

/// The process's environment, read on first use; its problems are written to
/// stderr then, once (before any logger runs, stderr is where Lambda shows them).
pub(crate) fn process() -> &'static Powertools {
    static PROCESS: OnceLock<Powertools> = OnceLock::new();
    PROCESS.get_or_init(|| {
        let (env, problems) = Powertools::read(|name| std::env::var(name).ok());
        for problem in problems {
            eprintln!("{problem}");
        }
        env
    })
}

/// One pass over the variables, collecting what could not be used.
struct Reading<'a> {
    var: &'a dyn Fn(&str) -> Option<String>,
    problems: Vec<String>,
}

impl Reading<'_> {
    /// A variable's value, trimmed; `None` when it is unset or blank.
    fn text(&self, name: &str) -> Option<String> {
        (self.var)(name)
            .map(|raw| raw.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    fn report(&mut self, problem: String) {
        self.problems.push(problem);
    }

    /// A boolean as Powertools reads one: `1`, `y`, `yes`, `t`, `true`, `on`
    /// and their opposites, in any case.
    fn flag(&mut self, name: &str) -> Option<bool> {
        let raw = self.text(name)?;
        let value = flag(&raw);
        if value.is_none() {
            self.report(format!(
                "pypwext: {name}={raw:?} is neither true nor false; use true or false (1/0, yes/no, on/off also work); ignoring it"
            ));
        }
        value
    }

    /// `AWS_XRAY_DAEMON_ADDRESS`, when it is a daemon address.
    fn xray_daemon_address(&mut self) -> Option<String> {
        let raw = self.text(var::XRAY_DAEMON_ADDRESS)?;
        let address = daemon_address(&raw);
        if address.is_none() {
            self.report(format!(
                "pypwext: {}={raw:?} is not a daemon address; use host:port (127.0.0.1:2000) or `tcp:host:port udp:host:port`; using 127.0.0.1:2000",
                var::XRAY_DAEMON_ADDRESS
            ));
        }
        address
    }

    /// `POWERTOOLS_PARAMETERS_MAX_AGE`, when it is whole seconds.
    fn parameters_max_age(&mut self) -> Option<Duration> {
        let raw = self.text(var::PARAMETERS_MAX_AGE)?;
        let seconds = raw.parse::<u64>().ok();
        if seconds.is_none() {
            self.report(format!(
                "pypwext: {}={raw:?} is not a number of seconds; use a whole number such as 5 (0 fetches every time); ignoring it",
                var::PARAMETERS_MAX_AGE
            ));
        }
        seconds.map(Duration::from_secs)
    }

    /// Where OTLP spans go: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as written,
    /// else `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces`; a protocol
    /// other than `http/protobuf` is reported (it is the one spoken).
    fn otlp_traces_endpoint(&mut self) -> Option<String> {
        for name in [var::OTLP_TRACES_PROTOCOL, var::OTLP_PROTOCOL] {
            if let Some(raw) = self.text(name)
                && raw != "http/protobuf"
            {
                self.report(format!(
                    "pypwext: {name}={raw:?} is not spoken; pypwext's otel feature exports http/protobuf (OTLP over HTTP, the collector's port 4318); using http/protobuf"
                ));
            }
        }
        let (name, raw, endpoint) = match self.text(var::OTLP_TRACES_ENDPOINT) {
            Some(raw) => (var::OTLP_TRACES_ENDPOINT, raw.clone(), raw),
            None => {
                let raw = self.text(var::OTLP_ENDPOINT)?;
                let traces = format!("{}/v1/traces", raw.trim_end_matches('/'));
                (var::OTLP_ENDPOINT, raw, traces)
            }
        };
        if otlp_endpoint(&endpoint) {
            return Some(endpoint);
        }
        self.report(format!(
            "pypwext: {name}={raw:?} is not an OTLP/HTTP endpoint; use an http:// or https:// URL such as http://localhost:4318; ignoring it"
        ));
        None
    }

    fn level(&mut self, name: &str, raw: &str) -> Option<LevelFilter> {
        let level = level_from_name(raw);
        if level.is_none() {
            self.report(format!(
                "pypwext: {name}={raw:?} is not a log level; use one of {LEVEL_NAMES}; ignoring it"
            ));
        }
        level
    }
}

/// Powertools' booleans (`strtobool`), in any case.
pub(crate) fn flag(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "y" | "yes" | "t" | "true" | "on" => Some(true),
        "0" | "n" | "no" | "f" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// A level name, Lambda's or Powertools', in any case.
pub(crate) fn level_from_name(raw: &str) -> Option<LevelFilter> {
    Some(match raw.trim().to_ascii_uppercase().as_str() {
        "TRACE" | "VERBOSE" => LevelFilter::TRACE,
        "DEBUG" => LevelFilter::DEBUG,
        "INFO" => LevelFilter::INFO,
        "WARN" | "WARNING" => LevelFilter::WARN,
        "ERROR" | "CRITICAL" | "FATAL" => LevelFilter::ERROR,
        _ => return None,
    })
}

/// The sample rates there are: a share of invocations, from none to all.
pub(crate) const SAMPLE_RATES: std::ops::RangeInclusive<f64> = 0.0..=1.0;

/// What a problem with a sample rate says to do.
pub(crate) const SAMPLE_RATE_ADVICE: &str = "use a number from 0 to 1 (0.1 logs one invocation in ten at DEBUG)";

/// A sample rate: a JSON number from 0 to 1 (`0.1`, `1`, `1e-1`), read by
/// serde_json rather than `str::parse::<f64>`, which would also take `.5` and
/// `inf` and links a table of powers of five into every function
/// (`scripts/build-cost.sh` measures the difference in the binary).
pub(crate) fn sample_rate(raw: &str) -> Option<f64> {
    serde_json::from_str::<f64>(raw.trim())
        .ok()
        .filter(|rate| SAMPLE_RATES.contains(rate))
}

/// Whether `endpoint` can be an OTLP/HTTP URL: `http://` or `https://` and a
/// host.
pub(crate) fn otlp_endpoint(endpoint: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        endpoint
            .get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
            && endpoint.len() > scheme.len()
            && !endpoint[scheme.len()..].starts_with('/')
    })
}

/// The daemon's UDP address as the X-Ray SDKs read `AWS_XRAY_DAEMON_ADDRESS`:
/// `host:port`, or `tcp:host:port udp:host:port` (either order), whose
/// `udp:` part is taken. The port must be a number; the host is resolved
/// when the first document is sent.
pub(crate) fn daemon_address(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let parts: Vec<&str> = raw.split_whitespace().collect();
    let address = match parts.as_slice() {
        [single] if !single.starts_with("tcp:") => single.strip_prefix("udp:").unwrap_or(single),
        [first, second] => [first, second].iter().find_map(|part| part.strip_prefix("udp:"))?,
        _ => return None,
    };
    let (host, port) = address.rsplit_once(':')?;
    (!host.is_empty() && port.parse::<u16>().is_ok()).then(|| address.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> (Powertools, Vec<String>) {
        Powertools::read(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn nothing_set_reads_as_the_defaults() {
        let (env, problems) = read(&[]);
        assert_eq!(env, Powertools::default());
        assert_eq!(env.service_or_undefined(), "service_undefined");
        assert!(!env.metrics_disabled());
        assert!(problems.is_empty());
    }

    #[test]
    fn the_service_is_powertools_service_name_else_service_name() {
        let both = [("POWERTOOLS_SERVICE_NAME", "pt"), ("SERVICE_NAME", "plain")];
        assert_eq!(read(&both).0.service.as_deref(), Some("pt"));
        assert_eq!(read(&both[1..]).0.service.as_deref(), Some("plain"));
        // Blank is not set: the fallback applies.
        assert_eq!(
            read(&[("POWERTOOLS_SERVICE_NAME", " "), ("SERVICE_NAME", "plain")])
                .0
                .service
                .as_deref(),
            Some("plain")
        );
    }

    #[test]
    fn booleans_are_read_as_powertools_reads_them() {
        for raw in ["1", "y", "YES", "t", "True", "on", " true "] {
            let (env, problems) = read(&[("POWERTOOLS_DEV", raw)]);
            assert!(env.dev && problems.is_empty(), "{raw:?}");
        }
        for raw in ["0", "n", "No", "f", "FALSE", "off"] {
            let (env, problems) = read(&[("POWERTOOLS_DEV", raw)]);
            assert!(!env.dev && problems.is_empty(), "{raw:?}");
        }
        let (env, problems) = read(&[("POWERTOOLS_DEV", "maybe")]);
        assert!(!env.dev);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].contains("POWERTOOLS_DEV=\"maybe\" is neither true nor false; use true or false"),
            "{problems:?}"
        );
    }

    #[test]
    fn powertools_dev_1_turns_on_indentation_and_turns_metrics_off() {
        let (env, problems) = read(&[("POWERTOOLS_DEV", "1")]);
        assert!(env.dev && env.metrics_disabled() && problems.is_empty());
        let (env, _) = read(&[("POWERTOOLS_DEV", "1"), ("POWERTOOLS_METRICS_DISABLED", "0")]);
        assert!(env.dev && !env.metrics_disabled());
    }

    #[test]
    fn metrics_disabled_is_a_boolean_or_reported() {
        assert!(read(&[("POWERTOOLS_METRICS_DISABLED", "true")]).0.metrics_disabled());
        assert!(!read(&[("POWERTOOLS_METRICS_DISABLED", "off")]).0.metrics_disabled());
        let (env, problems) = read(&[("POWERTOOLS_METRICS_DISABLED", "maybe")]);
        assert!(!env.metrics_disabled());
        assert!(problems[0].contains("POWERTOOLS_METRICS_DISABLED=\"maybe\" is neither true nor false"));
    }

    #[test]
    fn metrics_names_and_the_function_name() {
        let (env, problems) = read(&[
            ("POWERTOOLS_METRICS_NAMESPACE", "shop"),
            ("POWERTOOLS_METRICS_FUNCTION_NAME", "orders-fn"),
            ("AWS_LAMBDA_FUNCTION_NAME", "fn"),
        ]);
        assert_eq!(env.metrics_namespace.as_deref(), Some("shop"));
        assert_eq!(env.metrics_function_name.as_deref(), Some("orders-fn"));
        assert_eq!(env.lambda_function_name.as_deref(), Some("fn"));
        assert!(problems.is_empty());
    }

    #[test]
    #[cfg(feature = "parameters")]
    fn the_parameters_max_age_is_whole_seconds_or_reported() {
        for (raw, seconds) in [("0", 0), ("5", 5), (" 300 ", 300)] {
            let (env, problems) = read(&[("POWERTOOLS_PARAMETERS_MAX_AGE", raw)]);
            assert_eq!(env.parameters_max_age, Some(Duration::from_secs(seconds)), "{raw:?}");
            assert!(problems.is_empty(), "{raw:?}: {problems:?}");
        }
        for raw in ["-1", "1.5", "5s", "soon"] {
            let (env, problems) = read(&[("POWERTOOLS_PARAMETERS_MAX_AGE", raw)]);
            assert_eq!(env.parameters_max_age, None, "{raw:?}");
            assert!(
                problems.len() == 1
                    && problems[0].contains("POWERTOOLS_PARAMETERS_MAX_AGE=")
                    && problems[0].contains("is not a number of seconds; use a whole number"),
                "{raw:?}: {problems:?}"
            );
        }
    }

    #[test]
    fn log_levels_in_any_case_and_the_first_good_one_wins() {
        let (env, problems) = read(&[("AWS_LAMBDA_LOG_LEVEL", "warning")]);
        assert_eq!(env.lambda_log_level, Some(("warning".to_owned(), LevelFilter::WARN)));
        assert!(problems.is_empty());
        assert_eq!(
            read(&[("POWERTOOLS_LOG_LEVEL", "debug"), ("LOG_LEVEL", "trace")])
                .0
                .log_level,
            Some(LevelFilter::DEBUG)
        );
        assert_eq!(read(&[("LOG_LEVEL", "VERBOSE")]).0.log_level, Some(LevelFilter::TRACE));
        let (env, problems) = read(&[("POWERTOOLS_LOG_LEVEL", "LOUD"), ("LOG_LEVEL", "critical")]);
        assert_eq!(env.log_level, Some(LevelFilter::ERROR));
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("POWERTOOLS_LOG_LEVEL=\"LOUD\" is not a log level; use one of TRACE"));
    }

    #[test]
    fn sample_rates_are_json_numbers_from_0_to_1() {
        for (raw, rate) in [("0", 0.0), ("0.25", 0.25), (" 1 ", 1.0), ("1e-1", 0.1), ("1.0", 1.0)] {
            let (env, problems) = read(&[("POWERTOOLS_LOGGER_SAMPLE_RATE", raw)]);
            assert_eq!((env.sample_rate, problems.len()), (Some(rate), 0), "{raw:?}");
        }
        for raw in [".5", "1.5", "-0.1", "often", "NaN"] {
            let (env, problems) = read(&[("POWERTOOLS_LOGGER_SAMPLE_RATE", raw)]);
            assert_eq!(env.sample_rate, None, "{raw:?}");
            assert!(
                problems.len() == 1 && problems[0].contains("is not a sample rate; use a number from 0 to 1"),
                "{raw:?}: {problems:?}"
            );
        }
    }

    #[test]
    #[cfg(feature = "tracer")]
    fn tracer_flags_are_booleans_or_reported() {
        let (env, problems) = read(&[
            ("POWERTOOLS_TRACE_DISABLED", "true"),
            ("POWERTOOLS_TRACER_CAPTURE_RESPONSE", "false"),
            ("POWERTOOLS_TRACER_CAPTURE_ERROR", "0"),
        ]);
        assert!(env.trace_disabled() && problems.is_empty());
        assert_eq!(env.tracer_capture_response, Some(false));
        assert_eq!(env.tracer_capture_error, Some(false));
        assert!(!read(&[]).0.trace_disabled());
        let (env, problems) = read(&[("POWERTOOLS_TRACER_CAPTURE_RESPONSE", "sometimes")]);
        assert_eq!(env.tracer_capture_response, None);
        assert!(problems[0].contains("POWERTOOLS_TRACER_CAPTURE_RESPONSE=\"sometimes\" is neither true nor false"));
    }

    #[test]
    #[cfg(feature = "tracer")]
    fn the_daemon_address_is_host_port_or_its_udp_part() {
        assert_eq!(read(&[]).0.xray_daemon_address(), "127.0.0.1:2000");
        for (raw, address) in [
            ("169.254.79.129:2000", "169.254.79.129:2000"),
            (" localhost:3000 ", "localhost:3000"),
            ("udp:127.0.0.1:2001", "127.0.0.1:2001"),
            ("tcp:127.0.0.1:2000 udp:127.0.0.2:2002", "127.0.0.2:2002"),
            ("udp:127.0.0.2:2002 tcp:127.0.0.1:2000", "127.0.0.2:2002"),
        ] {
            let (env, problems) = read(&[("AWS_XRAY_DAEMON_ADDRESS", raw)]);
            assert_eq!((env.xray_daemon_address(), problems.len()), (address, 0), "{raw:?}");
        }
        for raw in [
            "2000",
            "127.0.0.1",
            "127.0.0.1:port",
            "tcp:127.0.0.1:2000",
            ":2000",
            "a:1 b:2 c:3",
        ] {
            let (env, problems) = read(&[("AWS_XRAY_DAEMON_ADDRESS", raw)]);
            assert_eq!(env.xray_daemon_address(), "127.0.0.1:2000", "{raw:?}");
            assert!(
                problems[0].contains("is not a daemon address; use host:port"),
                "{raw:?}: {problems:?}"
            );
        }
    }

    #[test]
    #[cfg(feature = "otel")]
    fn the_otlp_endpoint_is_the_traces_one_else_the_base_one_with_its_path() {
        assert_eq!(read(&[]).0.otlp_traces_endpoint, None);
        for (vars, endpoint) in [
            (
                &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318")][..],
                "http://localhost:4318/v1/traces",
            ),
            (
                &[("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318/base/")][..],
                "https://collector:4318/base/v1/traces",
            ),
            (
                &[
                    ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318"),
                    ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:9/spans"),
                ][..],
                "http://127.0.0.1:9/spans",
            ),
        ] {
            let (env, problems) = read(vars);
            assert_eq!(env.otlp_traces_endpoint.as_deref(), Some(endpoint), "{vars:?}");
            assert!(problems.is_empty(), "{problems:?}");
        }
        for raw in ["localhost:4318", "grpc://localhost:4317", "http://", "http:///v1"] {
            let (env, problems) = read(&[("OTEL_EXPORTER_OTLP_ENDPOINT", raw)]);
            assert_eq!(env.otlp_traces_endpoint, None, "{raw:?}");
            assert!(
                problems[0].contains("is not an OTLP/HTTP endpoint; use an http:// or https:// URL"),
                "{raw:?}: {problems:?}"
            );
        }
    }

    #[test]
    #[cfg(feature = "otel")]
    fn an_otlp_protocol_other_than_http_protobuf_is_reported() {
        let endpoint = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318");
        let (env, problems) = read(&[endpoint, ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")]);
        assert!(
            problems.is_empty() && env.otlp_traces_endpoint.is_some(),
            "{problems:?}"
        );
        let (env, problems) = read(&[endpoint, ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc")]);
        assert_eq!(
            env.otlp_traces_endpoint.as_deref(),
            Some("http://localhost:4318/v1/traces")
        );
        assert!(
            problems[0].contains("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=\"grpc\" is not spoken"),
            "{problems:?}"
        );
    }

    #[test]
    #[cfg(not(feature = "otel"))]
    fn without_the_otel_feature_the_otlp_variables_are_not_read() {
        let (env, problems) = read(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "grpc-only:4317")]);
        assert_eq!((env.otlp_traces_endpoint, problems.len()), (None, 0));
    }
}
