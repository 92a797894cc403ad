//! How a page shows a server function's error.

use leptos::prelude::*;

use crate::error::AppError;

/// A clear, polite message for an error. On the server it also gives the page the error's
/// status (a book that does not exist is a 404 page), so a page that shows an error answers
/// with [`AppError::status`] like a server function does.
#[component]
pub fn ErrorView(
    /// The error to show.
    error: AppError,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(options), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(error.status()),
    ) {
        options.set_status(status);
    }
    let heading = match error {
        AppError::NotFound(_) => "Not found",
        AppError::Invalid(_) | AppError::Conflict(_) => "That did not work",
        AppError::Unauthorized(_) => "Please log in",
        AppError::Forbidden(_) => "Not allowed",
        AppError::TooManyRequests { .. } | AppError::Busy { .. } => "Please wait a moment",
        AppError::Internal | AppError::Transport(_) => "Something went wrong",
    };
    view! {
        <section class="error-box" role="alert">
            <h2>{heading}</h2>
            <p>{error.to_string()}</p>
            <p>
                <a href="/">"Back to popular books"</a>
            </p>
        </section>
    }
}
