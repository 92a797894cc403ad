//! Shelfwise's isomorphic app: the same components render on the server (SSR) and hydrate in
//! the browser (wasm).
//!
//! Data flows one way: a route or component ([`routes`], [`components`]) calls a server
//! function in [`functions`], which validates its input and calls the one server-only layer,
//! `backend` (state, auth, the store, caches, cards, a reader's library, recommendation
//! lists), which reads the store and the engine. [`types`] are what travels back.

#![recursion_limit = "512"]
#![warn(missing_docs)]

#[cfg(feature = "ssr")]
pub mod backend;
pub mod components;
pub mod error;
pub mod functions;
pub mod providers;
pub mod routes;
pub mod site;
pub mod types;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Meta, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use components::header::Header;
use routes::account::{LoginPage, SignupPage};
use routes::add_book::AddBookPage;
use routes::import_report::ImportReportPage;
use routes::my_books::MyBooksPage;
use routes::popular::PopularPage;
use routes::settings::SettingsPage;
use routes::taste::TastePage;
use routes::{book::BookPage, home::HomePage, not_found::NotFound, search::SearchPage};

/// The HTML document around the app, rendered on the server only.
///
/// It also gives the page its Content-Security-Policy, naming the nonce Leptos put on this
/// request's inline scripts (leptos_axum provides a fresh one per request).
///
/// `stylesheet` is the stylesheet's URL ([`site::stylesheet_href`]): with hashed file names only
/// the server knows it, so the shell, not the hydrated app, links it.
pub fn shell(options: LeptosOptions, stylesheet: std::sync::Arc<str>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(policy) = http::HeaderValue::from_str(&site::content_security_policy(&nonce)) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" id="leptos" href=stylesheet />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The app: header with search, and the routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    providers::provide_reader();
    view! {
        <Title formatter=|page: String| {
            let title = if page.is_empty() { "Shelfwise".to_string() } else { format!("{page} · Shelfwise") };
            // leptos_meta 0.8 writes the server-rendered <title> without escaping it, so a book
            // called "</title><script>…" would inject markup. In the browser the title is set
            // through document.title, which takes plain text: escape on the server only.
            if cfg!(feature = "ssr") { site::escape_html_text(&title) } else { title }
        } />
        <Meta name="description" content="Find your next book: search a real catalog and see what readers rate highest." />
        <Router>
            <a class="skip-link" href="#content">"Skip to content"</a>
            <Header />
            <main id="content">
                // Async SSR: pages arrive complete, so they read well without JavaScript.
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/popular") view=PopularPage ssr=SsrMode::Async />
                    <Route path=path!("/taste") view=TastePage ssr=SsrMode::Async />
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/book/:isbn") view=BookPage ssr=SsrMode::Async />
                    <Route path=path!("/my-books") view=MyBooksPage ssr=SsrMode::Async />
                    <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/import") view=ImportReportPage ssr=SsrMode::Async />
                    <Route path=path!("/add-book") view=AddBookPage />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/signup") view=SignupPage />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>
                    "Catalog and ratings: the Book-Crossing dataset (Cai-Nicolas Ziegler, 2004). "
                    "Shelfwise is open source."
                </p>
            </footer>
        </Router>
    }
}
