//! The optional local cache: the most recently used `COMPLETED` records of
//! this process, so a repeat within one execution environment costs no
//! round trip. It never holds an `INPROGRESS` record (another process may
//! complete or delete it), and an expired record counts as absent.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use super::record::{Now, Record, Status};

/// At most `capacity` completed records, least recently used dropped first.
#[derive(Debug)]
pub(crate) struct LocalCache {
    capacity: usize,
    // Most recently used last. A linear scan: the capacity is a few hundred
    // at most, and a lookup is far below a store's round trip.
    records: Mutex<VecDeque<Record>>,
}

impl LocalCache {
    pub(crate) fn new(capacity: usize) -> Self {
        LocalCache {
            capacity,
            records: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
        }
    }

    fn records(&self) -> std::sync::MutexGuard<'_, VecDeque<Record>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The completed record `id`, unless absent or expired at `now`.
    pub(crate) fn get(&self, id: &str, now: Now) -> Option<Record> {
        let mut records = self.records();
        let index = records.iter().position(|record| record.id == id)?;
        let record = records.remove(index)?;
        if record.is_expired(now) {
            return None;
        }
        records.push_back(record.clone());
        Some(record)
    }

    /// Keeps `record` if it is `COMPLETED`.
    pub(crate) fn put(&self, record: &Record) {
        if record.status != Status::Completed || self.capacity == 0 {
            return;
        }
        let mut records = self.records();
        records.retain(|kept| kept.id != record.id);
        if records.len() == self.capacity {
            records.pop_front();
        }
        records.push_back(record.clone());
    }

    pub(crate) fn remove(&self, id: &str) {
        self.records().retain(|kept| kept.id != id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, status: Status, expiration: u64) -> Record {
        Record {
            id: id.to_owned(),
            status,
            expiration,
            in_progress_expiration: None,
            data: Some("1".to_owned()),
            validation: None,
        }
    }

    const NOW: Now = Now {
        seconds: 100,
        millis: 100_000,
    };

    #[test]
    fn never_holds_an_in_progress_record() {
        let cache = LocalCache::new(4);
        cache.put(&record("a", Status::InProgress, 200));
        assert_eq!(cache.get("a", NOW), None);
    }

    #[test]
    fn an_expired_record_is_absent_and_dropped() {
        let cache = LocalCache::new(4);
        cache.put(&record("a", Status::Completed, 99));
        assert_eq!(cache.get("a", NOW), None);
        assert!(cache.records().is_empty());
    }

    #[test]
    fn the_least_recently_used_goes_first() {
        let cache = LocalCache::new(2);
        cache.put(&record("a", Status::Completed, 200));
        cache.put(&record("b", Status::Completed, 200));
        assert!(cache.get("a", NOW).is_some(), "a is now the most recent");
        cache.put(&record("c", Status::Completed, 200));
        assert!(cache.get("b", NOW).is_none());
        assert!(cache.get("a", NOW).is_some() && cache.get("c", NOW).is_some());
        cache.remove("a");
        assert!(cache.get("a", NOW).is_none());
    }
}
