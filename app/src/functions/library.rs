//! A reader's library: rate a book, put it on a shelf, and the "My books" page.
//!
//! Writes are acknowledged only after the store has flushed them to disk, so a rating the
//! reader saw accepted survives a crash of the server right after. A reader without an account
//! gets an anonymous session on their first write.

use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{MyBooks, MyState};

/// Longest ISBN argument accepted (any common spelling fits easily).
pub const MAX_ISBN_CHARS: usize = 64;

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
#[server(endpoint = "rate_book")]
pub async fn rate_book(isbn: String, stars: u8) -> Result<MyState, AppError> {
    use crate::state::respond;
    use crate::store::library::Change;
    use engine::model::Rating;
    let stars = validate_stars(stars).map_err(respond)?;
    let rating = Rating::from_stars(stars);
    ssr::change(&isbn, |book| Change {
        book,
        rating: Some(rating),
        shelf: None,
    })
    .await
}

/// Put a book on a shelf (`want-to-read`, `reading`, `read`, `not-interested`), or take it off
/// (empty shelf). Shelves are exclusive.
#[server(endpoint = "shelve_book")]
pub async fn shelve_book(isbn: String, shelf: String) -> Result<MyState, AppError> {
    use crate::models::Shelf;
    use crate::state::respond;
    use crate::store::library::Change;
    let shelf = match shelf.as_str() {
        "" => None,
        slug => Some(Shelf::from_slug(slug).ok_or_else(|| {
            respond(AppError::Invalid(format!(
                "There is no shelf called \"{}\".",
                slug.chars().take(40).collect::<String>()
            )))
        })?),
    };
    ssr::change(&isbn, |book| Change {
        book,
        rating: None,
        shelf: Some(shelf),
    })
    .await
}

/// The reader's books: filtered by shelf (`rated`, a shelf slug, or empty for all), sorted
/// (`recent`, `rating`, `title`, `author`), with counts and the star histogram.
#[server(endpoint = "my_books")]
pub async fn get_my_books(sort: String, filter: String) -> Result<MyBooks, AppError> {
    use crate::models::{MyBook, MyBooksSort, Shelf};
    use crate::state::{app_state, internal, respond};
    let state = app_state()?;
    let sort = if sort.is_empty() {
        MyBooksSort::Recent
    } else {
        MyBooksSort::from_slug(&sort)
            .ok_or_else(|| respond(AppError::Invalid("Unknown sort order.".into())))?
    };
    let shelf_filter = match filter.as_str() {
        "" | "all" | "rated" => None,
        slug => Some(
            Shelf::from_slug(slug)
                .ok_or_else(|| respond(AppError::Invalid("Unknown shelf.".into())))?,
        ),
    };
    let empty = MyBooks {
        books: vec![],
        shelf_counts: vec![0; Shelf::ALL.len()],
        rated: 0,
        total: 0,
        star_histogram: vec![0; 5],
    };
    let Some(current) = crate::auth::session::current(&state)? else {
        return Ok(empty);
    };
    let library = state.store.library_of(current.user()).map_err(internal)?;
    let mut out = empty;
    let mut books = Vec::new();
    for entry in &library {
        let mine = ssr::state_of(entry);
        out.total += 1;
        if let Some(stars) = mine.stars {
            out.rated += 1;
            out.star_histogram[stars as usize - 1] += 1;
        }
        if let Some(shelf) = mine.shelf {
            if let Some(i) = Shelf::ALL.iter().position(|s| *s == shelf) {
                out.shelf_counts[i] += 1;
            }
        }
        let keep = match (filter.as_str(), shelf_filter) {
            ("rated", _) => mine.stars.is_some(),
            (_, Some(s)) => mine.shelf == Some(s),
            _ => true,
        };
        if !keep {
            continue;
        }
        let Some(mut card) = super::catalog::ssr::card(&state.catalog, entry.book) else {
            continue;
        };
        // The card is the edition the reader acted on, with their state.
        card.mine = mine;
        let updated = entry.entry.map(|e| e.updated).unwrap_or(0);
        books.push((
            updated,
            MyBook {
                card,
                updated: ssr::date(updated),
            },
        ));
    }
    match sort {
        MyBooksSort::Recent => books.sort_by_key(|b| std::cmp::Reverse(b.0)),
        MyBooksSort::Rating => books.sort_by(|a, b| {
            b.1.card
                .mine
                .stars
                .cmp(&a.1.card.mine.stars)
                .then(b.0.cmp(&a.0))
        }),
        MyBooksSort::Title => books.sort_by_cached_key(|b| engine::text::fold(&b.1.card.title)),
        MyBooksSort::Author => books.sort_by_cached_key(|b| {
            (
                engine::text::fold(&b.1.card.author),
                engine::text::fold(&b.1.card.title),
            )
        }),
    }
    out.books = books.into_iter().map(|b| b.1).collect();
    Ok(out)
}

/// Server-side helpers: validated writes, and the reader's state on cards.
#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use std::collections::HashMap;

    use crate::error::AppError;
    use crate::models::{BookCard, MyState};
    use crate::state::{app_state, internal, respond, AppState};
    use crate::store::library::{Change, LibraryBook};
    use crate::store::BookId;

    /// The reader's state from their library record.
    pub fn state_of(book: &LibraryBook) -> MyState {
        MyState {
            // 1–10 back to stars, halves rounded up (a dataset 7 shows as 4 stars).
            stars: book
                .rating
                .map(|r| r.value())
                .filter(|&v| v > 0)
                .map(|v| v.div_ceil(2)),
            shelf: book.entry.and_then(|e| e.shelf),
        }
    }

    /// `YYYY-MM-DD` of unix seconds (empty for 0: a dataset rating has no date).
    pub fn date(secs: u64) -> String {
        if secs == 0 {
            return String::new();
        }
        time::OffsetDateTime::from_unix_timestamp(secs as i64)
            .map(|t| t.date().to_string())
            .unwrap_or_default()
    }

    /// The store id of a book named by ISBN, or a clear error.
    pub fn book_id(state: &AppState, isbn: &str) -> Result<BookId, AppError> {
        if isbn.chars().count() > super::MAX_ISBN_CHARS {
            return Err(respond(AppError::Invalid("That is not an ISBN.".into())));
        }
        let key = engine::isbn::normalize(isbn).ok_or_else(|| {
            respond(AppError::Invalid(format!(
                "\"{}\" is not an ISBN.",
                isbn.chars().take(20).collect::<String>()
            )))
        })?;
        state.catalog.find(&key).ok_or_else(|| {
            respond(AppError::NotFound(format!(
                "No book with ISBN {key} is in the catalog."
            )))
        })
    }

    /// Apply one change for the current (or a new anonymous) reader, flush, and answer the
    /// book's new state.
    pub async fn change(
        isbn: &str,
        make: impl FnOnce(BookId) -> Change,
    ) -> Result<MyState, AppError> {
        let state = app_state()?;
        let book = book_id(&state, isbn)?;
        let current = crate::auth::session::current_or_anonymous(&state)?;
        let user = current.user();
        state
            .store
            .apply_changes(user, &[make(book)], crate::auth::now())
            .map_err(internal)?;
        state.store.flush_async().await.map_err(internal)?;
        let rating = state.store.rating(user, book).map_err(internal)?;
        let entry = state.store.library_entry(user, book).map_err(internal)?;
        Ok(state_of(&LibraryBook {
            book,
            rating,
            entry,
        }))
    }

    /// Fill in the current reader's state on cards (any edition of a card's work counts).
    pub fn fill_mine(state: &AppState, cards: &mut [BookCard]) -> Result<(), AppError> {
        let Some(current) = crate::auth::session::current(state)? else {
            return Ok(());
        };
        let library = state.store.library_of(current.user()).map_err(internal)?;
        fill_mine_from(state, &library, cards);
        Ok(())
    }

    /// [`fill_mine`] from a library already loaded for this request.
    pub fn fill_mine_from(state: &AppState, library: &[LibraryBook], cards: &mut [BookCard]) {
        let library: HashMap<BookId, MyState> =
            library.iter().map(|b| (b.book, state_of(b))).collect();
        if library.is_empty() {
            return;
        }
        let catalog = &state.catalog;
        for card in cards {
            let Some(idx) = catalog.find(&card.isbn) else {
                continue;
            };
            if let Some(mine) = library.get(&idx) {
                card.mine = *mine;
                continue;
            }
            let editions = catalog
                .work_of(idx)
                .and_then(|w| catalog.work(w))
                .map(|w| w.editions.as_slice())
                .unwrap_or(&[]);
            if let Some(mine) = editions.iter().find_map(|e| library.get(e)) {
                card.mine = *mine;
            }
        }
    }
}
