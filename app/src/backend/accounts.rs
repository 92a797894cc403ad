//! Accounts around the sessions: signing up, logging in and out, changing the password,
//! deleting an account, and who the reader of a request is.
//!
//! Passwords are hashed on tokio's blocking pool. A failed login says the same thing, after
//! about the same time, whether the username exists or not; attempts are throttled per
//! account and per client address ([`crate::backend::throttle`]).

use crate::backend::auth::password::{self, Verdict};
use crate::backend::auth::session::{self, Current};
use crate::backend::auth::{now, policy};
use crate::backend::state::AppState;
use crate::backend::store::accounts::{Account, CreateAccount};
use crate::backend::store::UserId;
use crate::error::AppError;
use crate::types::Reader;

/// Run CPU-heavy work (password hashing) on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await?
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
    let phc = blocking(move || password::hash(&password)).await?;
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

/// Log in, throttled per account and per address. Wrong username and wrong password get the
/// same answer.
pub async fn log_in(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<Reader, AppError> {
    let wrong = || AppError::Unauthorized("Wrong username or password.".into());
    if password.chars().count() > policy::PASSWORD_MAX || username.chars().count() > 256 {
        return Err(wrong());
    }
    let name_key = format!("u:{}", username.trim().to_lowercase());
    let addr_key = format!("ip:{}", session::client_address(state));
    for key in [&name_key, &addr_key] {
        if let Err(wait) = state.throttle.check(key) {
            return Err(AppError::TooManyRequests(format!(
                "Too many failed attempts. Try again in {} seconds.",
                wait.as_secs().max(1)
            )));
        }
    }
    let account = state.store.account(username.trim())?;
    let attempt = password.clone();
    let verdict = match &account {
        Some(a) => {
            let phc = a.password_hash.clone();
            blocking(move || password::verify(&attempt, &phc)).await?
        }
        None => {
            blocking(move || {
                password::verify_nothing(&attempt);
                Ok(Verdict::Wrong)
            })
            .await?
        }
    };
    let Some(account) = account.filter(|_| verdict != Verdict::Wrong) else {
        state.throttle.fail(&name_key);
        state.throttle.fail(&addr_key);
        tracing::info!("login failed");
        return Err(wrong());
    };
    state.throttle.succeed(&name_key);
    state.throttle.succeed(&addr_key);
    if verdict == Verdict::RightRehash {
        let phc = blocking(move || password::hash(&password)).await?;
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
    let phc = account.password_hash.clone();
    if blocking(move || password::verify(&current, &phc)).await? == Verdict::Wrong {
        return Err(wrong());
    }
    let phc = blocking(move || password::hash(&new)).await?;
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
    let phc = account.password_hash.clone();
    let wrong = || AppError::Unauthorized("That password is not right.".into());
    if password.chars().count() > policy::PASSWORD_MAX {
        return Err(wrong());
    }
    if blocking(move || password::verify(&password, &phc)).await? == Verdict::Wrong {
        return Err(wrong());
    }
    state.store.delete_user(account.user)?;
    state.store.flush_async().await?;
    session::clear_cookie(state);
    tracing::info!(user = account.user, "account deleted");
    Ok(())
}
