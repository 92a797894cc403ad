//! A book a reader adds by hand: the form's fields checked, the books it may already be shown
//! first ("is it one of these?"), then a new catalog edition, searchable and with a page at
//! once. Only readers with an account add books, at most [`MAX_ADDED_PER_DAY`] a day by hand,
//! so that the catalog cannot be flooded; imports are bounded by their own row limit.

use engine::datasets::goodreads::{reader_key, MAX_AUTHOR, MAX_PUBLISHER, MAX_TITLE};
use engine::records::Book;

use crate::backend::auth::session::Current;
use crate::backend::cards;
use crate::backend::state::AppState;
use crate::backend::store::added::Origin;
use crate::error::AppError;
use crate::types::AddedBook;

/// Books one account may add by hand in 24 hours.
pub const MAX_ADDED_PER_DAY: usize = 20;
/// Existing books offered before a new one is made.
const CANDIDATES: usize = 5;
/// How an added book came, in its [`Origin`].
pub const BY_HAND: &str = "added-by-hand";

/// What the reader typed in the form.
#[derive(Debug, Clone, Default)]
pub struct BookForm {
    /// The title (required).
    pub title: String,
    /// The author or authors, comma-separated (required).
    pub authors: String,
    /// An ISBN-10 or ISBN-13 (optional; its check digit must be right).
    pub isbn: String,
    /// The year it was published (optional).
    pub year: String,
    /// The publisher (optional).
    pub publisher: String,
}

/// Add the book the form describes, unless the catalog already has it. Without `confirmed`,
/// the books it may be (same ISBN, same work, or the best search hits for its title and
/// author) are answered first and nothing is created; an ISBN the catalog has is never added
/// again, confirmed or not.
pub fn add_book(
    state: &AppState,
    reader: Option<&Current>,
    form: BookForm,
    confirmed: bool,
) -> Result<AddedBook, AppError> {
    let Some(reader) = reader.filter(|c| c.session.account) else {
        return Err(AppError::Unauthorized(
            "Sign up or log in to add a book to the catalog (what you rated stays yours).".into(),
        ));
    };
    let book = checked(&form)?;
    let catalog = state.catalog();
    if let Some(idx) = catalog.find(&book.key) {
        return Ok(AddedBook {
            added: None,
            candidates: cards::card(&catalog, idx).into_iter().collect(),
        });
    }
    if !confirmed {
        let mut candidates = Vec::new();
        if let Some(work) = catalog.find_work(&book.title, &book.author) {
            if let Some(w) = catalog.work(work) {
                candidates.extend(cards::card(&catalog, w.representative()));
            }
        }
        let query = format!(
            "{} {}",
            book.title,
            engine::text::first_author(&book.author)
        );
        for card in cards::search(&catalog, &query, CANDIDATES) {
            if candidates.len() < CANDIDATES && !candidates.iter().any(|c| c.isbn == card.isbn) {
                candidates.push(card);
            }
        }
        if !candidates.is_empty() {
            return Ok(AddedBook {
                added: None,
                candidates,
            });
        }
    }
    let now = crate::backend::auth::now();
    let today = state
        .store
        .added_since(reader.user(), BY_HAND, now.saturating_sub(86_400))?;
    if today >= MAX_ADDED_PER_DAY {
        return Err(AppError::TooManyRequests {
            message: format!(
                "You have added {MAX_ADDED_PER_DAY} books in the last 24 hours, as many as one \
                 account adds in a day. Try again tomorrow, or import your library's file."
            ),
            retry_after: 3_600,
        });
    }
    let origin = Origin {
        via: BY_HAND.into(),
        by: reader.user(),
        at: now,
        source_ids: Vec::new(),
    };
    state.store.add_book(&book, &origin)?;
    state.store.flush()?;
    // Searchable and with a page as soon as the reader is told it exists.
    state.reload_catalog()?;
    let catalog = state.catalog();
    let added = catalog
        .find(&book.key)
        .and_then(|idx| cards::card(&catalog, idx));
    Ok(AddedBook {
        added,
        candidates: Vec::new(),
    })
}

/// The catalog book a form describes, its text made safe ([`engine::text::untrusted`]), or why
/// it cannot be one.
fn checked(form: &BookForm) -> Result<Book, AppError> {
    let too_long = |what: &str, max: usize| {
        AppError::Invalid(format!("The {what} is longer than {max} characters."))
    };
    if form.title.chars().count() > MAX_TITLE {
        return Err(too_long("title", MAX_TITLE));
    }
    if form.authors.chars().count() > MAX_AUTHOR {
        return Err(too_long("author", MAX_AUTHOR));
    }
    if form.publisher.chars().count() > MAX_PUBLISHER {
        return Err(too_long("publisher", MAX_PUBLISHER));
    }
    let title = engine::text::untrusted(&form.title, MAX_TITLE);
    if engine::text::fold(&title).is_empty() {
        return Err(AppError::Invalid("A book needs a title.".into()));
    }
    let author = engine::text::untrusted(&form.authors, MAX_AUTHOR);
    if engine::text::fold(&author).is_empty() {
        return Err(AppError::Invalid("A book needs an author.".into()));
    }
    let isbn = form.isbn.trim();
    let key = if isbn.is_empty() {
        reader_key(&title, &author)
    } else {
        let isbn = engine::isbn::strip_label(isbn);
        match engine::isbn::normalize(isbn).filter(|_| engine::isbn::valid_checksum(isbn)) {
            Some(key) => key,
            None => {
                return Err(AppError::Invalid(format!(
                    "\"{}\" is not a valid ISBN: an ISBN has 10 or 13 digits, and the last \
                     one checks the others. Check it, or leave it empty.",
                    isbn.chars().take(20).collect::<String>()
                )))
            }
        }
    };
    let year = match form.year.trim() {
        "" => None,
        y => {
            let next = time::OffsetDateTime::now_utc().year() + 1;
            match y.parse::<i32>() {
                Ok(y) if (1..=next).contains(&y) => Some(y as u16),
                _ => {
                    return Err(AppError::Invalid(format!(
                        "The year is a number from 1 to {next}."
                    )))
                }
            }
        }
    };
    let publisher = engine::text::untrusted(&form.publisher, MAX_PUBLISHER);
    Ok(Book::new(key, title, author)
        .with_year(year)
        .with_publisher(publisher))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(title: &str, authors: &str, isbn: &str, year: &str) -> BookForm {
        BookForm {
            title: title.into(),
            authors: authors.into(),
            isbn: isbn.into(),
            year: year.into(),
            publisher: String::new(),
        }
    }

    #[test]
    fn a_form_becomes_a_safe_book_or_a_clear_refusal() {
        let book = checked(&form(
            " Project\u{202E} Hail Mary ",
            "Andy Weir",
            "ISBN 978-0-593-13520-4",
            "2021",
        ))
        .unwrap();
        assert_eq!(book.title, "Project Hail Mary");
        assert_eq!(book.key, "0593135202");
        assert_eq!(book.year, Some(2021));
        let no_isbn = checked(&form("Piranesi", "Susanna Clarke", "", "")).unwrap();
        assert_eq!(no_isbn.key, reader_key("Piranesi", "Susanna Clarke"));
        for (bad, needle) in [
            (form("", "Andy Weir", "", ""), "needs a title"),
            (form("Dune", " ", "", ""), "needs an author"),
            (
                form("Dune", "Frank Herbert", "0441172718", ""),
                "not a valid ISBN",
            ),
            (form("Dune", "Frank Herbert", "", "12000"), "The year"),
            (form(&"x".repeat(501), "A", "", ""), "longer than 500"),
        ] {
            let err = checked(&bad).unwrap_err().to_string();
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }
}
