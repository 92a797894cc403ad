//! A reader's own notes on a book's page: what their import brought or they wrote here
//! (review, date read, times read, tags, private notes), with the review's HTML cleaned to a
//! small allowlist when shown, and the edits a reader makes, checked before they are kept.
//!
//! Notes live in the row the reader brought (`Details`, the `brought` tree), so an export
//! gives back what they wrote in the app exactly as it gives back what they imported.

use std::collections::HashSet;

use engine::datasets::goodreads::Details;
use engine::datasets::storygraph::Reading;

use crate::backend::state::AppState;
use crate::backend::store::{BookId, UserId};
use crate::error::AppError;
use crate::types::MyNotes;

/// Longest review kept (characters): Goodreads' own limit is about 20,000.
pub const MAX_REVIEW: usize = 20_000;
/// Longest private notes kept (characters).
pub const MAX_PRIVATE_NOTES: usize = 5_000;
/// Most tags one book carries.
pub const MAX_TAGS: usize = 50;
/// Longest tag (characters).
pub const MAX_TAG: usize = 60;

/// The built-in shelves' names as Goodreads writes them in `Bookshelves`: they are shelves,
/// not the reader's tags.
const BUILT_IN: [&str; 3] = ["read", "to-read", "currently-reading"];

/// What a reader edits of their notes on a book, as the form sent it.
#[derive(Debug, Clone, Default)]
pub struct NotesEdit {
    /// The review (plain text or the allowlist's HTML; line breaks kept).
    pub review: String,
    /// Whether the review gives the plot away.
    pub spoiler: bool,
    /// When they read it: readings separated by commas or lines, each a date (`YYYY/MM/DD`,
    /// `YYYY-MM-DD`) or a range of two (`2024/03/01-2024/03/09`, open at the end while
    /// reading); empty for none.
    pub dates_read: String,
    /// Times read: a whole number, or empty.
    pub read_count: String,
    /// When they added it (a date as in `dates_read`); `None` leaves it as it is.
    pub date_added: Option<String>,
    /// Copies they own: a whole number, or empty; `None` leaves it as it is.
    pub owned_copies: Option<String>,
    /// Their tags, comma-separated.
    pub tags: String,
    /// Private notes, never shown to anyone else.
    pub private_notes: String,
}

/// The reader's tags on a book: their `Bookshelves` but the built-in shelves, and their own
/// exclusive shelf (`paused`, `did-not-finish`) when it is not among them.
pub fn tags_of(d: &Details) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    let own = d.custom_shelf().map(str::trim).filter(|s| !s.is_empty());
    for tag in d.bookshelves.split(',').map(str::trim).chain(own) {
        if !tag.is_empty()
            && !BUILT_IN.contains(&tag)
            && !tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
        {
            tags.push(tag.to_string());
        }
    }
    tags
}

/// Check and keep a reader's edit of their notes on `book`: the row they brought, or the
/// book's own fields when they brought none, with the edited fields replaced. Their rating and
/// shelf are not touched.
pub async fn save_notes(
    state: &AppState,
    user: UserId,
    book: BookId,
    edit: NotesEdit,
) -> Result<(), AppError> {
    let readings = readings(&edit.dates_read)?;
    let read_count = count(&edit.read_count, "Times read")?;
    let date_added = edit.date_added.as_deref().map(date).transpose()?;
    let owned_copies = edit
        .owned_copies
        .as_deref()
        .map(|n| count(n, "Copies owned"))
        .transpose()?;
    let tags = tags(&edit.tags)?;
    let review = multiline(&edit.review, MAX_REVIEW, "review")?;
    let private_notes = multiline(&edit.private_notes, MAX_PRIVATE_NOTES, "private notes")?;

    let mut d = match state.store.brought(user, book)? {
        Some(d) => d,
        None => {
            let catalog = state.catalog();
            let b = catalog
                .book(book)
                .ok_or_else(|| AppError::NotFound("No such book.".into()))?;
            Details::for_book(b)
        }
    };
    // The built-in shelves the row named stay; the tags are the reader's edit.
    let mut shelves: Vec<String> = d
        .bookshelves
        .split(',')
        .map(str::trim)
        .filter(|s| BUILT_IN.contains(s))
        .map(str::to_string)
        .collect();
    shelves.extend(tags);
    d.shelf_positions = d
        .shelf_positions
        .split(", ")
        .filter(|p| {
            let name = p.split(" (#").next().unwrap_or_default().trim();
            shelves.iter().any(|s| s == name)
        })
        .collect::<Vec<_>>()
        .join(", ");
    d.bookshelves = shelves.join(", ");
    d.review = review;
    d.spoiler = if edit.spoiler {
        "true".into()
    } else {
        String::new()
    };
    d.set_readings(&readings);
    d.read_count = read_count;
    if let Some(added) = date_added {
        d.date_added = added;
    }
    if let Some(owned) = owned_copies {
        d.owned_copies = owned;
    }
    d.private_notes = private_notes;
    state
        .store
        .keep_brought(user, book, &d, crate::backend::auth::now())?;
    state.store.flush_async().await?;
    Ok(())
}

/// A count a reader typed (times read, copies owned): 0–1,000, or empty; `what` names it.
fn count(text: &str, what: &str) -> Result<String, AppError> {
    match text.trim() {
        "" => Ok(String::new()),
        n => match n.parse::<u16>() {
            Ok(n) if n <= 1_000 => Ok(n.to_string()),
            _ => Err(AppError::Invalid(format!(
                "{what} is a whole number from 0 to 1,000."
            ))),
        },
    }
}

/// A date read as Goodreads writes it (`2024/03/09`), from `2024/3/9` or `2024-03-09`; empty
/// stays empty; anything else, or a day that does not exist, is refused.
fn date(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    let refuse = || {
        AppError::Invalid(format!(
            "\"{}\" is not a date: write it as 2024/03/09 (year, month, day).",
            text.chars().take(20).collect::<String>()
        ))
    };
    let parts: Vec<&str> = text.split(['/', '-']).collect();
    let [y, m, d] = parts[..] else {
        return Err(refuse());
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u16>(), m.parse::<u8>(), d.parse::<u8>()) else {
        return Err(refuse());
    };
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    if !(1000..=9999).contains(&y) || d == 0 || d > days {
        return Err(refuse());
    }
    Ok(format!("{y:04}/{m:02}/{d:02}"))
}

/// Most readings one book keeps.
pub const MAX_READINGS: usize = 100;

/// Readings a reader typed, separated by commas or lines: each a date or a range of two
/// ([`date`]'s forms; `2024-03-01-2024-03-09` is split at the dash with a date on both sides),
/// open at the end (`2024/03/01-`) while a reading is under way. A range that ends before it
/// starts, or anything else, is refused.
fn readings(text: &str) -> Result<Vec<Reading>, AppError> {
    let mut out = Vec::new();
    for piece in text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if out.len() == MAX_READINGS {
            return Err(AppError::Invalid(format!(
                "At most {MAX_READINGS} readings are kept for a book."
            )));
        }
        if let Ok(day) = date(piece) {
            out.push(Reading {
                started: None,
                finished: Some(day),
            });
            continue;
        }
        let range = piece.match_indices('-').find_map(|(at, _)| {
            let (start, end) = (piece[..at].trim(), piece[at + 1..].trim());
            let start = date(start).ok().filter(|s| !s.is_empty())?;
            let end = date(end).ok()?;
            Some((start, end))
        });
        match range {
            Some((start, end)) if end.is_empty() || start <= end => out.push(Reading {
                started: Some(start),
                finished: Some(end).filter(|e| !e.is_empty()),
            }),
            Some(_) => {
                return Err(AppError::Invalid(format!(
                    "\"{}\" ends before it starts.",
                    piece.chars().take(30).collect::<String>()
                )))
            }
            None => {
                return Err(AppError::Invalid(format!(
                    "\"{}\" is not a date: write it as 2024/03/09 (year, month, day), or \
                     2024/03/01-2024/03/09 for a reading over several days.",
                    piece.chars().take(30).collect::<String>()
                )))
            }
        }
    }
    Ok(out)
}

/// Tags from a comma-separated list: each made safe like any reader's text
/// ([`engine::text::untrusted`]), duplicates (case ignored) and the built-in shelves' names
/// dropped; too many or too long is refused rather than cut.
fn tags(list: &str) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for raw in list.split(',') {
        if raw.trim().chars().count() > MAX_TAG {
            return Err(AppError::Invalid(format!(
                "A tag is at most {MAX_TAG} characters."
            )));
        }
        let tag = engine::text::untrusted(raw, MAX_TAG);
        if tag.is_empty()
            || BUILT_IN.contains(&tag.as_str())
            || out.iter().any(|t| t.eq_ignore_ascii_case(&tag))
        {
            continue;
        }
        out.push(tag);
    }
    if out.len() > MAX_TAGS {
        return Err(AppError::Invalid(format!(
            "A book takes at most {MAX_TAGS} tags."
        )));
    }
    Ok(out)
}

/// Text of many lines a reader wrote, made safe ([`engine::text::untrusted_lines`]); longer
/// than `max` characters is refused, naming `what`. HTML is left as written: it is cleaned
/// when shown ([`clean_review`]).
fn multiline(text: &str, max: usize, what: &str) -> Result<String, AppError> {
    if text.chars().count() > max {
        return Err(AppError::Invalid(format!(
            "The {what} is longer than {max} characters."
        )));
    }
    Ok(engine::text::untrusted_lines(text))
}

/// The tags a review keeps: Goodreads writes `<br/>`, `<i>`, `<b>`, `<a>` and a few more;
/// anything else (scripts, styles, images, frames, event attributes) is dropped.
const REVIEW_TAGS: &[&str] = &[
    "a",
    "b",
    "blockquote",
    "br",
    "em",
    "i",
    "li",
    "ol",
    "p",
    "strong",
    "u",
    "ul",
];

/// The reader's notes on `book`, when an import brought any.
pub fn my_notes(state: &AppState, user: UserId, book: BookId) -> Result<Option<MyNotes>, AppError> {
    let Some(d) = state.store.brought(user, book)? else {
        return Ok(None);
    };
    let notes = MyNotes {
        // Line breaks typed in the app's form are breaks on the page too.
        review_html: clean_review(&d.review.replace('\n', "<br>")),
        review: d.review.clone(),
        tags: tags_of(&d),
        spoiler: d.spoiler.trim().eq_ignore_ascii_case("true"),
        dates_read: d
            .readings()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        date_added: d.date_added.trim().to_string(),
        private_notes: d.private_notes.trim().to_string(),
        read_count: d.read_count.trim().to_string(),
        owned_copies: d.owned_copies.trim().to_string(),
    };
    let empty = notes.review_html.is_empty()
        && notes.dates_read.is_empty()
        && notes.tags.is_empty()
        && notes.private_notes.is_empty()
        && notes.read_count.is_empty()
        && notes.owned_copies.is_empty();
    Ok((!empty).then_some(notes))
}

/// A review's HTML with only [`REVIEW_TAGS`], links only to `http(s)` and marked
/// `nofollow noopener noreferrer`, every other attribute dropped.
pub fn clean_review(html: &str) -> String {
    let tags: HashSet<&str> = REVIEW_TAGS.iter().copied().collect();
    let cleaned = ammonia::Builder::new()
        .tags(tags)
        .generic_attributes(HashSet::new())
        .tag_attributes(std::iter::once(("a", HashSet::from(["href"]))).collect())
        .url_schemes(HashSet::from(["http", "https"]))
        .link_rel(Some("nofollow noopener noreferrer"))
        .clean(html.trim())
        .to_string();
    cleaned.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_keeps_its_formatting_and_loses_anything_active() {
        assert_eq!(
            clean_review("Loved it.<br/><br/><i>Really</i> <b>did</b>."),
            "Loved it.<br><br><i>Really</i> <b>did</b>."
        );
        let hostile = clean_review(
            "<script>alert(1)</script><img src=x onerror=alert(2)><b onclick=\"x()\">bold</b>\
             <a href=\"javascript:alert(3)\">a</a><a href=\"https://example.org/\">b</a>\
             <style>body{}</style><iframe src=\"https://evil\"></iframe>",
        );
        for bad in [
            "script",
            "alert",
            "onerror",
            "onclick",
            "javascript",
            "style",
            "iframe",
            "img",
        ] {
            assert!(!hostile.contains(bad), "{bad} in {hostile}");
        }
        assert!(hostile.contains("<b>bold</b>"), "{hostile}");
        assert!(
            hostile.contains(
                "<a href=\"https://example.org/\" rel=\"nofollow noopener noreferrer\">b</a>"
            ),
            "{hostile}"
        );
        // Plain text is escaped, not interpreted.
        assert_eq!(clean_review("1 < 2 & 3 > 2"), "1 &lt; 2 &amp; 3 &gt; 2");
        assert_eq!(clean_review("  "), "");
    }

    fn r(started: Option<&str>, finished: Option<&str>) -> Reading {
        Reading {
            started: started.map(str::to_string),
            finished: finished.map(str::to_string),
        }
    }

    #[test]
    fn readings_are_dates_and_ranges_in_one_form() {
        assert_eq!(readings(" ").unwrap(), []);
        assert_eq!(readings("2024-3-9").unwrap(), [r(None, Some("2024/03/09"))]);
        assert_eq!(
            readings("2019/3/1 - 2019/3/15,\n2021-06-02-2021-06-30, 2024/12/01-").unwrap(),
            [
                r(Some("2019/03/01"), Some("2019/03/15")),
                r(Some("2021/06/02"), Some("2021/06/30")),
                r(Some("2024/12/01"), None),
            ]
        );
    }

    #[test]
    fn readings_that_are_no_dates_are_refused() {
        for bad in [
            "2024/02/30",
            "yesterday",
            "2024/03/09-2024/03/01",
            "-2024/03/01",
            "2024/13/01-",
        ] {
            assert!(
                matches!(readings(bad), Err(AppError::Invalid(_))),
                "{bad} was taken"
            );
        }
        let many = vec!["2020/01/01"; MAX_READINGS + 1].join(",");
        assert!(readings(&many).is_err());
        assert_eq!(readings(&many[11..]).unwrap().len(), MAX_READINGS);
    }
}
