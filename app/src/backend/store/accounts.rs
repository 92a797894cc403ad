//! Accounts and server-side sessions.
//!
//! | tree               | key                          | value                    |
//! |--------------------|------------------------------|--------------------------|
//! | `accounts`         | lowercased username          | postcard [`Account`]     |
//! | `sessions`         | SHA-256 of the session token | postcard [`Session`]     |
//! | `user_sessions`    | user id, token hash          | empty (for revoke-all)   |
//! | `abandoned`        | user id                      | Unix seconds first seen  |
//!
//! Only a hash of each token is stored, so a copy of the database does not hand out live
//! sessions. Every account is also a user (`users` tree, key `acct:<name>`); an anonymous
//! reader is a user with key `anon:<random>` and a session but no account.

use serde::{Deserialize, Serialize};
use sled::transaction::ConflictableTransactionError;
use sled::Transactional;

use super::{decode, decode_u32, Store, StoreError, StoreResult, UserId, UserRecord};

/// An account: the login name and the password's PHC string (argon2id with its parameters, so
/// they can be raised later and old hashes still verify).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The user this account is.
    pub user: UserId,
    /// The username as the reader typed it at sign-up.
    pub username: String,
    /// `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
    pub password_hash: String,
    /// Unix seconds of sign-up.
    pub created: u64,
}

/// A live session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Whose.
    pub user: UserId,
    /// Unix seconds after which it is void (sliding: renewed as it is used).
    pub expires: u64,
    /// Whether the user is an account (else an anonymous reader).
    pub account: bool,
}

/// Why an account could not be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateAccount {
    /// Created with this user id.
    Created(UserId),
    /// The username (case-insensitively) is taken.
    Taken,
}

impl Store {
    /// Create an account (and its user) unless the name is taken; atomic, so two sign-ups
    /// racing for one name cannot both win.
    pub fn create_account(
        &self,
        username: &str,
        password_hash: &str,
        now: u64,
    ) -> StoreResult<CreateAccount> {
        let name = username.to_lowercase();
        if self.accounts.contains_key(name.as_bytes())? {
            return Ok(CreateAccount::Taken);
        }
        let user = self.next_id(super::NEXT_USER_ID)?;
        let record = postcard::to_stdvec(&UserRecord {
            key: format!("acct:{name}"),
            location: String::new(),
            age: None,
        })?;
        let account = postcard::to_stdvec(&Account {
            user,
            username: username.to_string(),
            password_hash: password_hash.to_string(),
            created: now,
        })?;
        let _only_writer = self.begin_write()?;
        let created = (&self.accounts, &self.users, &self.user_keys).transaction(
            |(accounts, users, user_keys)| {
                if accounts.get(name.as_bytes())?.is_some() {
                    return Ok(false);
                }
                accounts.insert(name.as_bytes(), account.clone())?;
                users.insert(&user.to_be_bytes()[..], record.clone())?;
                user_keys.insert(format!("acct:{name}").as_bytes(), &user.to_be_bytes()[..])?;
                Ok::<_, ConflictableTransactionError<StoreError>>(true)
            },
        )?;
        Ok(if created {
            CreateAccount::Created(user)
        } else {
            CreateAccount::Taken
        })
    }

    /// The account with this username (case-insensitive).
    pub fn account(&self, username: &str) -> StoreResult<Option<Account>> {
        self.accounts
            .get(username.to_lowercase().as_bytes())?
            .map(|v| decode(&v))
            .transpose()
    }

    /// The account of a user, if the user has one.
    pub fn account_of(&self, user: UserId) -> StoreResult<Option<Account>> {
        let Some(record) = self.user(user)? else {
            return Ok(None);
        };
        match record.key.strip_prefix("acct:") {
            Some(name) => self.account(name),
            None => Ok(None),
        }
    }

    /// Replace an account's password hash (password change, or a rehash at new parameters).
    pub fn set_password_hash(&self, username: &str, password_hash: &str) -> StoreResult<()> {
        let name = username.to_lowercase();
        let Some(mut account) = self.account(&name)? else {
            return Ok(());
        };
        account.password_hash = password_hash.to_string();
        self.accounts
            .insert(name.as_bytes(), postcard::to_stdvec(&account)?)?;
        Ok(())
    }

    /// Create an anonymous reader (a user without an account).
    pub fn create_anonymous_user(&self, random_key: &str) -> StoreResult<UserId> {
        self.upsert_user(&UserRecord {
            key: format!("anon:{random_key}"),
            location: String::new(),
            age: None,
        })
    }

    /// Store a session under its token's hash.
    pub fn put_session(&self, token_hash: &[u8; 32], session: &Session) -> StoreResult<()> {
        let value = postcard::to_stdvec(session)?;
        let index = user_session_key(session.user, token_hash);
        let _only_writer = self.begin_write()?;
        (&self.sessions, &self.user_sessions)
            .transaction(|(sessions, by_user)| {
                sessions.insert(&token_hash[..], value.clone())?;
                by_user.insert(&index[..], &[][..])?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(StoreError::from)
    }

    /// The session with this token hash, if it exists and has not expired at `now`.
    pub fn session(&self, token_hash: &[u8; 32], now: u64) -> StoreResult<Option<Session>> {
        let Some(v) = self.sessions.get(token_hash)? else {
            return Ok(None);
        };
        let session: Session = decode(&v)?;
        if session.expires <= now {
            self.remove_session(token_hash, session.user)?;
            return Ok(None);
        }
        Ok(Some(session))
    }

    /// End one session (log out).
    pub fn revoke_session(&self, token_hash: &[u8; 32]) -> StoreResult<()> {
        let Some(v) = self.sessions.get(token_hash)? else {
            return Ok(());
        };
        let session: Session = decode(&v)?;
        self.remove_session(token_hash, session.user)
    }

    /// Remove a session of `user` and its index entry, in one transaction.
    fn remove_session(&self, token_hash: &[u8; 32], user: UserId) -> StoreResult<()> {
        let index = user_session_key(user, token_hash);
        let _only_writer = self.lock_writes();
        (&self.sessions, &self.user_sessions)
            .transaction(|(sessions, by_user)| {
                sessions.remove(&token_hash[..])?;
                by_user.remove(&index[..])?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(StoreError::from)
    }

    /// End every session of a user (password change, account deletion), optionally keeping
    /// one (the session that changed the password stays logged in).
    pub fn revoke_sessions_of(&self, user: UserId, keep: Option<&[u8; 32]>) -> StoreResult<usize> {
        let mut hashes = Vec::new();
        for kv in self.user_sessions.scan_prefix(user.to_be_bytes()) {
            let (k, _) = kv?;
            let hash = token_hash(k.get(4..).unwrap_or_default(), "user_sessions")?;
            if Some(&hash) != keep {
                hashes.push(hash);
            }
        }
        for hash in &hashes {
            self.revoke_session(hash)?;
        }
        Ok(hashes.len())
    }

    /// Delete a user and everything of theirs: account, sessions, ratings, shelves, notes,
    /// goals, the last import's summary. The library goes in one transaction, so the reader's
    /// data is either all there or all gone.
    pub fn delete_user(&self, user: UserId) -> StoreResult<()> {
        let books = self.library_of(user)?;
        let changes: Vec<super::library::Change> = books
            .iter()
            .map(|b| super::library::Change {
                book: b.book,
                rating: Some(None),
                shelf: Some(None),
            })
            .collect();
        self.apply_changes(user, &changes, 0)?;
        self.forget_reader_meta(user)?;
        self.revoke_sessions_of(user, None)?;
        if let Some(record) = self.user(user)? {
            let name = record.key.strip_prefix("acct:").map(str::to_string);
            let _only_writer = self.lock_writes();
            (&self.users, &self.user_keys, &self.accounts)
                .transaction(|(users, user_keys, accounts)| {
                    users.remove(&user.to_be_bytes()[..])?;
                    user_keys.remove(record.key.as_bytes())?;
                    if let Some(name) = &name {
                        accounts.remove(name.as_bytes())?;
                    }
                    Ok::<_, ConflictableTransactionError<StoreError>>(())
                })
                .map_err(StoreError::from)?;
        }
        Ok(())
    }

    /// Remove every session that expired by `now` (with its index entry) and say how many.
    /// An expired session is otherwise removed only when its cookie comes back, and most
    /// anonymous readers never come back: without a sweep their sessions stay for good.
    pub fn sweep_expired_sessions(&self, now: u64) -> StoreResult<usize> {
        let mut expired = Vec::new();
        for kv in self.sessions.iter() {
            let (hash, value) = kv?;
            let session: Session = decode(&value)?;
            if session.expires <= now {
                expired.push((token_hash(&hash, "sessions")?, session.user));
            }
        }
        // An expired session cannot be renewed meanwhile (a lookup refuses it first), so
        // removing it after the scan cannot end a live one.
        for (hash, user) in &expired {
            self.remove_session(hash, *user)?;
        }
        Ok(expired.len())
    }

    /// Delete anonymous readers who have had no session for `grace` seconds, with their
    /// books; returns how many went.
    ///
    /// An anonymous reader's only way back to their library is their session cookie, so once
    /// every session has expired (and been swept) the library is out of reach. Each sweep
    /// notes in `abandoned` when it first found such a reader and deletes them `grace` later;
    /// a reader seen with a session again is taken off the list.
    pub fn sweep_abandoned_readers(&self, now: u64, grace: u64) -> StoreResult<usize> {
        let mut deleted = 0;
        for kv in self.user_keys.scan_prefix(b"anon:") {
            let (_, user) = kv?;
            let user = decode_u32(&user, "user_keys")?;
            let key = user.to_be_bytes();
            if self.user_sessions.scan_prefix(key).next().is_some() {
                self.abandoned.remove(key)?;
                continue;
            }
            match self.abandoned.get(key)? {
                None => {
                    self.abandoned.insert(key, &now.to_be_bytes())?;
                }
                Some(seen) => {
                    let seen = <[u8; 8]>::try_from(&seen[..])
                        .map(u64::from_be_bytes)
                        .map_err(|_| StoreError::Corrupt { tree: "abandoned" })?;
                    if now.saturating_sub(seen) >= grace {
                        self.delete_user(user)?;
                        self.abandoned.remove(key)?;
                        deleted += 1;
                    }
                }
            }
        }
        // Readers merged into an account or deleted meanwhile leave their mark behind.
        for kv in self.abandoned.iter() {
            let (key, _) = kv?;
            if self.users.get(&key)?.is_none() {
                self.abandoned.remove(key)?;
            }
        }
        Ok(deleted)
    }

    /// Number of live (not yet swept) sessions.
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// The user id stored under a `user_keys` key (e.g. `acct:alice`).
    pub fn user_by_key(&self, key: &str) -> StoreResult<Option<UserId>> {
        self.user_keys
            .get(key.as_bytes())?
            .map(|v| decode_u32(&v, "user_keys"))
            .transpose()
    }
}

/// A session token's hash as stored in a key of `tree`.
fn token_hash(bytes: &[u8], tree: &'static str) -> StoreResult<[u8; 32]> {
    bytes.try_into().map_err(|_| StoreError::Corrupt { tree })
}

fn user_session_key(user: UserId, token_hash: &[u8; 32]) -> [u8; 36] {
    let mut k = [0u8; 36];
    k[..4].copy_from_slice(&user.to_be_bytes());
    k[4..].copy_from_slice(token_hash);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_removes_expired_sessions_and_keeps_live_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let reader = store.create_anonymous_user("k1").unwrap();
        let other = store.create_anonymous_user("k2").unwrap();
        let session = |user, expires| Session {
            user,
            expires,
            account: false,
        };
        store.put_session(&[1; 32], &session(reader, 100)).unwrap();
        store.put_session(&[2; 32], &session(reader, 300)).unwrap();
        store.put_session(&[3; 32], &session(other, 200)).unwrap();

        assert_eq!(store.sweep_expired_sessions(200).unwrap(), 2);
        assert_eq!(store.session_count(), 1);
        assert_eq!(
            store.session(&[2; 32], 200).unwrap(),
            Some(session(reader, 300))
        );
        // The per-user index went with them: revoking all of the reader's sessions finds
        // only the live one, and the other reader has none left.
        assert_eq!(store.revoke_sessions_of(reader, None).unwrap(), 1);
        assert_eq!(store.revoke_sessions_of(other, None).unwrap(), 0);
        assert_eq!(store.sweep_expired_sessions(1_000).unwrap(), 0);
    }

    #[test]
    fn anonymous_readers_without_sessions_go_after_the_grace_period() {
        use engine::records::Rating;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let gone = store.create_anonymous_user("gone").unwrap();
        let live = store.create_anonymous_user("live").unwrap();
        let account = match store.create_account("ann", "phc", 0).unwrap() {
            CreateAccount::Created(u) => u,
            other => panic!("{other:?}"),
        };
        for user in [gone, live, account] {
            store.put_rating(user, 7, Rating::new(8).unwrap()).unwrap();
        }
        let session = |user, expires, account| Session {
            user,
            expires,
            account,
        };
        store
            .put_session(&[1; 32], &session(gone, 100, false))
            .unwrap();
        store
            .put_session(&[2; 32], &session(live, 10_000, false))
            .unwrap();
        store.sweep_expired_sessions(200).unwrap();

        // First seen without a session at 200; still there within the grace period.
        assert_eq!(store.sweep_abandoned_readers(200, 1_000).unwrap(), 0);
        assert_eq!(store.sweep_abandoned_readers(1_199, 1_000).unwrap(), 0);
        assert_eq!(store.ratings_of_user(gone).unwrap().len(), 1);
        assert_eq!(store.sweep_abandoned_readers(1_200, 1_000).unwrap(), 1);
        assert!(store.user(gone).unwrap().is_none());
        assert!(store.ratings_of_user(gone).unwrap().is_empty());
        assert!(store
            .ratings_of_book(7)
            .unwrap()
            .iter()
            .all(|&(u, _)| u != gone));
        // A reader with a live session and an account (no session at all) stay.
        assert_eq!(store.sweep_abandoned_readers(99_999, 1_000).unwrap(), 0);
        assert_eq!(store.ratings_of_user(live).unwrap().len(), 1);
        assert_eq!(store.ratings_of_user(account).unwrap().len(), 1);
    }
}
