//! The app's one error type, shared by server functions and the pages that show their errors.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Why a server function refused or failed. Travels to the browser as JSON, so the page shows
/// the same clear message whether it rendered on the server or in the browser.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// The request was malformed; the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// What was asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The reader must log in (or their credentials were wrong).
    #[error("{0}")]
    Unauthorized(String),
    /// The request is not allowed (e.g. a cross-site write).
    #[error("{0}")]
    Forbidden(String),
    /// The request clashes with what exists (e.g. a username that is taken).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts from this reader or address; the message says when to try again.
    #[error("{message}")]
    TooManyRequests {
        /// What to tell the reader.
        message: String,
        /// Seconds until trying again can succeed (the `Retry-After` header).
        retry_after: u64,
    },
    /// The server is at capacity for this kind of work right now (not the reader's fault).
    #[error("{message}")]
    Busy {
        /// What to tell the reader.
        message: String,
        /// Seconds after which trying again is likely to succeed (the `Retry-After` header).
        retry_after: u64,
    },
    /// The server failed; details are in its log, not here.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never reached the function (network, encoding).
    #[error("The request failed: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status this error maps to.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 400,
            AppError::NotFound(_) => 404,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests { .. } => 429,
            AppError::Busy { .. } => 503,
            AppError::Internal => 500,
            AppError::Transport(_) => 502,
        }
    }

    /// Seconds the client should wait before retrying, when the error says.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests { retry_after, .. } | AppError::Busy { retry_after, .. } => {
                Some(*retry_after)
            }
            _ => None,
        }
    }

    /// "Wait and try again", worded with the wait.
    pub fn too_many(what: &str, wait: std::time::Duration) -> AppError {
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        let when = if secs == 1 {
            "a second".to_string()
        } else if secs < 120 {
            format!("{secs} seconds")
        } else {
            format!("{} minutes", secs.div_ceil(60))
        };
        AppError::TooManyRequests {
            message: format!("{what} Try again in {when}."),
            retry_after: secs,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Bad arguments (wrong types, missing fields) are the caller's fault.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => AppError::Invalid(m),
            // On the server this is the request body that could not be read (not UTF-8, or cut
            // off at the size limit while streaming in): the caller's error, not a 502. In the
            // browser it is a response that could not be read, which stays a transport error.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(m) => {
                AppError::Invalid(if m.contains("length limit") {
                    "The request is too large.".into()
                } else {
                    format!("The request could not be read: {m}")
                })
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}
