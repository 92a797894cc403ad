//! The one context every request shares (server only).

use std::sync::Arc;

use axum::extract::FromRef;
use engine::catalog::Catalog;
use leptos::prelude::*;

use crate::error::AppError;
use crate::store::Store;

/// Shared state: the store, the catalog built from it, and Leptos's options. Cloning is cheap.
#[derive(Clone)]
pub struct AppState {
    /// Leptos's site options (where `/pkg` lives, the site address).
    pub leptos_options: LeptosOptions,
    /// The embedded database.
    pub store: Store,
    /// The read-only catalog (works, popularity, search) built from the store at start.
    pub catalog: Arc<Catalog>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, from inside a server function.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function's context");
        AppError::Internal
    })
}

/// Set the response's HTTP status to the error's and hand the error back, so a server
/// function's `?` both reports the error and gives the page the right status code.
pub fn respond(error: AppError) -> AppError {
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.status()) {
            options.set_status(status);
        }
    }
    error
}
