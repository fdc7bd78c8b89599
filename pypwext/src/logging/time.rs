//! The Powertools timestamp, `2021-11-24 13:38:50,673+0000`, in UTC.

use std::fmt;
use std::time::SystemTime;

use ::time::OffsetDateTime;

/// An instant as Powertools writes it: `YYYY-MM-DD HH:MM:SS,mmm+0000`, UTC.
pub(crate) struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// The instant `time`, in UTC.
    pub(crate) fn at(time: SystemTime) -> Self {
        Timestamp(OffsetDateTime::from(time))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02},{:03}+0000",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn at(secs: u64, millis: u64) -> String {
        Timestamp::at(UNIX_EPOCH + Duration::from_millis(secs * 1000 + millis)).to_string()
    }

    #[test]
    fn known_instants() {
        assert_eq!(at(0, 0), "1970-01-01 00:00:00,000+0000");
        // The example in the Powertools docs.
        assert_eq!(at(1_637_761_130, 673), "2021-11-24 13:38:50,673+0000");
        assert_eq!(at(951_782_400, 5), "2000-02-29 00:00:00,005+0000");
        assert_eq!(at(4_107_542_399, 999), "2100-02-28 23:59:59,999+0000");
        assert_eq!(at(4_107_542_400, 10), "2100-03-01 00:00:00,010+0000");
    }
}
