//! Throttles: how often one key (an account, a client address, or both) may try something.
//!
//! Two kinds of [`Limit`]:
//! - a [`Limit::Backoff`] for guesses (logins, and every other check of a password): a few free
//!   attempts, then waits doubling from 1 second up to a cap;
//! - a [`Limit::Quota`] for things that are fine now and then but not in bulk (accounts and
//!   anonymous readers created from one address): so many per window.
//!
//! An attempt is counted *before* the work it guards (a password check takes a quarter of a
//! second), in one step with the check that it may go ahead: a burst of parallel guesses cannot
//! all pass a check that has not yet seen any of them fail. A guess that turns out right is
//! [refunded](Throttle::refund): it no longer counts, but nothing else is forgiven, so a login
//! to an attacker's own account between guesses does not wipe the address's slate.
//!
//! The counters live in the store ([`crate::backend::store::throttle`]) so a restart forgets
//! nothing, and behind one lock so check-and-count is atomic within the process.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::backend::store::throttle::ThrottleEntry;
use crate::backend::store::{Store, StoreResult};

/// How a throttle key is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// `free` attempts, then each further one first waits 1 s, 2 s, 4 s… up to `max_wait`.
    /// The count starts afresh once `forget_after` passes without an attempt.
    Backoff {
        /// Attempts before any wait.
        free: u32,
        /// The longest wait.
        max_wait: Duration,
        /// Quiet time after which the key starts afresh.
        forget_after: Duration,
    },
    /// At most `per_window` attempts in a window that opens with the first of them.
    Quota {
        /// Attempts allowed per window.
        per_window: u32,
        /// The window's length.
        window: Duration,
    },
}

impl Limit {
    /// How long an entry of this limit stays of use after its last attempt.
    fn lifetime(&self) -> Duration {
        match *self {
            Limit::Backoff { forget_after, .. } => forget_after,
            Limit::Quota { window, .. } => window,
        }
    }
}

/// A rule: a name (the key's prefix in the store) and its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Prefix of this rule's keys.
    pub name: &'static str,
    /// The limit.
    pub limit: Limit,
}

/// Guesses at one account from one address: the tight limit, which is what stops a stranger
/// guessing while leaving the owner, from their own address, free to log in.
pub const PASSWORD_PAIR: Rule = Rule {
    name: "pw-pair",
    limit: Limit::Backoff {
        free: 5,
        max_wait: Duration::from_secs(15 * 60),
        forget_after: Duration::from_secs(60 * 60),
    },
};

/// Guesses at one account from anywhere: ten times looser than [`PASSWORD_PAIR`], so only an
/// attack spread over many addresses reaches it.
pub const PASSWORD_ACCOUNT: Rule = Rule {
    name: "pw-account",
    limit: Limit::Backoff {
        free: 50,
        max_wait: Duration::from_secs(15 * 60),
        forget_after: Duration::from_secs(60 * 60),
    },
};

/// Guesses from one address at any accounts (password spraying).
pub const PASSWORD_ADDRESS: Rule = Rule {
    name: "pw-address",
    limit: Limit::Backoff {
        free: 20,
        max_wait: Duration::from_secs(15 * 60),
        forget_after: Duration::from_secs(60 * 60),
    },
};

/// The window of the per-address quotas.
const HOUR: Duration = Duration::from_secs(60 * 60);

/// Sign-up attempts from one address per hour, taken names included (which also bounds how
/// fast names can be probed).
pub fn sign_ups(per_hour: u32) -> Rule {
    Rule {
        name: "signup",
        limit: Limit::Quota {
            per_window: per_hour,
            window: HOUR,
        },
    }
}

/// New anonymous readers (a first rating or shelving without an account) from one address
/// per hour.
pub fn anonymous_readers(per_hour: u32) -> Rule {
    Rule {
        name: "anonymous",
        limit: Limit::Quota {
            per_window: per_hour,
            window: HOUR,
        },
    }
}

/// Every rule's longest lifetime, for the sweep.
const LONGEST_LIFETIME: Duration = HOUR;

/// Where the throttle reads the time. The server uses the system clock; tests use a
/// [`ManualClock`], so a wait can end without the test sleeping through it.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Unix milliseconds now.
    fn now_ms(&self) -> u64;
}

/// The system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
}

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock(Mutex<u64>);

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock(Mutex::new(SystemClock.now_ms()))
    }
}

impl ManualClock {
    /// Move the clock forward.
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) += by.as_millis() as u64;
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Why an attempt may not go ahead.
#[derive(Debug)]
pub enum Refused {
    /// A key must wait this long.
    Wait(Duration),
    /// The store failed.
    Store(crate::backend::store::StoreError),
}

impl Refused {
    /// The reader-facing error: a 429 saying `what` happened and when to try again (or the
    /// store's failure).
    pub fn into_error(self, what: &str) -> crate::error::AppError {
        match self {
            Refused::Wait(wait) => crate::error::AppError::too_many(what, wait),
            Refused::Store(e) => e.into(),
        }
    }
}

impl From<crate::backend::store::StoreError> for Refused {
    fn from(e: crate::backend::store::StoreError) -> Self {
        Refused::Store(e)
    }
}

/// An attempt that was counted, to [refund](Throttle::refund) if it turns out well.
#[derive(Debug)]
#[must_use = "refund a counted attempt that succeeded, or drop it to keep it counted"]
pub struct Attempt {
    keys: Vec<(Rule, String)>,
}

/// The throttle: counters per key in the store, checked and counted under one lock.
pub struct Throttle {
    store: Store,
    clock: Arc<dyn Clock>,
    lock: Mutex<()>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl Throttle {
    /// A throttle over `store`'s counters, reading the time from `clock`.
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Throttle {
        Throttle {
            store,
            clock,
            lock: Mutex::new(()),
        }
    }

    /// Check every `(rule, subject)` and, if none has to wait, count one attempt against each.
    /// If any has to wait, nothing is counted (a refused attempt did no work) and the longest
    /// wait comes back.
    pub fn attempt(&self, keys: &[(Rule, &str)]) -> Result<Attempt, Refused> {
        let now = self.clock.now_ms();
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut next = Vec::with_capacity(keys.len());
        let mut wait = 0u64;
        for &(rule, subject) in keys {
            let key = format!("{}:{subject}", rule.name);
            let entry = self.store.throttle_entry(&key)?.unwrap_or_default();
            match count(rule.limit, entry, now) {
                Ok(entry) => next.push((key, entry)),
                Err(until) => wait = wait.max(until - now),
            }
        }
        if wait > 0 {
            return Err(Refused::Wait(Duration::from_millis(wait)));
        }
        for (key, entry) in &next {
            self.store.put_throttle_entry(key, entry)?;
        }
        Ok(Attempt {
            keys: keys
                .iter()
                .map(|&(rule, subject)| (rule, subject.to_string()))
                .collect(),
        })
    }

    /// Take back a counted attempt that succeeded (the right password): it no longer counts
    /// toward a wait. Earlier failures stay counted.
    pub fn refund(&self, attempt: Attempt) -> StoreResult<()> {
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        for (rule, subject) in &attempt.keys {
            let key = format!("{}:{subject}", rule.name);
            if let Some(mut entry) = self.store.throttle_entry(&key)? {
                entry.count = entry.count.saturating_sub(1);
                if let Limit::Backoff { free, .. } = rule.limit {
                    if entry.count < free {
                        entry.blocked_until = 0;
                    }
                }
                self.store.put_throttle_entry(&key, &entry)?;
            }
        }
        Ok(())
    }

    /// Remove entries no rule has a use for any more (quiet longer than the longest lifetime).
    pub fn sweep(&self) -> StoreResult<usize> {
        let now = self.clock.now_ms();
        let longest = [PASSWORD_PAIR, PASSWORD_ACCOUNT, PASSWORD_ADDRESS]
            .iter()
            .map(|r| r.limit.lifetime())
            .fold(LONGEST_LIFETIME, Duration::max);
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        self.store.sweep_throttle(|e| {
            now.saturating_sub(e.last.max(e.blocked_until)) > longest.as_millis() as u64
        })
    }
}

/// The entry after one more attempt at `now`, or `Err(until)` if the attempt must wait.
fn count(limit: Limit, mut entry: ThrottleEntry, now: u64) -> Result<ThrottleEntry, u64> {
    match limit {
        Limit::Backoff {
            free,
            max_wait,
            forget_after,
        } => {
            if entry.blocked_until > now {
                return Err(entry.blocked_until);
            }
            if now.saturating_sub(entry.last) >= forget_after.as_millis() as u64 {
                entry = ThrottleEntry {
                    first: now,
                    ..ThrottleEntry::default()
                };
            }
            entry.count += 1;
            entry.last = now;
            if entry.count >= free {
                let doublings = (entry.count - free).min(20);
                let wait = Duration::from_secs(1u64 << doublings).min(max_wait);
                entry.blocked_until = now + wait.as_millis() as u64;
            }
            Ok(entry)
        }
        Limit::Quota { per_window, window } => {
            let window = window.as_millis() as u64;
            if now.saturating_sub(entry.first) >= window {
                entry = ThrottleEntry {
                    first: now,
                    ..ThrottleEntry::default()
                };
            }
            if entry.count >= per_window {
                return Err(entry.first + window);
            }
            entry.count += 1;
            entry.last = now;
            Ok(entry)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> (tempfile::TempDir, Arc<ManualClock>, Throttle) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let clock = Arc::new(ManualClock::default());
        let t = Throttle::new(store, clock.clone());
        (dir, clock, t)
    }

    fn wait_of(r: Result<Attempt, Refused>) -> Duration {
        match r {
            Err(Refused::Wait(w)) => w,
            other => panic!("expected a wait, got {other:?}"),
        }
    }

    #[test]
    fn five_attempts_then_waits_that_double_and_are_capped() {
        let (_dir, clock, t) = throttle();
        for _ in 0..5 {
            let _counted = t.attempt(&[(PASSWORD_PAIR, "ann@1")]).unwrap();
        }
        let first = wait_of(t.attempt(&[(PASSWORD_PAIR, "ann@1")]));
        assert_eq!(first, Duration::from_secs(1));
        clock.advance(first);
        let _sixth = t.attempt(&[(PASSWORD_PAIR, "ann@1")]).unwrap();
        assert_eq!(
            wait_of(t.attempt(&[(PASSWORD_PAIR, "ann@1")])),
            Duration::from_secs(2)
        );
        for _ in 0..40 {
            clock.advance(Duration::from_secs(15 * 60));
            let _ = t.attempt(&[(PASSWORD_PAIR, "ann@1")]).unwrap();
        }
        assert_eq!(
            wait_of(t.attempt(&[(PASSWORD_PAIR, "ann@1")])),
            Duration::from_secs(15 * 60)
        );
        // Other keys are unaffected.
        assert!(t.attempt(&[(PASSWORD_PAIR, "ann@2")]).is_ok());
    }

    #[test]
    fn a_refused_attempt_counts_nowhere() {
        let (_dir, _clock, t) = throttle();
        for _ in 0..5 {
            let _ = t.attempt(&[(PASSWORD_PAIR, "ann@1")]).unwrap();
        }
        for _ in 0..10 {
            let _ = wait_of(t.attempt(&[(PASSWORD_PAIR, "ann@1"), (PASSWORD_ADDRESS, "1")]));
        }
        let entry = t.store.throttle_entry("pw-address:1").unwrap();
        assert_eq!(entry, None, "the address was charged for refused attempts");
    }

    #[test]
    fn a_refund_takes_back_one_attempt_and_forgives_nothing_else() {
        let (_dir, _clock, t) = throttle();
        for _ in 0..4 {
            let _ = t.attempt(&[(PASSWORD_ADDRESS, "1")]).unwrap();
        }
        // Right passwords, any number of them, are refunded one by one…
        for _ in 0..10 {
            let right = t.attempt(&[(PASSWORD_ADDRESS, "1")]).unwrap();
            t.refund(right).unwrap();
        }
        // …and the four wrong ones still count: sixteen more are free, then waits.
        for _ in 0..16 {
            let _ = t.attempt(&[(PASSWORD_ADDRESS, "1")]).unwrap();
        }
        let _ = wait_of(t.attempt(&[(PASSWORD_ADDRESS, "1")]));
    }

    #[test]
    fn quiet_keys_start_afresh() {
        let (_dir, clock, t) = throttle();
        for _ in 0..4 {
            let _ = t.attempt(&[(PASSWORD_PAIR, "ann@1")]).unwrap();
        }
        clock.advance(Duration::from_secs(60 * 60));
        // Without forgetting, this would be the fifth in a row and start a wait.
        let _ = t.attempt(&[(PASSWORD_PAIR, "ann@1")]).unwrap();
        let _ = t.attempt(&[(PASSWORD_PAIR, "ann@1")]).unwrap();
    }

    #[test]
    fn a_quota_allows_so_many_per_window() {
        let (_dir, clock, t) = throttle();
        for _ in 0..10 {
            let _ = t.attempt(&[(sign_ups(10), "1")]).unwrap();
        }
        let wait = wait_of(t.attempt(&[(sign_ups(10), "1")]));
        assert_eq!(wait, Duration::from_secs(60 * 60));
        clock.advance(wait - Duration::from_secs(1));
        let _ = wait_of(t.attempt(&[(sign_ups(10), "1")]));
        clock.advance(Duration::from_secs(1));
        let _ = t.attempt(&[(sign_ups(10), "1")]).unwrap();
    }

    #[test]
    fn counts_survive_reopening_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::default());
        {
            let t = Throttle::new(Store::open(dir.path(), 1 << 20).unwrap(), clock.clone());
            for _ in 0..5 {
                let _ = t.attempt(&[(PASSWORD_PAIR, "ann@1")]).unwrap();
            }
            t.store.flush().unwrap();
        }
        let t = Throttle::new(Store::open(dir.path(), 1 << 20).unwrap(), clock);
        let _ = wait_of(t.attempt(&[(PASSWORD_PAIR, "ann@1")]));
    }

    #[test]
    fn the_sweep_removes_only_what_no_rule_needs() {
        let (_dir, clock, t) = throttle();
        let _ = t.attempt(&[(PASSWORD_PAIR, "old")]).unwrap();
        clock.advance(Duration::from_secs(2 * 60 * 60));
        let _ = t.attempt(&[(PASSWORD_PAIR, "new")]).unwrap();
        assert_eq!(t.sweep().unwrap(), 1);
        assert!(t.store.throttle_entry("pw-pair:new").unwrap().is_some());
    }
}
