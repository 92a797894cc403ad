//! Accounts around the sessions: signing up, logging in and out, changing the password,
//! deleting an account, and who the reader of a request is.
//!
//! Passwords are hashed on tokio's blocking pool, a few at a time
//! ([`crate::backend::auth::hashing`]). A failed login says the same thing, after about the
//! same time, whether the username exists or not. Every check of a password (logging in,
//! changing the password, deleting the account) is counted by the same throttle before it runs
//! ([`crate::backend::throttle`]), and sign-ups per address are limited.

use crate::backend::auth::password::{self, Verdict};
use crate::backend::auth::session::{self, Current};
use crate::backend::auth::{now, policy};
use crate::backend::state::AppState;
use crate::backend::store::accounts::{Account, CreateAccount};
use crate::backend::store::UserId;
use crate::backend::throttle::{
    sign_ups, Attempt, PASSWORD_ACCOUNT, PASSWORD_ADDRESS, PASSWORD_PAIR,
};
use crate::error::AppError;
use crate::types::Reader;

/// How long an anonymous reader's books are kept after their last session expired (a
/// session lives 30 days from its last use): a margin, since the library is out of reach
/// once the cookie is void.
pub const ANONYMOUS_GRACE_SECS: u64 = 7 * 24 * 60 * 60;

/// What one [`sweep`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Expired sessions.
    pub sessions: usize,
    /// Anonymous readers (with their books) past the grace period.
    pub anonymous_readers: usize,
    /// Throttle entries no rule needs any more.
    pub throttle_entries: usize,
}

/// Remove what has run out by `now` (Unix seconds): expired sessions, abandoned anonymous
/// readers, stale throttle counters. Blocking: run it off the async workers.
pub fn sweep(state: &AppState, now: u64) -> Result<Swept, AppError> {
    Ok(Swept {
        sessions: state.store.sweep_expired_sessions(now)?,
        anonymous_readers: state
            .store
            .sweep_abandoned_readers(now, ANONYMOUS_GRACE_SECS)?,
        throttle_entries: state.throttle.sweep()?,
    })
}

/// Count one password check of the account `name` (lowercased) from this request's address,
/// or refuse it: the pair (account, address) backs off first, so a stranger's guesses slow
/// the stranger, not the owner at another address.
fn count_guess(state: &AppState, name: &str) -> Result<Attempt, AppError> {
    let address = session::client_address(state);
    let pair = format!("{name}@{address}");
    state
        .throttle
        .attempt(&[
            (PASSWORD_PAIR, &pair),
            (PASSWORD_ACCOUNT, name),
            (PASSWORD_ADDRESS, &address),
        ])
        .map_err(|r| r.into_error("Too many failed attempts."))
}

/// Check `attempt` against the PHC string `phc` (or against nothing, for a name that has no
/// account), taking a hashing turn. A check that did not run (the server was busy) is
/// refunded; a wrong one stays counted.
async fn check_password(
    state: &AppState,
    counted: Attempt,
    attempt: String,
    phc: Option<String>,
) -> Result<Verdict, AppError> {
    let verdict = state
        .hashing
        .run(move || match phc {
            Some(phc) => password::verify(&attempt, &phc),
            None => {
                password::verify_nothing(&attempt);
                Ok(Verdict::Wrong)
            }
        })
        .await;
    match &verdict {
        Ok(Verdict::Wrong) => {}
        _ => state.throttle.refund(counted)?,
    }
    verdict
}

/// The reader summary of a user.
pub fn reader(state: &AppState, user: UserId) -> Result<Reader, AppError> {
    let account = state.store.account_of(user)?;
    let library = state.store.library_of(user)?;
    Ok(Reader {
        username: account.map(|a| a.username),
        ratings: library.iter().filter(|b| b.rating.is_some()).count() as u32,
        shelved: library
            .iter()
            .filter(|b| b.entry.is_some_and(|e| e.shelf.is_some()))
            .count() as u32,
    })
}

/// The reader of this request: an account, an anonymous reader with a library, or `None`.
pub fn current_reader(state: &AppState) -> Result<Option<Reader>, AppError> {
    match session::current(state)? {
        Some(current) => Ok(Some(reader(state, current.user())?)),
        None => Ok(None),
    }
}

/// The logged-in account, or 401.
pub fn account(state: &AppState) -> Result<(Current, Account), AppError> {
    let login = || AppError::Unauthorized("Please log in first.".into());
    let current = session::current(state)?.ok_or_else(login)?;
    if !current.session.account {
        return Err(login());
    }
    let account = state.store.account_of(current.user())?.ok_or_else(login)?;
    Ok((current, account))
}

/// If this request comes from an anonymous reader, move their library into `user` and
/// end the anonymous reader.
pub async fn adopt_anonymous(state: &AppState, user: UserId) -> Result<(), AppError> {
    let Some(current) = session::current(state)? else {
        return Ok(());
    };
    if current.session.account || current.user() == user {
        if current.session.account && current.user() != user {
            // Logging in as someone else: the old session ends here.
            state.store.revoke_session(&current.hash)?;
        }
        return Ok(());
    }
    let moved = state.store.merge_library(current.user(), user, now())?;
    state.store.delete_user(current.user())?;
    tracing::info!(user, moved, "anonymous library merged into account");
    Ok(())
}

/// Create an account (`username` and `password` already checked against the policy), adopt
/// the request's anonymous reader, and log in.
pub async fn sign_up(
    state: &AppState,
    username: String,
    password: String,
) -> Result<Reader, AppError> {
    let address = session::client_address(state);
    let _counted = state
        .throttle
        .attempt(&[(sign_ups(state.settings.limits.sign_ups_per_hour), &address)])
        .map_err(|r| r.into_error("Too many sign-ups from your network."))?;
    let phc = state.hashing.run(move || password::hash(&password)).await?;
    let user = match state.store.create_account(&username, &phc, now())? {
        CreateAccount::Created(user) => user,
        CreateAccount::Taken => {
            return Err(AppError::Conflict(format!(
                "The username \"{username}\" is taken; choose another."
            )))
        }
    };
    adopt_anonymous(state, user).await?;
    session::start(state, user, true)?;
    state.store.flush_async().await?;
    tracing::info!(user, "account created");
    reader(state, user)
}

/// Log in, throttled per (account, address), per account and per address. Wrong username and
/// wrong password get the same answer.
pub async fn log_in(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<Reader, AppError> {
    let wrong = || AppError::Unauthorized("Wrong username or password.".into());
    if password.chars().count() > policy::PASSWORD_MAX || username.chars().count() > 256 {
        return Err(wrong());
    }
    let name = username.trim().to_lowercase();
    let counted = count_guess(state, &name)?;
    let account = state.store.account(&name)?;
    let phc = account.as_ref().map(|a| a.password_hash.clone());
    let verdict = check_password(state, counted, password.clone(), phc).await?;
    let Some(account) = account.filter(|_| verdict != Verdict::Wrong) else {
        tracing::info!("login failed");
        return Err(wrong());
    };
    if verdict == Verdict::RightRehash {
        let phc = state.hashing.run(move || password::hash(&password)).await?;
        state.store.set_password_hash(&account.username, &phc)?;
    }
    adopt_anonymous(state, account.user).await?;
    session::start(state, account.user, true)?;
    state.store.flush_async().await?;
    reader(state, account.user)
}

/// End the request's session on the server and in the browser.
pub async fn log_out(state: &AppState) -> Result<(), AppError> {
    if let Some(current) = session::current(state)? {
        state.store.revoke_session(&current.hash)?;
        state.store.flush_async().await?;
    }
    session::clear_cookie(state);
    Ok(())
}

/// Change the logged-in account's password (`new` already checked against the policy); every
/// other session of the account ends.
pub async fn change_password(
    state: &AppState,
    current: String,
    new: String,
) -> Result<(), AppError> {
    let (session, account) = account(state)?;
    let wrong = || AppError::Unauthorized("Your current password is not right.".into());
    if current.chars().count() > policy::PASSWORD_MAX {
        return Err(wrong());
    }
    policy::validate_password(&new)?;
    let counted = count_guess(state, &account.username.to_lowercase())?;
    let phc = Some(account.password_hash.clone());
    if check_password(state, counted, current, phc).await? == Verdict::Wrong {
        return Err(wrong());
    }
    let phc = state.hashing.run(move || password::hash(&new)).await?;
    state.store.set_password_hash(&account.username, &phc)?;
    let ended = state
        .store
        .revoke_sessions_of(account.user, Some(&session.hash))?;
    state.store.flush_async().await?;
    tracing::info!(user = account.user, ended, "password changed");
    Ok(())
}

/// Delete the logged-in account with everything in it, once its password is given again.
pub async fn delete_account(state: &AppState, password: String) -> Result<(), AppError> {
    let (_, account) = account(state)?;
    let wrong = || AppError::Unauthorized("That password is not right.".into());
    if password.chars().count() > policy::PASSWORD_MAX {
        return Err(wrong());
    }
    let counted = count_guess(state, &account.username.to_lowercase())?;
    let phc = Some(account.password_hash.clone());
    if check_password(state, counted, password, phc).await? == Verdict::Wrong {
        return Err(wrong());
    }
    state.store.delete_user(account.user)?;
    state.store.flush_async().await?;
    session::clear_cookie(state);
    tracing::info!(user = account.user, "account deleted");
    Ok(())
}
