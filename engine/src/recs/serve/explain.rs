//! Why a book is recommended: the reasons in reader terms ([`Because`]) and the one
//! explanation a list shows ([`Explanation`]).

use serde::{Deserialize, Serialize};

use super::Recommendation;
use crate::recs::models::content::Feature;

/// What one recommendation is for, in terms a reader understands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Because {
    /// You rated this book (catalog key).
    Book(String),
    /// It shares this content feature (an author, a title word, a decade…) with books you
    /// rated.
    Feature(Feature),
    /// Popular with readers.
    Popular,
}

/// What to tell a reader about one recommendation, from its reasons ([`Explanation::of`]);
/// the app words it ("Because you liked A and B", "Same author as books you liked: …").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Explanation {
    /// Books the reader rated that carry the recommendation, largest share first: one or two
    /// catalog keys from [`Explanation::of`], or the names [`Explanation::of_named`] gave.
    Books(Vec<String>),
    /// A content feature it shares with books the reader liked (the first one listed).
    Feature(Feature),
    /// Nothing more specific: popular with readers.
    Popular,
}

impl Explanation {
    /// Up to two rated books with a positive share, largest share first; else the first
    /// feature; else popularity. `because` is a [`Recommendation::because`] list.
    pub fn of(because: &[(Because, f32)]) -> Explanation {
        Explanation::of_named(because, |key| Some(key.to_string()))
    }

    /// [`Explanation::of`] with each book named by `name(key)` (e.g. its title), counting only
    /// the books it can name, so the caller looks each book up once.
    pub fn of_named(
        because: &[(Because, f32)],
        name: impl Fn(&str) -> Option<String>,
    ) -> Explanation {
        let books: Vec<String> = because
            .iter()
            .filter(|(_, share)| *share > 0.0)
            .filter_map(|(b, _)| match b {
                Because::Book(key) => name(key),
                _ => None,
            })
            .take(2)
            .collect();
        if !books.is_empty() {
            return Explanation::Books(books);
        }
        because
            .iter()
            .find_map(|(b, _)| match b {
                Because::Feature(f) => Some(Explanation::Feature(f.clone())),
                _ => None,
            })
            .unwrap_or(Explanation::Popular)
    }
}

impl Recommendation {
    /// This recommendation's [`Explanation`].
    pub fn explanation(&self) -> Explanation {
        Explanation::of(&self.because)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_round_trip() {
        for name in [
            "author:j r r tolkien",
            "publisher:ace",
            "word:dragon",
            "decade:1990",
            "tag:sci fi",
        ] {
            assert_eq!(Feature::parse(name).unwrap().to_string(), name);
        }
        assert_eq!(Feature::parse("decade:1990"), Some(Feature::Decade(1990)));
        assert_eq!(Feature::parse("nothing"), None);
        assert_eq!(Feature::parse("colour:red"), None);
    }

    #[test]
    fn books_with_a_positive_share_come_first_then_the_first_feature() {
        let book = |k: &str, s| (Because::Book(k.into()), s);
        let tag = |t: &str, s| (Because::Feature(Feature::Tag(t.into())), s);
        let b = [
            book("a", 0.0),
            tag("x", 0.5),
            book("b", 0.4),
            book("c", 0.3),
            book("d", 0.2),
        ];
        assert_eq!(
            Explanation::of(&b),
            Explanation::Books(vec!["b".into(), "c".into()])
        );
        assert_eq!(
            Explanation::of_named(&b, |k| (k == "d").then(|| "D".to_string())),
            Explanation::Books(vec!["D".into()])
        );
        assert_eq!(
            Explanation::of(&[book("a", -1.0), tag("x", 0.1), tag("y", 0.9)]),
            Explanation::Feature(Feature::Tag("x".into()))
        );
        assert_eq!(
            Explanation::of(&[(Because::Popular, 0.0)]),
            Explanation::Popular
        );
        assert_eq!(Explanation::of(&[]), Explanation::Popular);
    }
}
