//! Moving a library in and out: import a library export of Goodreads, StoryGraph or
//! LibraryThing (an upload; the format is told from the file's header), export as CSV in
//! Goodreads' layout (it round-trips through the import, with the columns StoryGraph and
//! LibraryThing have and Goodreads has not after Goodreads' own) or as JSON.
//!
//! The upload and the downloads are plain HTTP routes rather than server functions: a browser
//! posts a file from a form and saves a download from a link, with or without JavaScript. They
//! share the server functions' session handling by running it in a reactive owner of their own.

use axum::extract::{Multipart, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use engine::datasets::goodreads::{self, ExportRow, GoodreadsRow, Match, MatchedBy};
use engine::datasets::library::{self, Format};
use engine::datasets::stars;
use engine::records::Book;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

use crate::backend::auth::session::{self, Current};
use crate::backend::state::AppState;
use crate::backend::store::added::{ImportedRow, Origin, Target};
use crate::backend::store::library::Change;
use crate::backend::store::{BookId, UserId};
use crate::error::AppError;
use crate::types::{ImportSummary, Shelf};

/// Largest accepted upload: an export of [`MAX_ROWS`] books of any format. Goodreads' is about
/// 5 MB; LibraryThing's, with its 49 columns, about 12 MB (real ones run 520–610 bytes a row).
pub const MAX_UPLOAD_BYTES: usize = 16 << 20;
/// Most rows one import accepts.
pub const MAX_ROWS: usize = 20_000;

/// The summary of the request's reader's last import, if they made one.
pub fn last_import(state: &AppState) -> Result<Option<ImportSummary>, AppError> {
    let Some(current) = session::current(state)? else {
        return Ok(None);
    };
    Ok(state.store.meta(&summary_key(current.user()))?)
}

/// Where a reader's last import summary is kept in the store's `meta` tree.
pub fn summary_key(user: UserId) -> String {
    crate::backend::store::transfer_summary_key(user)
}

/// Run session code (which reads the request and may set a cookie) outside a server
/// function: the answer, and the `Set-Cookie` headers it produced.
fn with_session<T>(
    state: &AppState,
    headers: &HeaderMap,
    f: impl FnOnce(&AppState) -> Result<T, AppError>,
) -> (Result<T, AppError>, Vec<HeaderValue>) {
    let owner = Owner::new();
    let options = ResponseOptions::default();
    let result = owner.with(|| {
        let mut request = http::Request::new(());
        *request.headers_mut() = headers.clone();
        provide_context(request.into_parts().0);
        provide_context(options.clone());
        f(state)
    });
    let cookies = options
        .0
        .read()
        .map(|p| {
            p.headers
                .get_all(header::SET_COOKIE)
                .iter()
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    (result, cookies)
}

fn error_response(error: AppError, cookies: Vec<HeaderValue>) -> Response {
    with_cookies(error.into_response(), cookies)
}

fn with_cookies(mut response: Response, cookies: Vec<HeaderValue>) -> Response {
    for c in cookies {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

/// `POST /import/library` (multipart, field `file`; also `/import/goodreads`, its first name): import a Goodreads, StoryGraph or
/// LibraryThing export, keep the summary, and send a browser to `/import` to read it (other
/// clients get the summary as JSON).
pub async fn import_library(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    // The file first: a refused upload must not leave a new anonymous reader behind.
    let bytes = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => match field.bytes().await {
                Ok(b) => break b,
                Err(e) => {
                    return error_response(
                        AppError::Invalid(format!("The upload failed: {}", e.body_text())),
                        Vec::new(),
                    )
                }
            },
            Ok(Some(_)) => continue,
            Ok(None) => {
                return error_response(
                    AppError::Invalid(
                        "Choose the file to import: the CSV file Goodreads or StoryGraph \
                         exports, or LibraryThing's tab-separated (TSV) file."
                            .into(),
                    ),
                    Vec::new(),
                )
            }
            Err(e) => {
                return error_response(
                    AppError::Invalid(format!("The upload failed: {}", e.body_text())),
                    Vec::new(),
                )
            }
        }
    };
    let (current, cookies) = with_session(&state, &headers, session::current_or_anonymous);
    let current = match current {
        Ok(c) => c,
        Err(e) => return error_response(e, cookies),
    };
    let summary = {
        let state = state.clone();
        let adds_books = current.session.account;
        tokio::task::spawn_blocking(move || {
            import_bytes(&state, current.user(), adds_books, &bytes)
        })
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "import task failed");
            Err(AppError::Internal)
        })
    };
    let summary = match summary {
        Ok(s) => s,
        Err(e) => return error_response(e, cookies),
    };
    if let Err(e) = state.store.flush_async().await {
        tracing::error!(error = %e, "flush after import failed");
        return error_response(AppError::Internal, cookies);
    }
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let status = if summary.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let response = if wants_html {
        (StatusCode::SEE_OTHER, [(header::LOCATION, "/import")]).into_response()
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(&summary).unwrap_or_default(),
        )
            .into_response()
    };
    with_cookies(response, cookies)
}

/// Import a library export (Goodreads, StoryGraph or LibraryThing:
/// [`library::read_library_export`]) into `user`'s library: every row in one transaction (all
/// or nothing), the summary kept for the `/import` page. A row that matches no catalog book
/// becomes one when `adds_books` (a signed-in reader: anonymous readers cannot grow the
/// catalog, and are asked to sign up). A file refused as a whole writes nothing and answers a
/// summary with its `error`.
///
/// The books a file adds are written in the library's transaction
/// ([`Store::import_library`](crate::backend::store::Store::import_library)): a failure leaves
/// no book behind.
pub fn import_bytes(
    state: &AppState,
    user: UserId,
    adds_books: bool,
    bytes: &[u8],
) -> Result<ImportSummary, AppError> {
    let mut summary = ImportSummary {
        rows: 0,
        matched: 0,
        ratings: 0,
        shelved: 0,
        by_isbn10: 0,
        by_isbn13: 0,
        by_title: 0,
        by_source_id: 0,
        created: 0,
        unmatched: vec![],
        rejected: vec![],
        error: None,
    };
    let (format, rows, rejected) = match library::read_library_export(bytes, MAX_ROWS) {
        Ok(export) => (export.format, export.rows, export.rejected),
        Err(e) => {
            summary.error = Some(e.to_string());
            state.store.set_meta(&summary_key(user), &summary)?;
            return Ok(summary);
        }
    };
    summary.rows = (rows.len() + rejected.len()) as u32;
    summary.rejected = rejected
        .iter()
        .map(|r| format!("line {}: {}", r.line, r.reason))
        .collect();
    let now = crate::backend::auth::now();
    let catalog = state.catalog();
    let mut rows_out = Vec::new();
    // The books this import adds, each once: a second row naming one finds it by key.
    let mut new_books: Vec<(Book, Origin)> = Vec::new();
    let mut new_index: HashMap<String, usize> = HashMap::new();
    // The catalog books rows of this file went to: a second row matched by title to the same
    // edition (two editions of a work on the reader's shelves) becomes a book of its own
    // rather than overwrite the first row's dates and review.
    let mut claimed: HashSet<BookId> = HashSet::new();
    for m in goodreads::match_rows(&catalog, rows) {
        let m = match m {
            Match::Matched { row, key, how } if how == MatchedBy::TitleAuthor && adds_books => {
                let free = goodreads::title_matches(&catalog, &row)
                    .into_iter()
                    .find(|k| catalog.find(k).is_some_and(|b| !claimed.contains(&b)));
                let own_is_new = row
                    .new_book()
                    .is_some_and(|b| catalog.find(&b.key).is_none());
                match free {
                    Some(key) => Match::Matched { row, key, how },
                    None if own_is_new => Match::Unmatched { row },
                    // Every book it may be is taken and its own is one of them: a further row
                    // for that book, kept beside the first (`one_row_per_book`).
                    None => Match::Matched { row, key, how },
                }
            }
            m => m,
        };
        if let Match::Matched { key, .. } = &m {
            claimed.extend(catalog.find(key));
        }
        let (row, target) = match m {
            Match::Matched { row, key, how } => {
                let Some(book) = catalog.find(&key) else {
                    continue;
                };
                summary.matched += 1;
                match how {
                    MatchedBy::Isbn10 => summary.by_isbn10 += 1,
                    MatchedBy::Isbn13 => summary.by_isbn13 += 1,
                    MatchedBy::SourceId => summary.by_source_id += 1,
                    MatchedBy::TitleAuthor => summary.by_title += 1,
                }
                (row, Target::Book(book))
            }
            Match::Unmatched { row } => {
                let new = adds_books.then(|| row.new_book()).flatten();
                let Some(new) = new else {
                    summary.unmatched.push(if row.author.is_empty() {
                        row.title.clone()
                    } else {
                        format!("{} — {}", row.title, row.author)
                    });
                    continue;
                };
                let index = *new_index.entry(new.key.clone()).or_insert_with(|| {
                    let origin = Origin {
                        via: format!("{}-import", format.slug()),
                        by: user,
                        at: now,
                        source_ids: source_ids(format, &row),
                    };
                    new_books.push((new, origin));
                    new_books.len() - 1
                });
                (row, Target::New(index))
            }
        };
        let rating = row.rating();
        let shelf = shelf_of(&row);
        summary.ratings += u32::from(rating.is_some());
        summary.shelved += u32::from(shelf.is_some());
        // Every row is kept whole, rated or not, on a shelf of ours or not.
        rows_out.push(ImportedRow {
            target,
            change: Change {
                book: 0,
                rating: rating.map(Some),
                shelf: shelf.map(Some),
            },
            details: row.details,
            more: vec![],
        });
    }
    let targets: Vec<Target> = rows_out.iter().map(|r| r.target).collect();
    let rows_out = one_row_per_book(rows_out);
    let added = state
        .store
        .import_library(user, &new_books, &rows_out, now)?;
    // Rows naming a book the import created count as created once, the others as matched
    // (a book another reader added since the catalog was read, or a repeated row).
    let mut counted = vec![false; added.len()];
    for target in targets {
        if let Target::New(i) = target {
            if added[i].1 && !counted[i] {
                counted[i] = true;
                summary.created += 1;
            } else {
                summary.matched += 1;
            }
        }
    }
    state.store.set_meta(&summary_key(user), &summary)?;
    if summary.created > 0 {
        // New books are searchable and have a page as soon as the import answers.
        state.reload_catalog()?;
    }
    tracing::info!(
        user,
        format = format.slug(),
        rows = summary.rows,
        matched = summary.matched,
        "library import"
    );
    Ok(summary)
}

/// The rows of a file grouped by book, in the file's order: a book's first row is the one its
/// rating and shelf come from, and the file's later rows for the same book (the same ISBN twice,
/// a book read twice listed twice) are kept whole beside it ([`ImportedRow::more`]), so nothing
/// the reader brought is lost and an export gives every row back in the same order.
fn one_row_per_book(rows: Vec<ImportedRow>) -> Vec<ImportedRow> {
    let mut first: HashMap<Target, usize> = HashMap::new();
    let mut out: Vec<ImportedRow> = Vec::with_capacity(rows.len());
    for row in rows {
        match first.get(&row.target) {
            Some(&i) => out[i].more.push(row.details),
            None => {
                first.insert(row.target, out.len());
                out.push(row);
            }
        }
    }
    out
}

/// The source's own ids of a row that becomes a catalog book: Goodreads' `Book Id`, or
/// LibraryThing's (kept as `LibraryThing Book Id`; old exports call it `book id`). StoryGraph's
/// export has none.
fn source_ids(format: Format, row: &GoodreadsRow) -> Vec<(String, String)> {
    let id = match format {
        Format::Goodreads => row
            .source_key()
            .map(|_| ("goodreads", row.details.book_id.clone())),
        Format::LibraryThing => row
            .details
            .other
            .iter()
            .find(|(name, _)| {
                name == "LibraryThing Book Id" || name.eq_ignore_ascii_case("book id")
            })
            .map(|(_, id)| id.trim())
            .filter(|id| !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()))
            .map(|id| ("librarything", id.to_string())),
        Format::StoryGraph => None,
    };
    id.map(|(source, id)| (source.to_string(), id))
        .into_iter()
        .collect()
}

/// The shelf an imported row goes on: one of Goodreads' built-in shelves, or "Did not finish"
/// for the names readers give that shelf of their own (StoryGraph's `did-not-finish`); any
/// other exclusive shelf of the reader's (`paused`, `to-read-non-fiction`) stays a named status
/// of the row brought.
fn shelf_of(row: &GoodreadsRow) -> Option<Shelf> {
    if let Some(shelf) = row.shelf {
        return Some(match shelf {
            goodreads::Shelf::WantToRead => Shelf::WantToRead,
            goodreads::Shelf::Reading => Shelf::Reading,
            goodreads::Shelf::Read => Shelf::Read,
        });
    }
    let name: String = row
        .details
        .exclusive_shelf
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let gave_up = DID_NOT_FINISH.contains(&name.as_str()) || name.contains("dnf");
    gave_up.then_some(Shelf::DidNotFinish)
}

/// Readers' own names for the shelf of books they gave up, letters and digits only (and any
/// name with `dnf` in it: `lost-interest-dnf`).
const DID_NOT_FINISH: [&str; 11] = [
    "dropped",
    "didnotfinish",
    "dnf",
    "didntfinish",
    "abandoned",
    "gaveup",
    "wontfinish",
    "notfinished",
    "unfinished",
    "stoppedreading",
    "neverfinished",
];

/// The reader's library as export rows (a book they only marked "not interested" has no
/// Goodreads equivalent and is left out of the CSV).
fn export_rows(
    state: &AppState,
    user: UserId,
) -> Result<Vec<(ExportRow, Option<Shelf>, u64)>, AppError> {
    let library = state.store.library_of(user)?;
    let mut brought: std::collections::HashMap<_, _> =
        state.store.brought_of(user)?.into_iter().collect();
    let mut more = state.store.brought_more_of(user)?;
    let catalog = state.catalog();
    Ok(library
        .iter()
        .filter_map(|b| {
            let book = catalog.book(b.book)?;
            let shelf = b.entry.and_then(|e| e.shelf);
            let updated = b.entry.map(|e| e.updated).unwrap_or(0);
            let mut row = ExportRow::for_book(book);
            row.stars = b.rating.and_then(goodreads::stars_of);
            row.details = brought.remove(&b.book);
            // The quarter or half stars a StoryGraph or LibraryThing row brought, while they
            // are still the reader's rating; the current rating once the reader changed it.
            if let Some(details) = row.details.as_mut() {
                stars::refresh_kept(details, b.rating);
            }
            row.shelf = shelf.and_then(|s| match s {
                Shelf::WantToRead => Some(goodreads::Shelf::WantToRead),
                Shelf::Reading => Some(goodreads::Shelf::Reading),
                Shelf::Read => Some(goodreads::Shelf::Read),
                Shelf::NotInterested | Shelf::DidNotFinish => None,
            });
            // The reader's own name for the shelf they brought, else ours.
            let own = row.details.as_ref().and_then(|d| d.custom_shelf());
            row.own_shelf = match shelf {
                Some(Shelf::DidNotFinish) => Some(own.unwrap_or("did-not-finish").to_string()),
                None => own.map(str::to_string),
                Some(_) => None,
            };
            let date = crate::backend::library::date(updated);
            row.date_added = (!date.is_empty()).then(|| date.replace('-', "/"));
            // The file's further rows for this book, each as it came: its own stars and shelf.
            let further = more
                .remove(&b.book)
                .unwrap_or_default()
                .into_iter()
                .map(move |d| {
                    let mut extra = ExportRow::for_book(book);
                    extra.stars = d
                        .my_rating
                        .trim()
                        .parse::<u8>()
                        .ok()
                        .filter(|s| (1..=5).contains(s));
                    extra.shelf = goodreads::Shelf::parse(d.exclusive_shelf.trim());
                    extra.own_shelf = d.custom_shelf().map(str::to_string);
                    extra.details = Some(d);
                    (extra, shelf, updated)
                });
            Some(std::iter::once((row, shelf, updated)).chain(further))
        })
        .flatten()
        .collect())
}

fn reader_or_401(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(Current, Vec<HeaderValue>), Box<Response>> {
    let (current, cookies) = with_session(state, headers, session::current);
    match current {
        Ok(Some(c)) => Ok((c, cookies)),
        Ok(None) => Err(Box::new(error_response(
            AppError::Unauthorized(
                "There is nothing to export yet: rate or shelve a book first.".into(),
            ),
            cookies,
        ))),
        Err(e) => Err(Box::new(error_response(e, cookies))),
    }
}

fn download(
    content_type: &'static str,
    name: &'static str,
    body: Vec<u8>,
    cookies: Vec<HeaderValue>,
) -> Response {
    with_cookies(
        (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CONTENT_DISPOSITION, name),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        cookies,
    )
}

/// `GET /export/goodreads.csv`: the library in Goodreads' export layout.
pub async fn export_csv(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (current, cookies) = match reader_or_401(&state, &headers) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let rows = match export_rows(&state, current.user()) {
        Ok(r) => r,
        Err(e) => return error_response(e, cookies),
    };
    let rows: Vec<ExportRow> = rows
        .into_iter()
        .filter(|(r, _, _)| {
            r.stars.is_some() || r.shelf.is_some() || r.own_shelf.is_some() || r.details.is_some()
        })
        .map(|(r, _, _)| r)
        .collect();
    let mut body = Vec::new();
    if let Err(e) = goodreads::write_export(&mut body, &rows) {
        return error_response(AppError::from(e), cookies);
    }
    download(
        "text/csv; charset=utf-8",
        "attachment; filename=\"shelfwise_library_export.csv\"",
        body,
        cookies,
    )
}

/// One book in the JSON export.
#[derive(Debug, Serialize)]
struct JsonBook {
    isbn: String,
    title: String,
    author: String,
    year: Option<u16>,
    stars: Option<u8>,
    rating_1_to_10: Option<u8>,
    shelf: Option<&'static str>,
    updated: String,
    /// The row the reader imported for this book, every column, if they did.
    imported: Option<goodreads::Details>,
    /// The same file's further rows for this book, every column (see `ImportedRow::more`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also_imported: Vec<goodreads::Details>,
}

/// `GET /export/shelfwise.json`: everything, including "not interested".
pub async fn export_json(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (current, cookies) = match reader_or_401(&state, &headers) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let username = state
        .store
        .account_of(current.user())
        .ok()
        .flatten()
        .map(|a| a.username);
    let library = match state.store.library_of(current.user()) {
        Ok(l) => l,
        Err(e) => return error_response(AppError::from(e), cookies),
    };
    let mut brought: std::collections::HashMap<_, _> = match state.store.brought_of(current.user())
    {
        Ok(b) => b.into_iter().collect(),
        Err(e) => return error_response(AppError::from(e), cookies),
    };
    let mut more = match state.store.brought_more_of(current.user()) {
        Ok(m) => m,
        Err(e) => return error_response(AppError::from(e), cookies),
    };
    let catalog = state.catalog();
    let books: Vec<JsonBook> = library
        .iter()
        .filter_map(|b| {
            let book = catalog.book(b.book)?;
            let mine = crate::backend::library::state_of(b);
            Some(JsonBook {
                isbn: book.key.clone(),
                title: book.title.clone(),
                author: book.author.clone(),
                year: book.year,
                stars: mine.stars,
                rating_1_to_10: b.rating.map(|r| r.value()),
                shelf: mine.shelf.map(|s| s.slug()),
                updated: crate::backend::library::date(b.entry.map(|e| e.updated).unwrap_or(0)),
                imported: brought.remove(&b.book),
                also_imported: more.remove(&b.book).unwrap_or_default(),
            })
        })
        .collect();
    let doc = serde_json::json!({
        "format": "shelfwise-library/1",
        "username": username,
        "exported": crate::backend::library::date(crate::backend::auth::now()),
        "books": books,
    });
    download(
        "application/json",
        "attachment; filename=\"shelfwise_library.json\"",
        serde_json::to_vec_pretty(&doc).unwrap_or_default(),
        cookies,
    )
}
