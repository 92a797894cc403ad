//! Whose ratings count for everyone: the popularity ranking and the collaborative models are
//! built from the dataset's readers and from accounts that have existed a while, never from
//! readers who appeared moments ago.
//!
//! Every reader's own ratings shape their own lists at once (fold-in reads their library);
//! what waits is their weight in what *other* readers see. So a script that makes a thousand
//! readers (anonymous, or fresh accounts) to rate one book moves nothing anyone else sees:
//!
//! - an anonymous reader's ratings never count for others; once the reader signs up they
//!   become the account's, and count when the account does;
//! - an account's ratings count once it is [`ESTABLISHED_AFTER_SECS`] old, at the next
//!   training (and, for popularity, the next start);
//! - the per-address limits on sign-ups and anonymous readers
//!   ([`crate::backend::throttle`]) bound how many accounts a script can age.
//!
//! `docs/security.md` says what this does not stop: an attacker who holds many accounts on
//! many addresses for a week.

use std::collections::HashSet;

use super::accounts::Account;
use super::{decode, decode_u32, Store, StoreResult, UserId};

/// How old an account must be before its ratings count for other readers.
pub const ESTABLISHED_AFTER_SECS: u64 = 7 * 24 * 60 * 60;

impl Store {
    /// Readers whose ratings count only for themselves at `now` (Unix seconds): anonymous
    /// readers, and accounts younger than [`ESTABLISHED_AFTER_SECS`].
    pub fn unestablished_readers(&self, now: u64) -> StoreResult<HashSet<UserId>> {
        let mut readers = HashSet::new();
        for kv in self.user_keys.scan_prefix(b"anon:") {
            let (_, user) = kv?;
            readers.insert(decode_u32(&user, "user_keys")?);
        }
        for kv in self.accounts.iter() {
            let (_, value) = kv?;
            let account: Account = decode(&value)?;
            if now.saturating_sub(account.created) < ESTABLISHED_AFTER_SECS {
                readers.insert(account.user);
            }
        }
        Ok(readers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_readers_and_young_accounts_do_not_count_yet() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let dataset = store
            .upsert_user(&super::super::UserRecord {
                key: "bx:1".into(),
                location: String::new(),
                age: None,
            })
            .unwrap();
        let anonymous = store.create_anonymous_user("k").unwrap();
        let now = 1_000_000_000;
        let created = |name, at| match store.create_account(name, "phc", at).unwrap() {
            super::super::accounts::CreateAccount::Created(u) => u,
            other => panic!("{other:?}"),
        };
        let young = created("young", now - ESTABLISHED_AFTER_SECS + 1);
        let old = created("old", now - ESTABLISHED_AFTER_SECS);
        let uncounted = store.unestablished_readers(now).unwrap();
        assert_eq!(uncounted, HashSet::from([anonymous, young]));
        assert!(!uncounted.contains(&dataset) && !uncounted.contains(&old));
    }
}
