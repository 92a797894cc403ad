//! The page for any unknown address.

use leptos::prelude::*;
use leptos_meta::Title;

/// "Not found", with a 404 status when rendered on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <section class="error-box">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. Try searching, or browse the popular books."</p>
            <p>
                <a href="/">"Popular books"</a>
            </p>
        </section>
    }
}
