//! Account server functions: sign up, log in, log out, who am I, change password, delete.
//!
//! Passwords are hashed on tokio's blocking pool. A failed login says the same thing, after
//! about the same time, whether the username exists or not; attempts are throttled per
//! account and per client address.

use leptos::prelude::*;

use crate::error::AppError;
use crate::models::Reader;

/// The reader of this request: an account, an anonymous reader with a library, or `None`.
#[server(endpoint = "current_reader")]
pub async fn current_reader() -> Result<Option<Reader>, AppError> {
    use crate::state::app_state;
    let state = app_state()?;
    match crate::auth::session::current(&state)? {
        Some(current) => Ok(Some(ssr::reader(&state, current.user())?)),
        None => Ok(None),
    }
}

/// Create an account and log in. An anonymous reader's ratings and shelves move into it.
#[server(endpoint = "signup")]
pub async fn signup(username: String, password: String) -> Result<Reader, AppError> {
    use crate::auth::{password, policy, session};
    use crate::state::{app_state, internal, respond};
    use crate::store::accounts::CreateAccount;
    let state = app_state()?;
    let username = policy::validate_username(&username).map_err(respond)?;
    policy::validate_password(&password).map_err(respond)?;
    let phc = ssr::blocking(move || password::hash(&password)).await?;
    let user = match state
        .store
        .create_account(&username, &phc, crate::auth::now())
        .map_err(internal)?
    {
        CreateAccount::Created(user) => user,
        CreateAccount::Taken => {
            return Err(respond(AppError::Conflict(format!(
                "The username \"{username}\" is taken; choose another."
            ))))
        }
    };
    ssr::adopt_anonymous(&state, user).await?;
    session::start(&state, user, true)?;
    state.store.flush_async().await.map_err(internal)?;
    tracing::info!(user, "account created");
    ssr::reader(&state, user)
}

/// Log in. Wrong username and wrong password get the same answer.
#[server(endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<Reader, AppError> {
    use crate::auth::password::{self, Verdict};
    use crate::auth::{policy, session};
    use crate::state::{app_state, internal, respond};
    let state = app_state()?;
    let wrong = || AppError::Unauthorized("Wrong username or password.".into());
    if password.chars().count() > policy::PASSWORD_MAX || username.chars().count() > 256 {
        return Err(respond(wrong()));
    }
    let name_key = format!("u:{}", username.trim().to_lowercase());
    let addr_key = format!("ip:{}", session::client_address(&state));
    for key in [&name_key, &addr_key] {
        if let Err(wait) = state.throttle.check(key) {
            return Err(respond(AppError::TooManyRequests(format!(
                "Too many failed attempts. Try again in {} seconds.",
                wait.as_secs().max(1)
            ))));
        }
    }
    let account = state.store.account(username.trim()).map_err(internal)?;
    let attempt = password.clone();
    let verdict = match &account {
        Some(a) => {
            let phc = a.password_hash.clone();
            ssr::blocking(move || password::verify(&attempt, &phc)).await?
        }
        None => {
            ssr::blocking(move || {
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
        return Err(respond(wrong()));
    };
    state.throttle.succeed(&name_key);
    state.throttle.succeed(&addr_key);
    if verdict == Verdict::RightRehash {
        let phc = ssr::blocking(move || password::hash(&password)).await?;
        state
            .store
            .set_password_hash(&account.username, &phc)
            .map_err(internal)?;
    }
    ssr::adopt_anonymous(&state, account.user).await?;
    session::start(&state, account.user, true)?;
    state.store.flush_async().await.map_err(internal)?;
    ssr::reader(&state, account.user)
}

/// Log out: the session ends on the server, not only in the browser.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::auth::session;
    use crate::state::{app_state, internal};
    let state = app_state()?;
    if let Some(current) = session::current(&state)? {
        state
            .store
            .revoke_session(&current.hash)
            .map_err(internal)?;
        state.store.flush_async().await.map_err(internal)?;
    }
    session::clear_cookie(&state);
    Ok(())
}

/// Change the password; every other session of the account ends.
#[server(endpoint = "change_password")]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    use crate::auth::password::{self, Verdict};
    use crate::auth::policy;
    use crate::state::{app_state, internal, respond};
    let state = app_state()?;
    let (session, account) = ssr::account(&state)?;
    if current.chars().count() > policy::PASSWORD_MAX {
        return Err(respond(AppError::Unauthorized(
            "Your current password is not right.".into(),
        )));
    }
    policy::validate_password(&new).map_err(respond)?;
    let phc = account.password_hash.clone();
    let verdict = ssr::blocking(move || password::verify(&current, &phc)).await?;
    if verdict == Verdict::Wrong {
        return Err(respond(AppError::Unauthorized(
            "Your current password is not right.".into(),
        )));
    }
    let phc = ssr::blocking(move || password::hash(&new)).await?;
    state
        .store
        .set_password_hash(&account.username, &phc)
        .map_err(internal)?;
    let ended = state
        .store
        .revoke_sessions_of(account.user, Some(&session.hash))
        .map_err(internal)?;
    state.store.flush_async().await.map_err(internal)?;
    tracing::info!(user = account.user, ended, "password changed");
    Ok(())
}

/// Delete the account with everything in it (ratings, shelves, sessions). Asks for the
/// password, so a borrowed unlocked browser cannot do it by accident.
#[server(endpoint = "delete_account")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    use crate::auth::password::{self, Verdict};
    use crate::auth::{policy, session};
    use crate::state::{app_state, internal, respond};
    let state = app_state()?;
    let (_, account) = ssr::account(&state)?;
    let phc = account.password_hash.clone();
    let wrong = || AppError::Unauthorized("That password is not right.".into());
    if password.chars().count() > policy::PASSWORD_MAX {
        return Err(respond(wrong()));
    }
    if ssr::blocking(move || password::verify(&password, &phc)).await? == Verdict::Wrong {
        return Err(respond(wrong()));
    }
    state.store.delete_user(account.user).map_err(internal)?;
    state.store.flush_async().await.map_err(internal)?;
    session::clear_cookie(&state);
    tracing::info!(user = account.user, "account deleted");
    Ok(())
}

/// Server-side helpers shared by the account functions.
#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::auth::session::{self, Current};
    use crate::error::AppError;
    use crate::models::Reader;
    use crate::state::{internal, respond, AppState};
    use crate::store::accounts::Account;
    use crate::store::UserId;

    /// Run CPU-heavy work (password hashing) on the blocking pool.
    pub async fn blocking<T: Send + 'static>(
        f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        tokio::task::spawn_blocking(f).await.map_err(internal)?
    }

    /// The reader summary of a user.
    pub fn reader(state: &AppState, user: UserId) -> Result<Reader, AppError> {
        let account = state.store.account_of(user).map_err(internal)?;
        let library = state.store.library_of(user).map_err(internal)?;
        Ok(Reader {
            username: account.map(|a| a.username),
            ratings: library.iter().filter(|b| b.rating.is_some()).count() as u32,
            shelved: library
                .iter()
                .filter(|b| b.entry.is_some_and(|e| e.shelf.is_some()))
                .count() as u32,
        })
    }

    /// The logged-in account, or 401.
    pub fn account(state: &AppState) -> Result<(Current, Account), AppError> {
        let login = || respond(AppError::Unauthorized("Please log in first.".into()));
        let current = session::current(state)?.ok_or_else(login)?;
        if !current.session.account {
            return Err(login());
        }
        let account = state
            .store
            .account_of(current.user())
            .map_err(internal)?
            .ok_or_else(login)?;
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
                state
                    .store
                    .revoke_session(&current.hash)
                    .map_err(internal)?;
            }
            return Ok(());
        }
        let moved = state
            .store
            .merge_library(current.user(), user, crate::auth::now())
            .map_err(internal)?;
        state.store.delete_user(current.user()).map_err(internal)?;
        tracing::info!(user, moved, "anonymous library merged into account");
        Ok(())
    }
}
