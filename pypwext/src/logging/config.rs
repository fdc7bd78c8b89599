//! The logger's settings from the builder and the environment, with every bad
//! value reported instead of silently replaced.

use tracing::level_filters::LevelFilter;

use super::buffer::BufferConfig;

/// What the builder was told; `None` means "not set".
#[derive(Default, Clone)]
pub(crate) struct Requested {
    pub(crate) service: Option<String>,
    pub(crate) level: Option<LevelFilter>,
    pub(crate) sample_rate: Option<f64>,
    pub(crate) buffer: Option<BufferConfig>,
}

/// The settings in force.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Settings {
    pub(crate) service: String,
    pub(crate) level: LevelFilter,
    pub(crate) sample_rate: f64,
    /// `POWERTOOLS_DEV=true`: each line indented, for people reading a terminal.
    pub(crate) dev: bool,
    /// Which lines an invocation holds back.
    pub(crate) buffer: Option<BufferConfig>,
}

pub(crate) const SERVICE_UNDEFINED: &str = "service_undefined";

/// Resolves the settings. `env` looks up an environment variable; every value
/// that was set but could not be used yields one line in the returned list.
pub(crate) fn resolve(requested: &Requested, env: impl Fn(&str) -> Option<String>) -> (Settings, Vec<String>) {
    let mut problems = Vec::new();

    let service = requested
        .service
        .clone()
        .or_else(|| env("POWERTOOLS_SERVICE_NAME").filter(|s| !s.is_empty()))
        .or_else(|| env("SERVICE_NAME").filter(|s| !s.is_empty()))
        .unwrap_or_else(|| SERVICE_UNDEFINED.to_owned());

    // AWS_LAMBDA_LOG_LEVEL (the function's advanced logging controls) beats the
    // code; the code beats the Powertools variables.
    let mut level = None;
    let mut lambda_level = None;
    if let Some(raw) = env("AWS_LAMBDA_LOG_LEVEL") {
        level = parse_level("AWS_LAMBDA_LOG_LEVEL", &raw, &mut problems);
        lambda_level = level.map(|level| (raw, level));
    }
    level = level.or(requested.level);
    for var in ["POWERTOOLS_LOG_LEVEL", "LOG_LEVEL"] {
        if level.is_some() {
            break;
        }
        if let Some(raw) = env(var) {
            level = parse_level(var, &raw, &mut problems);
        }
    }
    let level = level.unwrap_or(LevelFilter::INFO);

    let sample_rate = match requested.sample_rate {
        Some(rate) => check_rate(
            "the builder's sample_rate",
            &rate.to_string(),
            Some(rate),
            &mut problems,
        ),
        None => match env("POWERTOOLS_LOGGER_SAMPLE_RATE") {
            Some(raw) => {
                let parsed = parse_rate(&raw);
                check_rate("POWERTOOLS_LOGGER_SAMPLE_RATE", &raw, parsed, &mut problems)
            }
            None => 0.0,
        },
    };

    // As Powertools: `true` in any case turns it on; anything else but
    // `false` is reported.
    let dev = match env("POWERTOOLS_DEV") {
        Some(raw) if raw.trim().eq_ignore_ascii_case("true") => true,
        Some(raw) if raw.trim().eq_ignore_ascii_case("false") || raw.trim().is_empty() => false,
        Some(raw) => {
            problems.push(format!(
                "pypwext: POWERTOOLS_DEV={raw:?} is neither true nor false; writing one line per event (set it to true for indented lines)"
            ));
            false
        }
        None => false,
    };

    let buffer = requested.buffer.filter(|buffer| {
        if buffer.at == tracing::Level::ERROR {
            problems.push(
                "pypwext: BufferConfig { at: Level::ERROR } holds nothing (ERROR lines flush the buffer, they are never held); use DEBUG, INFO or WARN; buffering is off"
                    .to_owned(),
            );
            return false;
        }
        if let Some((raw, lambda_level)) = &lambda_level
            && buffer.at > *lambda_level
        {
            // As Powertools warns: Lambda's log controls drop the JSON lines
            // below their level, flushed or not.
            problems.push(format!(
                "pypwext: AWS_LAMBDA_LOG_LEVEL={raw:?} is less verbose than the buffer's level {}: Lambda drops the flushed lines below {raw}; set the function's log level to {} or lower to see them",
                buffer.at, buffer.at
            ));
        }
        true
    });

    (
        Settings {
            service,
            level,
            sample_rate,
            dev,
            buffer,
        },
        problems,
    )
}

/// A sample rate written as a JSON number (`0.1`, `1`, `1e-1`), read by
/// serde_json. `str::parse::<f64>` would also take `.5` and `inf`, but it links
/// a 10 KB table of powers of five into every function: 14 KB of the
/// service-only binary of `scripts/build-cost.sh`.
fn parse_rate(raw: &str) -> Option<f64> {
    serde_json::from_str(raw.trim()).ok()
}

fn check_rate(source: &str, raw: &str, parsed: Option<f64>, problems: &mut Vec<String>) -> f64 {
    match parsed {
        Some(rate) if (0.0..=1.0).contains(&rate) => rate,
        _ => {
            problems.push(format!(
                "pypwext: {source}={raw:?} is not a sample rate; use a number from 0 to 1 (0.1 logs one invocation in ten at DEBUG); sampling is off"
            ));
            0.0
        }
    }
}

/// The level names accepted, Lambda's and Powertools' alike, case-insensitive.
pub(crate) const LEVEL_NAMES: &str = "TRACE (or VERBOSE), DEBUG, INFO, WARN (or WARNING), ERROR (or CRITICAL, FATAL)";

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

fn parse_level(var: &str, raw: &str, problems: &mut Vec<String>) -> Option<LevelFilter> {
    let level = level_from_name(raw);
    if level.is_none() {
        problems.push(format!(
            "pypwext: {var}={raw:?} is not a log level; use one of {LEVEL_NAMES}; ignoring it"
        ));
    }
    level
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_with(requested: Requested, vars: &[(&str, &str)]) -> (Settings, Vec<String>) {
        resolve(&requested, |name| {
            vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn sample_rates_are_json_numbers_from_0_to_1() {
        for (raw, rate) in [("0", 0.0), ("0.25", 0.25), (" 1 ", 1.0), ("1e-1", 0.1), ("1.0", 1.0)] {
            let (settings, problems) = resolve_with(Requested::default(), &[("POWERTOOLS_LOGGER_SAMPLE_RATE", raw)]);
            assert_eq!((settings.sample_rate, problems.len()), (rate, 0), "{raw:?}");
        }
        for raw in [".5", "1.5", "-0.1", "often", "", "NaN"] {
            let (settings, problems) = resolve_with(Requested::default(), &[("POWERTOOLS_LOGGER_SAMPLE_RATE", raw)]);
            assert_eq!(settings.sample_rate, 0.0, "{raw:?}");
            assert!(
                problems.len() == 1 && problems[0].contains("is not a sample rate; use a number from 0 to 1"),
                "{raw:?}: {problems:?}"
            );
        }
    }

    #[test]
    fn defaults() {
        let (settings, problems) = resolve_with(Requested::default(), &[]);
        assert_eq!(settings.service, "service_undefined");
        assert_eq!(settings.level, LevelFilter::INFO);
        assert_eq!(settings.sample_rate, 0.0);
        assert!(problems.is_empty());
    }

    #[test]
    fn a_buffer_that_holds_nothing_or_that_lambda_would_drop_is_reported() {
        let buffer = |at| Requested {
            buffer: Some(BufferConfig {
                at,
                ..BufferConfig::default()
            }),
            ..Requested::default()
        };
        let (settings, problems) = resolve_with(buffer(tracing::Level::ERROR), &[]);
        assert_eq!(settings.buffer, None);
        assert!(
            problems[0].contains("holds nothing") && problems[0].contains("use DEBUG, INFO or WARN"),
            "{problems:?}"
        );

        let (settings, problems) = resolve_with(buffer(tracing::Level::DEBUG), &[("AWS_LAMBDA_LOG_LEVEL", "INFO")]);
        assert!(
            settings.buffer.is_some(),
            "kept: flush_buffer still writes the lines Lambda keeps"
        );
        assert!(
            problems[0].contains("Lambda drops the flushed lines below"),
            "{problems:?}"
        );

        let (_, problems) = resolve_with(buffer(tracing::Level::DEBUG), &[("AWS_LAMBDA_LOG_LEVEL", "DEBUG")]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn service_precedence() {
        let builder = Requested {
            service: Some("from-code".into()),
            ..Requested::default()
        };
        let both = [("POWERTOOLS_SERVICE_NAME", "pt"), ("SERVICE_NAME", "plain")];
        assert_eq!(resolve_with(builder, &both).0.service, "from-code");
        assert_eq!(resolve_with(Requested::default(), &both).0.service, "pt");
        assert_eq!(resolve_with(Requested::default(), &both[1..]).0.service, "plain");
    }

    #[test]
    fn level_precedence() {
        let code = Requested {
            level: Some(LevelFilter::WARN),
            ..Requested::default()
        };
        let all = [
            ("AWS_LAMBDA_LOG_LEVEL", "error"),
            ("POWERTOOLS_LOG_LEVEL", "debug"),
            ("LOG_LEVEL", "trace"),
        ];
        assert_eq!(resolve_with(code.clone(), &all).0.level, LevelFilter::ERROR);
        assert_eq!(resolve_with(code.clone(), &all[1..]).0.level, LevelFilter::WARN);
        assert_eq!(
            resolve_with(Requested::default(), &all[1..]).0.level,
            LevelFilter::DEBUG
        );
        assert_eq!(
            resolve_with(Requested::default(), &all[2..]).0.level,
            LevelFilter::TRACE
        );
    }

    #[test]
    fn a_bad_level_is_reported_and_the_next_source_used() {
        let (settings, problems) = resolve_with(
            Requested::default(),
            &[("AWS_LAMBDA_LOG_LEVEL", "LOUD"), ("POWERTOOLS_LOG_LEVEL", "Warning")],
        );
        assert_eq!(settings.level, LevelFilter::WARN);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].contains("AWS_LAMBDA_LOG_LEVEL=\"LOUD\" is not a log level"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn powertools_dev_is_true_false_or_reported() {
        for (raw, dev, reported) in [
            ("true", true, 0),
            ("TRUE", true, 0),
            ("false", false, 0),
            ("yes", false, 1),
        ] {
            let (settings, problems) = resolve_with(Requested::default(), &[("POWERTOOLS_DEV", raw)]);
            assert_eq!(settings.dev, dev, "{raw}");
            assert_eq!(problems.len(), reported, "{raw}");
        }
        assert!(!resolve_with(Requested::default(), &[]).0.dev);
    }

    #[test]
    fn sample_rate_is_checked() {
        let ok = resolve_with(Requested::default(), &[("POWERTOOLS_LOGGER_SAMPLE_RATE", "0.25")]);
        assert_eq!(ok.0.sample_rate, 0.25);
        for bad in ["1.5", "-0.1", "ten", "NaN"] {
            let (settings, problems) = resolve_with(Requested::default(), &[("POWERTOOLS_LOGGER_SAMPLE_RATE", bad)]);
            assert_eq!(settings.sample_rate, 0.0, "{bad}");
            assert_eq!(problems.len(), 1, "{bad}");
        }
    }
}
