//! Recommendation server functions: "For you", "Because you liked", the book page's two rows,
//! onboarding and "My taste".
//!
//! The lists themselves (fold-in, exclusions, caching, explanations) are in `backend::lists`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::{BecauseRow, ForYou, Onboarding, RecCard, SimilarBooks, Taste};

pub use crate::types::ONBOARDING_RATINGS;

/// Most books one "For you" request returns.
pub const MAX_FOR_YOU: u32 = 100;
/// Books in the home page's "Popular" row.
pub const POPULAR_ROW: usize = 12;
/// Longest accepted interests argument, in characters.
pub const MAX_INTERESTS_CHARS: usize = 2_000;
/// Most interests one onboarding request takes.
pub const MAX_INTERESTS: usize = 50;

/// Check a "For you" size.
pub fn validate_limit(limit: u32) -> Result<usize, AppError> {
    if limit == 0 || limit > MAX_FOR_YOU {
        return Err(AppError::Invalid(format!(
            "Ask for 1 to {MAX_FOR_YOU} recommendations; got {limit}."
        )));
    }
    Ok(limit as usize)
}

/// Check and split the picked authors (separated by `|`): trimmed, blanks dropped, at most
/// [`MAX_INTERESTS`].
pub fn validate_interests(authors: &str) -> Result<Vec<String>, AppError> {
    if authors.chars().count() > MAX_INTERESTS_CHARS {
        return Err(AppError::Invalid(format!(
            "Pick fewer interests (at most {MAX_INTERESTS_CHARS} characters)."
        )));
    }
    Ok(authors
        .split('|')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .take(MAX_INTERESTS)
        .map(str::to_string)
        .collect())
}

/// The reader's personal recommendations (hybrid of every model), best first.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "for_you")]
pub async fn get_for_you(limit: u32) -> Result<ForYou, AppError> {
    use crate::backend::{app_state, lists, reader::ReaderLibrary};
    let limit = validate_limit(limit)?;
    let state = app_state()?;
    let reader = ReaderLibrary::current(&state)?;
    lists::for_you(&state, &reader, limit)
}

/// Rows of books like the reader's best-rated recent books.
#[server(endpoint = "because_rows")]
pub async fn because_rows() -> Result<Vec<BecauseRow>, AppError> {
    use crate::backend::{app_state, lists, reader::ReaderLibrary};
    let state = app_state()?;
    let reader = ReaderLibrary::current(&state)?;
    lists::because_rows(&state, &reader)
}

/// The home page's "Popular" row: the most popular books the reader has no edition of, at
/// most two per author.
#[server(endpoint = "popular_row")]
pub async fn popular_row() -> Result<Vec<RecCard>, AppError> {
    use crate::backend::{app_state, lists, reader::ReaderLibrary};
    let state = app_state()?;
    let reader = ReaderLibrary::current(&state)?;
    lists::popular(&state, &reader, POPULAR_ROW, "Popular with readers")
}

/// "Readers who liked this also liked" and "Similar books" for a book page.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "similar_books")]
pub async fn get_similar_books(isbn: String) -> Result<SimilarBooks, AppError> {
    use crate::backend::{app_state, library, lists, reader::ReaderLibrary};
    let state = app_state()?;
    let book = library::book_id(&state, &isbn)?;
    let reader = ReaderLibrary::current(&state)?;
    lists::similar(&state, &reader, book)
}

/// Onboarding: authors to pick, and books to rate chosen to learn the most about a new
/// reader. `authors` is the picked authors, separated by `|`.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "onboarding")]
pub async fn get_onboarding(authors: String) -> Result<Onboarding, AppError> {
    use crate::backend::{app_state, onboarding, reader::ReaderLibrary};
    let picked = validate_interests(&authors)?;
    let state = app_state()?;
    let reader = ReaderLibrary::current(&state)?;
    onboarding::onboarding(&state, &reader, &picked)
}

/// Most books a yearly reading goal takes.
pub const MAX_GOAL: u32 = 1_000;

/// Set the reader's reading goal for this year, in books (0 removes it); a visitor gets an
/// anonymous session, as when they rate. Answers the goal with the progress.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "reading_goal")]
pub async fn set_reading_goal(books: u32) -> Result<Option<crate::types::ReadingGoal>, AppError> {
    use crate::backend::{app_state, auth::session, reader::ReaderLibrary, taste};
    if books > MAX_GOAL {
        return Err(AppError::Invalid(format!(
            "A yearly goal is at most {MAX_GOAL} books."
        )));
    }
    let state = app_state()?;
    let user = session::current_or_anonymous(&state)?.user();
    let year = time::OffsetDateTime::now_utc().year();
    state.store.set_reading_goal(user, year, books)?;
    state.store.flush_async().await?;
    let reader = ReaderLibrary::current(&state)?;
    Ok(taste::taste(&state, &reader, Some(user))?.goal)
}

/// The reader's profile: top authors, decades, rating distribution, reading per year and
/// this year's goal.
#[server(endpoint = "my_taste")]
pub async fn my_taste() -> Result<Taste, AppError> {
    use crate::backend::{app_state, reader::ReaderLibrary, taste};
    let state = app_state()?;
    let reader = ReaderLibrary::current(&state)?;
    let user = crate::backend::auth::session::current(&state)?.map(|c| c.user());
    taste::taste(&state, &reader, user)
}
