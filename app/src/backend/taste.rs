//! "My taste": the reader's top authors, decades and rating distribution (the engine counts
//! them, [`engine::recs::taste`]).

use crate::backend::library::state_of;
use crate::backend::reader::ReaderLibrary;
use crate::backend::state::AppState;
use crate::types::{Shelf, Taste, TasteAuthor};

/// "My taste". A book the reader only dismissed says nothing about their taste.
pub fn taste(state: &AppState, reader: &ReaderLibrary) -> Taste {
    let books = reader.library.iter().filter_map(|b| {
        let mine = state_of(b);
        let dismissed = mine.shelf == Some(Shelf::NotInterested) && mine.stars.is_none();
        (!dismissed).then_some((b.book, mine.stars))
    });
    let summary = engine::recs::taste::summarize(&state.catalog(), books);
    Taste {
        authors: summary
            .authors
            .into_iter()
            .map(|a| TasteAuthor {
                name: a.name,
                books: a.books,
                stars: a.stars,
            })
            .collect(),
        decades: summary.decades,
        stars: summary.stars.to_vec(),
        books: reader.library.len() as u32,
    }
}
