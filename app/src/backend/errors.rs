//! The layers below the app fail in their own types; a reader only ever sees an [`AppError`].
//!
//! A failure of the store, the engine or a background task is the server's fault, not the
//! reader's: it is logged here, once, where it is converted, and the reader gets
//! [`AppError::Internal`] (the details stay in the log). With these conversions a server
//! function writes `?` and nothing else.
//!
//! Which HTTP status an error answers with is [`AppError::status`], and nowhere else. Each way
//! an error leaves the server applies it once: a server function called over HTTP through
//! the server's `server_fn_status` layer (it reads the encoded error), a page that shows an
//! error through [`crate::components::error_view::ErrorView`], and a plain route through the
//! [`IntoResponse`] below.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::backend::store::StoreError;
use crate::error::AppError;

/// Log a failure of the server's own and answer the reader's plain "something went wrong".
fn server_fault(what: &str, error: &dyn std::fmt::Display) -> AppError {
    tracing::error!(%error, "{what} failed");
    AppError::Internal
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        if let StoreError::DiskFull { .. } = error {
            tracing::error!(%error, "a write was refused");
            return AppError::Busy {
                message: "The server is out of disk space, so this could not be saved. \
                          What you saved before is safe. Please try again later."
                    .into(),
                retry_after: 60,
            };
        }
        server_fault("the store", &error)
    }
}

impl From<engine::Error> for AppError {
    fn from(error: engine::Error) -> Self {
        server_fault("the engine", &error)
    }
}

impl From<engine::recs::RecsError> for AppError {
    fn from(error: engine::recs::RecsError) -> Self {
        server_fault("the recommender", &error)
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(error: tokio::task::JoinError) -> Self {
        server_fault("a background task", &error)
    }
}

impl From<getrandom::Error> for AppError {
    fn from(error: getrandom::Error) -> Self {
        server_fault("the random source", &error)
    }
}

impl From<argon2::Error> for AppError {
    fn from(error: argon2::Error) -> Self {
        server_fault("password hashing (parameters)", &error)
    }
}

impl From<argon2::password_hash::Error> for AppError {
    fn from(error: argon2::password_hash::Error) -> Self {
        server_fault("password hashing", &error)
    }
}

impl IntoResponse for AppError {
    /// The error as the same JSON a server function answers, with its status.
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response =
            (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
        if let Some(secs) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, secs.into());
        }
        response
    }
}
