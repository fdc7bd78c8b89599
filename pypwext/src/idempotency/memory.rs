//! The in-memory store: one process's records, for tests and local runs.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use super::record::{Now, Record};
use super::store::{Claim, Store, StoreFuture};

/// Records in this process's memory, behind one lock: the conditional write
/// is atomic as DynamoDB's is. Not shared between processes or Lambda
/// execution environments: for tests and local runs.
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: Mutex<HashMap<String, Record>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<String, Record>> {
        // A panic elsewhere while the lock was held left the map whole.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `record` as it is, replacing any: for tests that set up a
    /// record another process would have left.
    pub fn insert(&self, record: Record) {
        self.records().insert(record.id.clone(), record);
    }
}

impl Store for MemoryStore {
    fn describe(&self) -> String {
        "the in-memory store".to_owned()
    }

    fn put_in_progress<'a>(&'a self, record: &'a Record, now: Now) -> StoreFuture<'a, Claim> {
        let mut records = self.records();
        let claim = match records.get(&record.id) {
            Some(existing) if !existing.may_be_replaced(now) => Claim::Exists(Some(existing.clone())),
            _ => {
                records.insert(record.id.clone(), record.clone());
                Claim::Written
            }
        };
        Box::pin(std::future::ready(Ok(claim)))
    }

    fn complete<'a>(&'a self, record: &'a Record) -> StoreFuture<'a, ()> {
        self.insert(record.clone());
        Box::pin(std::future::ready(Ok(())))
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        self.records().remove(id);
        Box::pin(std::future::ready(Ok(())))
    }

    fn get<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Record>> {
        let record = self.records().get(id).cloned();
        Box::pin(std::future::ready(Ok(record)))
    }
}
