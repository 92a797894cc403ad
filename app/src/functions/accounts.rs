//! Account server functions: sign up, log in, log out, who am I, change password, delete.
//! The flows themselves (hashing, throttling, sessions) are in `backend::accounts`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::Reader;

/// The reader of this request: an account, an anonymous reader with a library, or `None`.
#[server(endpoint = "current_reader")]
pub async fn current_reader() -> Result<Option<Reader>, AppError> {
    use crate::backend::{accounts, app_state};
    accounts::current_reader(&app_state()?)
}

/// Create an account and log in. An anonymous reader's ratings and shelves move into it.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "signup")]
pub async fn signup(username: String, password: String) -> Result<Reader, AppError> {
    use crate::backend::{accounts, app_state, auth::policy};
    let state = app_state()?;
    let username = policy::validate_username(&username)?;
    policy::validate_password(&password)?;
    accounts::sign_up(&state, username, password).await
}

/// Log in. Wrong username and wrong password get the same answer.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<Reader, AppError> {
    use crate::backend::{accounts, app_state};
    accounts::log_in(&app_state()?, &username, password).await
}

/// Log out: the session ends on the server, not only in the browser.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::backend::{accounts, app_state};
    accounts::log_out(&app_state()?).await
}

/// Change the password; every other session of the account ends.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "change_password")]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    use crate::backend::{accounts, app_state};
    accounts::change_password(&app_state()?, current, new).await
}

/// Delete the account with everything in it (ratings, shelves, sessions). Asks for the
/// password, so a borrowed unlocked browser cannot do it by accident.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "delete_account")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    use crate::backend::{accounts, app_state};
    accounts::delete_account(&app_state()?, password).await
}
