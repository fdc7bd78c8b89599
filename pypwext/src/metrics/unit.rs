//! The units CloudWatch takes for a metric.

use std::fmt;
use std::str::FromStr;

macro_rules! units {
    ($( $(#[$doc:meta])* $variant:ident => $wire:literal, )+) => {
        /// A CloudWatch metric unit: every unit CloudWatch accepts, as
        /// Powertools' `MetricUnit` names them (`NoUnit` is CloudWatch's `None`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MetricUnit {
            $( $(#[$doc])* $variant, )+
        }

        impl MetricUnit {
            /// Every unit, in Powertools' order.
            pub const ALL: &'static [MetricUnit] = &[$(MetricUnit::$variant),+];

            /// The unit as an EMF line writes it: `"Count"`, `"Bytes/Second"`, `"None"`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( MetricUnit::$variant => $wire, )+
                }
            }
        }

        impl FromStr for MetricUnit {
            type Err = UnknownUnit;

            /// Parses CloudWatch's name (`"Bytes/Second"`) or the Rust one (`"BytesPerSecond"`).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $(
                    if s == $wire || s == stringify!($variant) {
                        return Ok(MetricUnit::$variant);
                    }
                )+
                Err(UnknownUnit(s.to_owned()))
            }
        }
    };
}

units! {
    /// `Seconds`.
    Seconds => "Seconds",
    /// `Microseconds`.
    Microseconds => "Microseconds",
    /// `Milliseconds`.
    Milliseconds => "Milliseconds",
    /// `Bytes`.
    Bytes => "Bytes",
    /// `Kilobytes`.
    Kilobytes => "Kilobytes",
    /// `Megabytes`.
    Megabytes => "Megabytes",
    /// `Gigabytes`.
    Gigabytes => "Gigabytes",
    /// `Terabytes`.
    Terabytes => "Terabytes",
    /// `Bits`.
    Bits => "Bits",
    /// `Kilobits`.
    Kilobits => "Kilobits",
    /// `Megabits`.
    Megabits => "Megabits",
    /// `Gigabits`.
    Gigabits => "Gigabits",
    /// `Terabits`.
    Terabits => "Terabits",
    /// `Percent`.
    Percent => "Percent",
    /// `Count`.
    Count => "Count",
    /// `Bytes/Second`.
    BytesPerSecond => "Bytes/Second",
    /// `Kilobytes/Second`.
    KilobytesPerSecond => "Kilobytes/Second",
    /// `Megabytes/Second`.
    MegabytesPerSecond => "Megabytes/Second",
    /// `Gigabytes/Second`.
    GigabytesPerSecond => "Gigabytes/Second",
    /// `Terabytes/Second`.
    TerabytesPerSecond => "Terabytes/Second",
    /// `Bits/Second`.
    BitsPerSecond => "Bits/Second",
    /// `Kilobits/Second`.
    KilobitsPerSecond => "Kilobits/Second",
    /// `Megabits/Second`.
    MegabitsPerSecond => "Megabits/Second",
    /// `Gigabits/Second`.
    GigabitsPerSecond => "Gigabits/Second",
    /// `Terabits/Second`.
    TerabitsPerSecond => "Terabits/Second",
    /// `Count/Second`.
    CountPerSecond => "Count/Second",
    /// No unit: CloudWatch's `None`.
    NoUnit => "None",
}

impl fmt::Display for MetricUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for MetricUnit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A name that is not a CloudWatch unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownUnit(pub String);

impl fmt::Display for UnknownUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = MetricUnit::ALL.iter().map(|u| u.as_str()).collect();
        write!(
            f,
            "`{}` is not a CloudWatch unit; use one of: {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownUnit {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cloudwatch_unit_is_there_once_and_reads_back() {
        // The units CloudWatch's PutMetricData documents, 27 of them.
        assert_eq!(MetricUnit::ALL.len(), 27);
        for unit in MetricUnit::ALL {
            assert_eq!(unit.as_str().parse::<MetricUnit>(), Ok(*unit));
            assert_eq!(format!("{unit:?}").parse::<MetricUnit>(), Ok(*unit));
        }
        assert_eq!(MetricUnit::NoUnit.as_str(), "None");
        assert_eq!(MetricUnit::CountPerSecond.to_string(), "Count/Second");
        let err = "Furlongs".parse::<MetricUnit>().unwrap_err().to_string();
        assert!(
            err.starts_with("`Furlongs` is not a CloudWatch unit; use one of: Seconds,"),
            "{err}"
        );
    }
}
