//! Login throttling: after 5 failures in a row for one key (an account, or a client address),
//! further attempts wait, doubling from 1 second up to 15 minutes. In memory: a restart forgets
//! it, which costs an attacker a restart they cannot cause.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failures allowed before attempts have to wait.
pub const FREE_FAILURES: u32 = 5;
/// The longest wait.
pub const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// A key whose last failure is older than this starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// Bound on remembered keys; beyond it the stale ones are swept.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
    blocked_until: Option<Instant>,
}

/// Where the throttle reads the time. The server uses the system's monotonic clock; tests use
/// a [`ManualClock`], so a wait can end without the test sleeping through it.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now.
    fn now(&self) -> Instant;
}

/// The system's monotonic clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock(Mutex<Instant>);

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock(Mutex::new(Instant::now()))
    }
}

impl ManualClock {
    /// Move the clock forward.
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Failure counts per key.
#[derive(Debug)]
pub struct Throttle {
    entries: Mutex<HashMap<String, Entry>>,
    clock: Arc<dyn Clock>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::with_clock(Arc::new(SystemClock))
    }
}

impl Throttle {
    /// A throttle that reads the time from `clock`.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Throttle {
        Throttle {
            entries: Mutex::new(HashMap::new()),
            clock,
        }
    }

    /// `Err(wait)` if `key` must wait before its next attempt.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let now = self.clock.now();
        let entries = self.lock();
        match entries.get(key).and_then(|e| e.blocked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Record a failed attempt of `key`.
    pub fn fail(&self, key: &str) {
        let now = self.clock.now();
        let mut entries = self.lock();
        if entries.len() >= MAX_KEYS {
            entries.retain(|_, e| now.duration_since(e.last) < FORGET_AFTER);
        }
        let entry = entries.entry(key.to_string()).or_insert(Entry {
            failures: 0,
            last: now,
            blocked_until: None,
        });
        if now.duration_since(entry.last) >= FORGET_AFTER {
            entry.failures = 0;
        }
        entry.failures += 1;
        entry.last = now;
        if entry.failures >= FREE_FAILURES {
            let doublings = (entry.failures - FREE_FAILURES).min(20);
            let wait = Duration::from_secs(1u64 << doublings).min(MAX_WAIT);
            entry.blocked_until = Some(now + wait);
        }
    }

    /// A successful attempt clears `key`'s failures.
    pub fn succeed(&self, key: &str) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock leaves plain counters behind: still usable.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_then_waits_that_double() {
        let t = Throttle::default();
        for _ in 0..FREE_FAILURES - 1 {
            t.fail("u:ann");
            assert!(t.check("u:ann").is_ok());
        }
        t.fail("u:ann");
        let first = t.check("u:ann").unwrap_err();
        assert!(first <= Duration::from_secs(1) && first > Duration::ZERO);
        t.fail("u:ann");
        let second = t.check("u:ann").unwrap_err();
        assert!(second > Duration::from_secs(1) && second <= Duration::from_secs(2));
        // Other keys are unaffected; success clears.
        assert!(t.check("u:bob").is_ok());
        t.succeed("u:ann");
        assert!(t.check("u:ann").is_ok());
    }

    #[test]
    fn waits_are_capped() {
        let t = Throttle::default();
        for _ in 0..100 {
            t.fail("ip:1.2.3.4");
        }
        assert!(t.check("ip:1.2.3.4").unwrap_err() <= MAX_WAIT);
    }

    #[test]
    fn a_wait_ends_when_its_time_has_passed() {
        let clock = Arc::new(ManualClock::default());
        let t = Throttle::with_clock(clock.clone());
        for _ in 0..FREE_FAILURES {
            t.fail("u:ann");
        }
        let wait = t.check("u:ann").unwrap_err();
        clock.advance(wait - Duration::from_millis(1));
        assert!(t.check("u:ann").is_err());
        clock.advance(Duration::from_millis(1));
        assert!(t.check("u:ann").is_ok());
    }

    #[test]
    fn failures_older_than_an_hour_are_forgotten() {
        let clock = Arc::new(ManualClock::default());
        let t = Throttle::with_clock(clock.clone());
        for _ in 0..FREE_FAILURES - 1 {
            t.fail("u:ann");
        }
        clock.advance(FORGET_AFTER);
        // Without forgetting, this would be the fifth failure in a row and start a wait.
        t.fail("u:ann");
        assert!(t.check("u:ann").is_ok());
    }
}
