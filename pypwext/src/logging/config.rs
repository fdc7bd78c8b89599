//! The logger's settings from the builder and the environment, with every bad
//! value reported instead of silently replaced.

use tracing::level_filters::LevelFilter;

use super::buffer::BufferConfig;
use crate::env::{Powertools, SAMPLE_RATE_ADVICE, SAMPLE_RATES};

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

/// Resolves the settings from what the builder was told and what the
/// environment says; every value that was given but could not be used yields
/// one line in the returned list (the environment's own problems are
/// `env`'s to report).
pub(crate) fn resolve(requested: &Requested, env: &Powertools) -> (Settings, Vec<String>) {
    let mut problems = Vec::new();

    let service = requested
        .service
        .clone()
        .unwrap_or_else(|| env.service_or_undefined().to_owned());

    // AWS_LAMBDA_LOG_LEVEL (the function's advanced logging controls) beats the
    // code; the code beats the Powertools variables.
    let level = env
        .lambda_log_level
        .as_ref()
        .map(|(_, level)| *level)
        .or(requested.level)
        .or(env.log_level)
        .unwrap_or(LevelFilter::INFO);

    let sample_rate = match requested.sample_rate {
        Some(rate) if SAMPLE_RATES.contains(&rate) => rate,
        Some(rate) => {
            problems.push(format!(
                "pypwext: the builder's sample_rate={rate:?} is not a sample rate; {SAMPLE_RATE_ADVICE}; sampling is off"
            ));
            0.0
        }
        None => env.sample_rate.unwrap_or(0.0),
    };

    let buffer = requested.buffer.filter(|buffer| {
        if buffer.at == tracing::Level::ERROR {
            problems.push(
                "pypwext: BufferConfig { at: Level::ERROR } holds nothing (ERROR lines flush the buffer, they are never held); use DEBUG, INFO or WARN; buffering is off"
                    .to_owned(),
            );
            return false;
        }
        if let Some((raw, lambda_level)) = &env.lambda_log_level
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
            dev: env.dev,
            buffer,
        },
        problems,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_with(requested: Requested, vars: &[(&str, &str)]) -> (Settings, Vec<String>) {
        let (env, _) = Powertools::read(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned()));
        resolve(&requested, &env)
    }

    #[test]
    fn defaults() {
        let (settings, problems) = resolve_with(Requested::default(), &[]);
        assert_eq!(settings.service, "service_undefined");
        assert_eq!(settings.level, LevelFilter::INFO);
        assert_eq!(settings.sample_rate, 0.0);
        assert!(!settings.dev);
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
    fn a_bad_lambda_level_gives_way_to_the_next_source() {
        let (settings, _) = resolve_with(
            Requested::default(),
            &[("AWS_LAMBDA_LOG_LEVEL", "LOUD"), ("POWERTOOLS_LOG_LEVEL", "Warning")],
        );
        assert_eq!(settings.level, LevelFilter::WARN);
    }

    #[test]
    fn powertools_dev_in_any_powertools_spelling_indents() {
        for (raw, dev) in [
            ("true", true),
            ("TRUE", true),
            ("1", true),
            ("yes", true),
            ("false", false),
            ("0", false),
        ] {
            assert_eq!(
                resolve_with(Requested::default(), &[("POWERTOOLS_DEV", raw)]).0.dev,
                dev,
                "{raw}"
            );
        }
    }

    #[test]
    fn sample_rate_from_the_builder_beats_the_environment_and_is_checked() {
        let ok = resolve_with(Requested::default(), &[("POWERTOOLS_LOGGER_SAMPLE_RATE", "0.25")]);
        assert_eq!(ok.0.sample_rate, 0.25);
        let code = |rate| Requested {
            sample_rate: Some(rate),
            ..Requested::default()
        };
        assert_eq!(
            resolve_with(code(0.5), &[("POWERTOOLS_LOGGER_SAMPLE_RATE", "0.25")])
                .0
                .sample_rate,
            0.5
        );
        for bad in [1.5, -0.1, f64::NAN] {
            let (settings, problems) = resolve_with(code(bad), &[]);
            assert_eq!(settings.sample_rate, 0.0, "{bad}");
            assert!(
                problems[0].contains("is not a sample rate; use a number from 0 to 1"),
                "{problems:?}"
            );
        }
    }
}
