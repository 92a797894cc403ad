//! "My taste": the reader's top authors, decades and rating distribution (the engine counts
//! them, [`engine::recs::taste`]), and what they read year by year.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use engine::datasets::goodreads::Details;

use crate::backend::library::state_of;
use crate::backend::reader::ReaderLibrary;
use crate::backend::state::AppState;
use crate::backend::store::library::LibraryBook;
use crate::backend::store::BookId;
use crate::error::AppError;
use crate::types::{ReadingGoal, Shelf, Taste, TasteAuthor, YearRead};

/// Pages above this in one book are a typo in the file, not a book: not counted.
const MAX_PAGES: u32 = 20_000;

/// "My taste" of the signed-in `user` (`None`: a visitor). A book the reader only dismissed
/// says nothing about their taste.
pub fn taste(
    state: &AppState,
    reader: &ReaderLibrary,
    user: Option<crate::backend::store::UserId>,
) -> Result<Taste, AppError> {
    let brought: HashMap<BookId, Details> = match user {
        Some(u) => state.store.brought_of(u)?.into_iter().collect(),
        None => HashMap::new(),
    };
    let years = reading_by_year(&reader.library, &brought);
    let this_year = time::OffsetDateTime::now_utc().year();
    let goal = match user {
        Some(u) => state.store.reading_goal(u, this_year)?,
        None => None,
    };
    let goal = goal.map(|books| ReadingGoal {
        year: this_year,
        books,
        read: years
            .iter()
            .find(|y| y.year == this_year)
            .map_or(0, |y| y.books),
    });
    Ok(Taste {
        years,
        goal,
        this_year,
        ..summary(state, reader)
    })
}

/// Books and pages read per year. A book the reader brought or wrote dates read for counts in
/// each year one of its readings ended (Goodreads `2017/04/23`, StoryGraph `2021-03-15` and
/// its ranges; a re-read in another year counts there too, twice in one year once); a book the
/// reader put on "Read" in the app, in the year they did; other books are not counted.
pub fn reading_by_year(
    library: &[LibraryBook],
    brought: &HashMap<BookId, Details>,
) -> Vec<YearRead> {
    let mut years: BTreeMap<i32, YearRead> = BTreeMap::new();
    for b in library {
        let details = brought.get(&b.book);
        // An imported book without a date read was read some time before the import, not in
        // the year of the import: it is not counted.
        let read_in: BTreeSet<i32> = match details {
            Some(d) => d
                .readings()
                .iter()
                .filter_map(|r| r.finished.as_deref().and_then(year_of))
                .collect(),
            None => b
                .entry
                .and_then(|e| {
                    (e.shelf == Some(Shelf::Read) && e.updated > 0)
                        .then(|| time::OffsetDateTime::from_unix_timestamp(e.updated as i64).ok())
                        .flatten()
                        .map(|t| t.year())
                })
                .into_iter()
                .collect(),
        };
        let pages = details
            .and_then(|d| d.pages.trim().parse::<u32>().ok())
            .filter(|&p| p <= MAX_PAGES)
            .unwrap_or(0);
        for year in read_in {
            let y = years.entry(year).or_insert(YearRead {
                year,
                books: 0,
                pages: 0,
            });
            y.books += 1;
            y.pages += pages;
        }
    }
    years.into_values().collect()
}

/// The year a date starts with (`2017/04/23`, `2017-04-23`, `2017`), if plausible.
fn year_of(date: &str) -> Option<i32> {
    let head: String = date
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let year: i32 = (head.len() == 4).then(|| head.parse().ok()).flatten()?;
    (1000..=9999).contains(&year).then_some(year)
}

/// Authors, decades and stars.
fn summary(state: &AppState, reader: &ReaderLibrary) -> Taste {
    let books = reader.library.iter().filter_map(|b| {
        let mine = state_of(b);
        let dismissed = mine.shelf == Some(Shelf::NotInterested) && mine.stars.is_none();
        (!dismissed).then_some((b.book, mine.stars))
    });
    let summary = engine::recs::taste::summarize(&state.catalog(), books);
    Taste {
        authors: summary
            .authors
            .into_iter()
            .map(|a| TasteAuthor {
                name: a.name,
                books: a.books,
                stars: a.stars,
            })
            .collect(),
        decades: summary.decades,
        stars: summary.stars.to_vec(),
        books: reader.library.len() as u32,
        years: Vec::new(),
        goal: None,
        this_year: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::store::library::LibraryEntry;

    fn read_at(book: BookId, shelf: Option<Shelf>, updated: u64) -> LibraryBook {
        LibraryBook {
            book,
            rating: None,
            entry: Some(LibraryEntry { shelf, updated }),
        }
    }

    #[test]
    fn books_count_in_the_year_they_were_read() {
        let library = vec![
            read_at(1, Some(Shelf::Read), 0),
            read_at(2, Some(Shelf::Read), 0),
            read_at(3, Some(Shelf::Read), 1_609_459_200), // 2021-01-01, put on Read in the app
            read_at(4, Some(Shelf::WantToRead), 1_609_459_200), // not read: not counted
            read_at(5, None, 0),
            // Imported as read, without a date: not in the year of the import.
            read_at(6, Some(Shelf::Read), 1_609_459_200),
            // Re-read: in 2018, twice in 2021 (counted once there), and under way in 2022.
            read_at(7, Some(Shelf::Reading), 0),
        ];
        let brought = HashMap::from([
            (
                1,
                Details {
                    date_read: "2019/05/03".into(),
                    pages: "310".into(),
                    ..Details::default()
                },
            ),
            (
                2,
                Details {
                    date_read: "2019-12-31".into(),
                    pages: "999999".into(),
                    ..Details::default()
                },
            ),
            (
                5,
                Details {
                    date_read: "when I was young".into(),
                    ..Details::default()
                },
            ),
            (6, Details::default()),
            (
                7,
                Details {
                    date_read: "2022/01/01".into(),
                    other: vec![(
                        "Dates Read".into(),
                        "2018/01/01-2018/01/10, 2021/05/05, 2021/06/01, 2022/01/01-".into(),
                    )],
                    ..Details::default()
                },
            ),
        ]);
        assert_eq!(
            reading_by_year(&library, &brought),
            vec![
                YearRead {
                    year: 2018,
                    books: 1,
                    pages: 0
                },
                YearRead {
                    year: 2019,
                    books: 2,
                    pages: 310
                },
                YearRead {
                    year: 2021,
                    books: 2,
                    pages: 0
                },
            ]
        );
        assert!(reading_by_year(&[], &brought).is_empty());
    }
}
