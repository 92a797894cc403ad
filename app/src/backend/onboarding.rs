//! Onboarding: authors to pick, and books to rate chosen to learn the most about a new reader
//! (the engine chooses them, [`engine::recs::onboarding`]; here they become cards).

use crate::backend::cards::card;
use crate::backend::library::fill_mine_from;
use crate::backend::reader::ReaderLibrary;
use crate::backend::state::AppState;
use crate::error::AppError;
use crate::types::{BookCard, Onboarding, ONBOARDING_RATINGS};

/// Onboarding (cached per library and picked authors).
pub fn onboarding(
    state: &AppState,
    reader: &ReaderLibrary,
    picked: &[String],
) -> Result<Onboarding, AppError> {
    state
        .recs_cache
        .onboarding
        .get_or_compute((reader.fingerprint, picked.join("|")), || {
            compute_onboarding(state, reader, picked)
        })
}

fn compute_onboarding(
    state: &AppState,
    reader: &ReaderLibrary,
    picked: &[String],
) -> Result<Onboarding, AppError> {
    let rated = reader.library.iter().filter(|b| b.rating.is_some()).count() as u32;
    if rated >= ONBOARDING_RATINGS {
        // Onboarding is over: the page only needs the count (and would otherwise carry a
        // dozen unseen cards in every page's hydration data).
        return Ok(Onboarding {
            authors: Vec::new(),
            books: Vec::new(),
            rated,
        });
    }
    let choice = engine::recs::onboarding::choose(&state.catalog(), &reader.works(state), picked);
    let mut books: Vec<BookCard> = choice
        .books
        .into_iter()
        .filter_map(|i| card(&state.catalog(), i))
        .collect();
    fill_mine_from(state, &reader.library, &mut books);
    Ok(Onboarding {
        authors: choice.authors,
        books,
        rated,
    })
}
