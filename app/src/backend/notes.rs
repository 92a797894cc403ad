//! A reader's own notes on a book's page: what their import brought (review, dates, shelves,
//! private notes), with the review's HTML cleaned to a small allowlist.

use std::collections::HashSet;

use crate::backend::state::AppState;
use crate::backend::store::{BookId, UserId};
use crate::error::AppError;
use crate::types::MyNotes;

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
    let shelves: Vec<String> = d
        .bookshelves
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let notes = MyNotes {
        review_html: clean_review(&d.review),
        spoiler: d.spoiler.trim().eq_ignore_ascii_case("true"),
        date_read: d.date_read.trim().to_string(),
        date_added: d.date_added.trim().to_string(),
        shelves,
        private_notes: d.private_notes.trim().to_string(),
        read_count: d.read_count.trim().to_string(),
    };
    let empty = notes.review_html.is_empty()
        && notes.date_read.is_empty()
        && notes.shelves.is_empty()
        && notes.private_notes.is_empty();
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
}
