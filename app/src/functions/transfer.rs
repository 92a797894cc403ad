//! The import summary's server function. The upload and the downloads themselves are plain
//! HTTP routes (a browser posts a file from a form and saves a download from a link, with or
//! without JavaScript): see `backend::transfer`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::ImportSummary;

/// The summary of the reader's last library import, if they made one.
#[server(endpoint = "last_import")]
pub async fn last_import() -> Result<Option<ImportSummary>, AppError> {
    use crate::backend::{app_state, transfer};
    transfer::last_import(&app_state()?)
}
