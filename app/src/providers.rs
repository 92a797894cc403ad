//! What the whole app shares: who the reader is, and a counter of their library's changes.

use leptos::prelude::*;

use crate::error::AppError;
use crate::functions::accounts::current_reader;
use crate::types::Reader;

/// A counter bumped after every accepted rating or shelving, so lists that depend on the
/// reader's library refetch in place.
#[derive(Debug, Clone, Copy)]
pub struct LibraryVersion(pub RwSignal<u64>);

/// Bump the [`LibraryVersion`] after the server accepted a change to the reader's library
/// (a rating, a shelf, notes, a goal), so what depends on it refetches.
pub fn bump_library() {
    if let Some(LibraryVersion(v)) = use_context::<LibraryVersion>() {
        v.update(|n| *n += 1);
    }
}

/// The current reader, loaded once per page (the header and pages read it).
#[derive(Debug, Clone, Copy)]
pub struct ReaderResource(pub Resource<Result<Option<Reader>, AppError>>);

/// Provide the reader and the library counter to everything below.
pub fn provide_reader() {
    provide_context(ReaderResource(Resource::new(|| (), |_| current_reader())));
    provide_context(LibraryVersion(RwSignal::new(0)));
}

/// The reader resource provided by [`provide_reader`].
pub fn use_reader() -> Option<ReaderResource> {
    use_context::<ReaderResource>()
}

/// Go to `href` with a full page load (after logging in or out, every part of the page must
/// be rendered for the new reader).
pub fn reload_to(href: &str) {
    #[cfg(feature = "hydrate")]
    {
        if let Some(window) = web_sys::window() {
            let _ = window.location().set_href(href);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}
