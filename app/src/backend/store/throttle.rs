//! Throttle counters, so a restart does not wipe an attacker's slate.
//!
//! | tree       | key                                   | value                      |
//! |------------|---------------------------------------|----------------------------|
//! | `throttle` | rule and subject (`login-pair:ann@…`) | postcard [`ThrottleEntry`] |
//!
//! The logic that reads and writes these lives in [`crate::backend::throttle`]; the store only
//! keeps the records.

use serde::{Deserialize, Serialize};

use super::{decode, Store, StoreResult};

/// What one throttle key has done lately. Times are Unix milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottleEntry {
    /// Attempts counted (and not refunded) since the entry started.
    pub count: u32,
    /// When the entry started (a quota's window opens here).
    pub first: u64,
    /// The latest counted attempt.
    pub last: u64,
    /// No attempt is allowed before this.
    pub blocked_until: u64,
}

impl Store {
    /// The throttle entry under `key`.
    pub fn throttle_entry(&self, key: &str) -> StoreResult<Option<ThrottleEntry>> {
        self.throttle
            .get(key.as_bytes())?
            .map(|v| decode(&v))
            .transpose()
    }

    /// Replace the throttle entry under `key`.
    pub fn put_throttle_entry(&self, key: &str, entry: &ThrottleEntry) -> StoreResult<()> {
        self.throttle
            .insert(key.as_bytes(), postcard::to_stdvec(entry)?)?;
        Ok(())
    }

    /// Remove the throttle entries `stale` says are of no more use; returns how many went.
    pub fn sweep_throttle(&self, stale: impl Fn(&ThrottleEntry) -> bool) -> StoreResult<usize> {
        let mut gone = Vec::new();
        for kv in self.throttle.iter() {
            let (key, value) = kv?;
            if stale(&decode(&value)?) {
                gone.push(key);
            }
        }
        for key in &gone {
            self.throttle.remove(key)?;
        }
        Ok(gone.len())
    }
}
