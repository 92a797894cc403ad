//! The reader of a request as the recommender sees them: their library, loaded once per
//! request, and the engine's request built from it.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use engine::recs::serve::Request;

use crate::backend::recs_cache::Fingerprint;
use crate::backend::state::AppState;
use crate::backend::store::library::LibraryBook;
use crate::error::AppError;
use crate::types::Shelf;
/// The reader of the request being answered, loaded by the first list that needs it: a
/// page asks for four lists, and a reader with a thousand books would otherwise be read
/// from the store four times. The server provides an empty slot per request (see
/// `shelfwise::serve`); without one (a caller outside a request), each list loads its own.
#[derive(Clone, Default)]
pub struct RequestReader(Arc<OnceLock<Arc<ReaderLibrary>>>);

/// The reader's library, loaded once per request.
pub struct ReaderLibrary {
    /// Everything they rated or shelved (empty for a visitor without a session).
    pub library: Vec<LibraryBook>,
    /// The library's digest: the key of the reader's cached lists.
    pub fingerprint: Fingerprint,
}

impl ReaderLibrary {
    /// The current reader's library (shared by the request's lists, see [`RequestReader`]).
    pub fn current(state: &AppState) -> Result<Arc<ReaderLibrary>, AppError> {
        let slot = leptos::prelude::use_context::<RequestReader>();
        if let Some(reader) = slot.as_ref().and_then(|s| s.0.get()) {
            return Ok(reader.clone());
        }
        let library = match crate::backend::auth::session::current(state)? {
            Some(c) => state.store.library_of(c.user())?,
            None => Vec::new(),
        };
        let reader = Arc::new(ReaderLibrary {
            fingerprint: Fingerprint::of(&library),
            library,
        });
        // Two lists racing to load it both load the same library; the first one is kept.
        Ok(match slot {
            Some(s) => s.0.get_or_init(|| reader).clone(),
            None => reader,
        })
    }

    /// Whether they rated anything.
    pub fn has_ratings(&self) -> bool {
        self.library
            .iter()
            .any(|b| b.rating.is_some_and(|r| r.is_explicit()))
    }

    /// The engine's view: ratings, shelved and dismissed books.
    pub fn request(&self, state: &AppState, k: usize) -> Request {
        let key = |b: &LibraryBook| state.catalog().book(b.book).map(|x| x.key.clone());
        let mut request = Request {
            k,
            ..Request::default()
        };
        for b in &self.library {
            let Some(k) = key(b) else { continue };
            if let Some(r) = b.rating {
                request.ratings.push((k.clone(), r.value()));
            }
            match b.entry.and_then(|e| e.shelf) {
                Some(Shelf::NotInterested) => request.not_interested.push(k),
                Some(_) => request.shelved.push(k),
                None => {}
            }
        }
        request
    }

    /// Works the reader has any edition of (never shown in lists).
    pub fn works(&self, state: &AppState) -> HashSet<u32> {
        self.library
            .iter()
            .filter_map(|b| state.catalog().work_of(b.book))
            .collect()
    }
}
