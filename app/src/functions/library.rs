//! A reader's library: rate a book, put it on a shelf, and the "My books" page.
//!
//! Writes are acknowledged only after the store has flushed them to disk, so a rating the
//! reader saw accepted survives a crash of the server right after. A reader without an account
//! gets an anonymous session on their first write.

// `save_notes` takes one argument per field of its form (see there).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::{MyBooks, MyState, Shelf};

/// Check a shelf slug: a shelf, or empty for none.
pub fn validate_shelf(slug: &str) -> Result<Option<Shelf>, AppError> {
    match slug {
        "" => Ok(None),
        slug => Shelf::from_slug(slug).map(Some).ok_or_else(|| {
            AppError::Invalid(format!(
                "There is no shelf called \"{}\".",
                slug.chars().take(40).collect::<String>()
            ))
        }),
    }
}

/// Check a star rating: 1–5, or 0 to clear the rating.
pub fn validate_stars(stars: u8) -> Result<u8, AppError> {
    if stars > 5 {
        return Err(AppError::Invalid(format!(
            "Rate from 1 to 5 stars (0 clears the rating); got {stars}."
        )));
    }
    Ok(stars)
}

/// Rate a book 1–5 stars (0 clears the rating). Stored on the dataset's 1–10 scale as twice
/// the stars, so a reader's ratings and the community's are comparable.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "rate_book")]
pub async fn rate_book(isbn: String, stars: u8) -> Result<MyState, AppError> {
    use crate::backend::{app_state, library, store::library::Change};
    use engine::records::Rating;
    let stars = validate_stars(stars)?;
    let rating = Rating::from_stars(stars);
    let state = app_state()?;
    library::change(&state, &isbn, |book| Change {
        book,
        rating: Some(rating),
        shelf: None,
    })
    .await
}

/// Put a book on a shelf (`want-to-read`, `reading`, `read`, `not-interested`), or take it off
/// (empty shelf). Shelves are exclusive.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "shelve_book")]
pub async fn shelve_book(isbn: String, shelf: String) -> Result<MyState, AppError> {
    use crate::backend::{app_state, library, store::library::Change};
    let shelf = validate_shelf(&shelf)?;
    let state = app_state()?;
    library::change(&state, &isbn, |book| Change {
        book,
        rating: None,
        shelf: Some(shelf),
    })
    .await
}

/// The signed-in reader's own notes on a book (what their import brought); `None` for a
/// visitor, or when they brought nothing for it.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "my_notes")]
pub async fn my_notes(isbn: String) -> Result<Option<crate::types::MyNotes>, AppError> {
    use crate::backend::{app_state, auth::session, library, notes};
    let state = app_state()?;
    let book = library::book_id(&state, &isbn)?;
    match session::current(&state)? {
        Some(c) => notes::my_notes(&state, c.user(), book),
        None => Ok(None),
    }
}

/// Keep the reader's notes on a book (review, spoiler flag, date read, times read, tags,
/// private notes, and when sent, date added and copies owned), replacing what they had; a
/// visitor gets an anonymous session, as when they rate. Answers the notes as the page shows
/// them.
///
/// One argument per field of the book page's form, which posts them by name (with or without
/// JavaScript): a struct argument would rename them `form[review]`. (The module allows the many
/// arguments: the client half the macro writes does not carry an attribute put here.)
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "save_notes")]
pub async fn save_notes(
    isbn: String,
    review: String,
    spoiler: Option<String>,
    dates_read: String,
    read_count: String,
    tags: String,
    private_notes: String,
    date_added: Option<String>,
    owned_copies: Option<String>,
) -> Result<Option<crate::types::MyNotes>, AppError> {
    use crate::backend::{app_state, auth::session, library, notes};
    let state = app_state()?;
    let book = library::book_id(&state, &isbn)?;
    let user = session::current_or_anonymous(&state)?.user();
    let edit = notes::NotesEdit {
        review,
        spoiler: spoiler.is_some_and(|s| !s.is_empty() && s != "false"),
        dates_read,
        read_count,
        tags,
        private_notes,
        date_added,
        owned_copies,
    };
    notes::save_notes(&state, user, book, edit).await?;
    notes::my_notes(&state, user, book)
}

/// The reader's books: filtered by shelf (`rated`, a shelf slug, `tag:NAME` for a tag or own
/// shelf, or empty for all), sorted
/// (`recent`, `rating`, `title`, `author`), with counts and the star histogram.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "my_books")]
pub async fn get_my_books(sort: String, filter: String) -> Result<MyBooks, AppError> {
    use crate::backend::library::{self, MyBooksFilter};
    use crate::types::MyBooksSort;
    let sort = if sort.is_empty() {
        MyBooksSort::Recent
    } else {
        MyBooksSort::from_slug(&sort)
            .ok_or_else(|| AppError::Invalid("Unknown sort order.".into()))?
    };
    let filter = match filter.as_str() {
        "" | "all" => MyBooksFilter::All,
        "rated" => MyBooksFilter::Rated,
        tag if tag.starts_with("tag:") => {
            let tag = engine::text::untrusted(&tag[4..], crate::backend::notes::MAX_TAG);
            MyBooksFilter::Tag(tag)
        }
        slug => MyBooksFilter::Shelf(
            Shelf::from_slug(slug).ok_or_else(|| AppError::Invalid("Unknown shelf.".into()))?,
        ),
    };
    let state = crate::backend::app_state()?;
    library::my_books(&state, sort, filter)
}
