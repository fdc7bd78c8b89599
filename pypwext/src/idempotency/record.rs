//! The idempotency record and Powertools' layout of it: the id
//! `<prefix>#<hash>`, `expiration` in epoch seconds, `in_progress_expiration`
//! in epoch milliseconds, `status`, `data` (the value as JSON text) and
//! `validation` (the payload hash).

use std::time::{SystemTime, UNIX_EPOCH};

/// Where a record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The body is running: `INPROGRESS`.
    InProgress,
    /// The body returned `Ok`; the record holds its value: `COMPLETED`.
    Completed,
}

impl Status {
    /// The word Powertools stores.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InProgress => "INPROGRESS",
            Status::Completed => "COMPLETED",
        }
    }

    /// The status a stored word names.
    pub fn parse(word: &str) -> Option<Status> {
        match word {
            "INPROGRESS" => Some(Status::InProgress),
            "COMPLETED" => Some(Status::Completed),
            _ => None,
        }
    }
}

/// One idempotency record, as every store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `<prefix>#<md5 of the key>`.
    pub id: String,
    /// `INPROGRESS` or `COMPLETED`.
    pub status: Status,
    /// When the record expires, in epoch seconds.
    pub expiration: u64,
    /// When an `INPROGRESS` record may be taken over, in epoch milliseconds:
    /// the deadline of the invocation that wrote it. `None` when it had none.
    pub in_progress_expiration: Option<u64>,
    /// The value, as JSON text (`COMPLETED` only).
    pub data: Option<String>,
    /// The payload hash of `validate = …`, when there is one.
    pub validation: Option<String>,
}

/// The time a decision is made at, in the two units records use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Epoch seconds.
    pub seconds: u64,
    /// Epoch milliseconds.
    pub millis: u64,
}

impl Now {
    /// The present time.
    pub fn current() -> Now {
        Now::at(SystemTime::now())
    }

    /// `time` in both units (before 1970 counts as 1970).
    pub fn at(time: SystemTime) -> Now {
        let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
        Now {
            seconds: since.as_secs(),
            millis: u64::try_from(since.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

impl Record {
    /// Whether the record is past its expiry: it counts as absent.
    pub fn is_expired(&self, now: Now) -> bool {
        self.expiration < now.seconds
    }

    /// Whether the record is `INPROGRESS` past its in-progress expiry: the
    /// invocation that wrote it is over (it timed out or was killed).
    pub fn is_abandoned(&self, now: Now) -> bool {
        self.status == Status::InProgress && self.in_progress_expiration.is_some_and(|millis| millis < now.millis)
    }

    /// Powertools' condition for writing a new `INPROGRESS` record over this
    /// one: it is expired, or abandoned. (No record at all also allows it.)
    pub fn may_be_replaced(&self, now: Now) -> bool {
        self.is_expired(now) || self.is_abandoned(now)
    }
}

/// The attribute names of a record, Powertools' by default; each can be
/// renamed as in Powertools' `DynamoDBPersistenceLayer` and
/// `RedisCachePersistenceLayer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attributes {
    /// The key: `id`.
    pub key: String,
    /// `expiration`.
    pub expiry: String,
    /// `in_progress_expiration`.
    pub in_progress_expiry: String,
    /// `status`.
    pub status: String,
    /// `data`.
    pub data: String,
    /// `validation`.
    pub validation: String,
}

impl Default for Attributes {
    fn default() -> Self {
        Attributes {
            key: "id".to_owned(),
            expiry: "expiration".to_owned(),
            in_progress_expiry: "in_progress_expiration".to_owned(),
            status: "status".to_owned(),
            data: "data".to_owned(),
            validation: "validation".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn record(status: Status, expiration: u64, in_progress_expiration: Option<u64>) -> Record {
        Record {
            id: "f.m.g#0".to_owned(),
            status,
            expiration,
            in_progress_expiration,
            data: None,
            validation: None,
        }
    }

    #[test]
    fn now_is_read_in_seconds_and_milliseconds() {
        let now = Now::at(UNIX_EPOCH + Duration::from_millis(1_700_000_000_123));
        assert_eq!(
            now,
            Now {
                seconds: 1_700_000_000,
                millis: 1_700_000_000_123
            }
        );
    }

    #[test]
    fn a_record_may_be_replaced_when_expired_or_abandoned() {
        let now = Now {
            seconds: 100,
            millis: 100_000,
        };
        assert!(
            !record(Status::Completed, 100, None).may_be_replaced(now),
            "expires after this second"
        );
        assert!(record(Status::Completed, 99, None).may_be_replaced(now));
        assert!(
            !record(Status::InProgress, 200, None).may_be_replaced(now),
            "no in-progress expiry"
        );
        assert!(!record(Status::InProgress, 200, Some(100_000)).may_be_replaced(now));
        assert!(record(Status::InProgress, 200, Some(99_999)).may_be_replaced(now));
        assert!(
            !record(Status::Completed, 200, Some(1)).may_be_replaced(now),
            "only INPROGRESS is abandoned"
        );
    }

    #[test]
    fn statuses_are_powertools_words() {
        for status in [Status::InProgress, Status::Completed] {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("EXPIRED"), None);
    }
}
