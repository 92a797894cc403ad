//! Star ratings finer than whole stars: StoryGraph's quarter stars (0.25–5) and LibraryThing's
//! half stars (0.5–5), on Shelfwise's 1–10 scale ([`Rating`]) and back.
//!
//! The 1–10 scale has room for every half star (`2 × stars`), not for every quarter star:
//! 0.25–5 in quarters is twenty values for ten. A quarter star is rounded down to the half
//! below it (3.75 → 3.5 → 7; 0.25 is the lowest explicit rating, 1), so that the whole stars of
//! the rating ([`stars_of`]: 7 → 4) are the quarter stars rounded to the nearest whole star,
//! halves up (3.25 → 3, 3.5 → 4, 3.75 → 4), the way a reader moving to Goodreads would round.
//!
//! What is lost on the 1–10 scale is kept as text: an import keeps the column as the file
//! spelled it (`Star Rating`, `Rating`, in [`Details::other`]), and [`text_for`] gives that text
//! back for as long as it still says what the reader's rating says. A reader's export read
//! back ([`kept_rating`]) therefore comes back with the same quarter stars, and a rating the
//! reader changed in the meantime is written as the new rating.

use super::goodreads::{stars_of, Details};
use crate::records::Rating;

/// How fine a source's stars are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// 0.25, 0.5, 0.75, ... 5 (StoryGraph).
    Quarter,
    /// 0.5, 1, 1.5, ... 5 (LibraryThing).
    Half,
}

impl Step {
    /// Quarters per step.
    fn quarters(self) -> u8 {
        match self {
            Step::Quarter => 1,
            Step::Half => 2,
        }
    }
}

/// A rating of 0.25 to 5 stars, in quarter stars (1–20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stars(u8);

impl Stars {
    /// `quarters` quarter stars; `None` outside 1–20.
    pub fn from_quarters(quarters: u8) -> Option<Stars> {
        (1..=20).contains(&quarters).then_some(Stars(quarters))
    }

    /// The rating in quarter stars (1–20).
    pub fn quarters(self) -> u8 {
        self.0
    }

    /// Read a rating as a source writes it: `4`, `4.0`, `3.75`, `.5`, or with a decimal comma
    /// (`3,5`, as a spreadsheet in a French or German locale writes it). `Ok(None)` for an
    /// empty cell and for 0 (not rated); an error for anything else that is not a multiple
    /// of `step` between one step and 5 stars.
    pub fn parse(text: &str, step: Step) -> Result<Option<Stars>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let expected = match step {
            Step::Quarter => "0.25–5 stars in quarter stars expected",
            Step::Half => "0.5–5 stars in half stars expected",
        };
        let bad = || format!("{} ({expected})", super::csv_lines::quoted(text));
        let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(fraction) || (whole.is_empty() && fraction.is_empty()) {
            return Err(bad());
        }
        let whole: u32 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let quarter = match fraction.trim_end_matches('0') {
            "" => 0,
            "25" => 1,
            "5" => 2,
            "75" => 3,
            _ => return Err(bad()),
        };
        let quarters = whole.checked_mul(4).and_then(|q| q.checked_add(quarter));
        match quarters {
            Some(0) => Ok(None),
            Some(q) if q <= 20 && q % u32::from(step.quarters()) == 0 => Ok(Some(Stars(q as u8))),
            _ => Err(bad()),
        }
    }

    /// The rating on Shelfwise's scale: the half star at or below (3.75 → 7), at least 1.
    pub fn rating(self) -> Rating {
        Rating::new((self.0 / 2).max(1)).unwrap_or(Rating::new(1).expect("1 is a rating"))
    }

    /// Whole stars (1–5) for a Goodreads `My Rating`: [`stars_of`] of [`Stars::rating`].
    pub fn whole(self) -> u8 {
        stars_of(self.rating()).unwrap_or(1)
    }

    /// The stars a rating on Shelfwise's scale stands for (7 → 3.5); `None` for an implicit
    /// rating.
    pub fn of_rating(rating: Rating) -> Option<Stars> {
        rating.is_explicit().then(|| Stars(rating.value() * 2))
    }

    /// As StoryGraph writes stars: `4.0`, `3.5`, `3.75`.
    pub fn text(self) -> String {
        let (whole, quarter) = (self.0 / 4, self.0 % 4);
        let fraction = ["0", "25", "5", "75"][usize::from(quarter)];
        format!("{whole}.{fraction}")
    }
}

/// The text to write for the reader's current rating in a column of fine stars that an
/// import kept as `kept`: `kept` itself while it still stands for `rating` (so that 3.75 stays
/// 3.75, and `4` stays `4`), else `rating` in stars (`3.5`), or empty when not rated.
pub fn text_for(rating: Option<Rating>, kept: &str, step: Step) -> String {
    let kept_rating = Stars::parse(kept, step).ok().flatten().map(Stars::rating);
    let rating = rating.filter(|r| r.is_explicit());
    if kept_rating == rating {
        return kept.to_string();
    }
    rating
        .and_then(Stars::of_rating)
        .map(Stars::text)
        .unwrap_or_default()
}

/// The columns of fine stars that imports keep, and their step: StoryGraph's `Star Rating`,
/// LibraryThing's `Rating` (`rating` in its old export; names are compared ignoring case).
pub const KEPT_COLUMNS: [(&str, Step); 2] =
    [("Star Rating", Step::Quarter), ("Rating", Step::Half)];

/// The rating a kept column of fine stars gives a row whose `My Rating` is `whole` stars: the
/// finer rating when it agrees with `whole` (it rounds to the same whole stars), else `None`
/// (the reader changed the rating somewhere that did not update the kept column: `My Rating`
/// wins).
pub fn kept_rating(other: &[(String, String)], whole: Option<u8>) -> Option<Rating> {
    let whole = whole?;
    KEPT_COLUMNS.iter().find_map(|(name, step)| {
        let (_, text) = other.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        let stars = Stars::parse(text, *step).ok().flatten()?;
        (stars.whole() == whole).then(|| stars.rating())
    })
}

/// Rewrite the kept columns of fine stars of a row for the reader's current rating
/// ([`text_for`]), before it is exported.
pub fn refresh_kept(details: &mut Details, rating: Option<Rating>) {
    for (name, value) in &mut details.other {
        if let Some((_, step)) = KEPT_COLUMNS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            let text = text_for(rating, value, *step);
            if text != *value {
                *value = text;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stars(text: &str, step: Step) -> Option<u8> {
        Stars::parse(text, step).unwrap().map(Stars::quarters)
    }

    #[test]
    fn quarter_and_half_stars_are_read() {
        assert_eq!(stars("3.75", Step::Quarter), Some(15));
        assert_eq!(stars("4.0", Step::Quarter), Some(16));
        assert_eq!(stars("4", Step::Quarter), Some(16));
        assert_eq!(stars("0.25", Step::Quarter), Some(1));
        assert_eq!(stars(".5", Step::Quarter), Some(2));
        assert_eq!(stars("5.00", Step::Quarter), Some(20));
        assert_eq!(stars(" 3,5 ", Step::Half), Some(14));
        assert_eq!(stars("4.5", Step::Half), Some(18));
        assert_eq!(stars("", Step::Quarter), None);
        assert_eq!(stars("0", Step::Quarter), None);
        assert_eq!(stars("0.0", Step::Half), None);
        for bad in [
            "3.75", "0.25", "6", "5.5", "-1", "four", "4.1", ".", "1e1", "4..5",
        ] {
            assert!(Stars::parse(bad, Step::Half).is_err(), "{bad}");
        }
        for bad in ["5.25", "4.2", "4.125", "x", "99999999999999999999"] {
            assert!(Stars::parse(bad, Step::Quarter).is_err(), "{bad}");
        }
    }

    #[test]
    fn quarter_stars_round_down_to_the_half_and_to_the_nearest_whole_star() {
        let table = [
            ("0.25", 1, 1),
            ("0.5", 1, 1),
            ("0.75", 1, 1),
            ("1.0", 2, 1),
            ("1.25", 2, 1),
            ("1.5", 3, 2),
            ("2.75", 5, 3),
            ("3.25", 6, 3),
            ("3.5", 7, 4),
            ("3.75", 7, 4),
            ("4.75", 9, 5),
            ("5.0", 10, 5),
        ];
        for (text, rating, whole) in table {
            let s = Stars::parse(text, Step::Quarter).unwrap().unwrap();
            assert_eq!((s.rating().value(), s.whole()), (rating, whole), "{text}");
        }
    }

    #[test]
    fn the_kept_text_follows_the_rating() {
        let r = |v| Rating::new(v);
        assert_eq!(text_for(r(7), "3.75", Step::Quarter), "3.75");
        assert_eq!(text_for(r(7), "3.5", Step::Quarter), "3.5");
        assert_eq!(text_for(r(8), "3.75", Step::Quarter), "4.0");
        assert_eq!(text_for(None, "3.75", Step::Quarter), "");
        assert_eq!(text_for(r(0), "", Step::Quarter), "");
        assert_eq!(text_for(r(10), "", Step::Half), "5.0");
        assert_eq!(text_for(r(9), "4,5", Step::Half), "4,5");
        assert_eq!(text_for(r(9), "bad", Step::Half), "4.5");
    }

    #[test]
    fn a_kept_column_gives_the_finer_rating_while_it_agrees() {
        let other = vec![("Star Rating".to_string(), "3.75".to_string())];
        assert_eq!(kept_rating(&other, Some(4)), Rating::new(7));
        assert_eq!(kept_rating(&other, Some(5)), None);
        assert_eq!(kept_rating(&other, None), None);
        let lt = vec![("Rating".to_string(), "2.5".to_string())];
        assert_eq!(kept_rating(&lt, Some(3)), Rating::new(5));
        let mut d = Details {
            other: other.clone(),
            ..Details::default()
        };
        refresh_kept(&mut d, Rating::new(7));
        assert_eq!(d.other, other);
        refresh_kept(&mut d, Rating::new(2));
        assert_eq!(d.other[0].1, "1.0");
    }

    proptest! {
        /// Every quarter-star rating, in any spelling StoryGraph or a spreadsheet gives it,
        /// goes onto the 1–10 scale and comes back as the same text; through a Goodreads
        /// export (whole stars in `My Rating`, the text kept beside) it comes back as the
        /// same rating. The 1–10 value is within a quarter star of the stars, below them.
        #[test]
        fn quarter_stars_round_trip_without_loss(
            quarters in 1u8..=20,
            spelling in 0usize..4,
        ) {
            let whole = quarters / 4;
            let fraction = ["", "25", "5", "75"][usize::from(quarters % 4)];
            let text = match (spelling, fraction) {
                (0, "") => format!("{whole}"),
                (0 | 1, f) => format!("{whole}.{}", if f.is_empty() { "0" } else { f }),
                (2, "") => format!("{whole},00"),
                (2, f) => format!("{whole},{f}"),
                (_, f) => format!("{whole}.{f}00"),
            };
            let stars = Stars::parse(&text, Step::Quarter).unwrap().unwrap();
            prop_assert_eq!(stars.quarters(), quarters);
            let rating = stars.rating();
            prop_assert!(rating.is_explicit());
            // Within half a star below the quarter stars: 2 × stars - 1 < rating ≤ 2 × stars.
            prop_assert!(u32::from(rating.value()) * 2 <= u32::from(quarters).max(2));
            prop_assert!(u32::from(rating.value()) * 2 + 2 > u32::from(quarters));
            // Back to the text the file had.
            prop_assert_eq!(text_for(Some(rating), &text, Step::Quarter), text.clone());
            // Through a Goodreads export: whole stars, and the kept column beside them.
            let whole_stars = stars_of(rating);
            prop_assert_eq!(whole_stars, Some(stars.whole()));
            let other = vec![("Star Rating".to_string(), text.clone())];
            prop_assert_eq!(kept_rating(&other, whole_stars), Some(rating));
            // And a rating written from the 1–10 scale alone reads back as itself.
            let written = Stars::of_rating(rating).unwrap().text();
            let again = Stars::parse(&written, Step::Quarter).unwrap().unwrap();
            prop_assert_eq!(again.rating(), rating);
        }

        /// Half stars (LibraryThing) are the 1–10 scale exactly.
        #[test]
        fn half_stars_are_the_scale(halves in 1u8..=10) {
            let text = Stars::from_quarters(halves * 2).unwrap().text();
            let stars = Stars::parse(&text, Step::Half).unwrap().unwrap();
            prop_assert_eq!(stars.rating().value(), halves);
            prop_assert_eq!(Stars::of_rating(stars.rating()), Some(stars));
        }

        /// Nothing but a rating or an error comes out of any text.
        #[test]
        fn any_text_parses_or_is_refused(text in "\\PC{0,12}") {
            for step in [Step::Quarter, Step::Half] {
                if let Ok(Some(s)) = Stars::parse(&text, step) {
                    prop_assert!((1..=20).contains(&s.quarters()));
                }
            }
        }
    }
}
