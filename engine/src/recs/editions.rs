//! Which edition of a recommended work a reader is shown.
//!
//! The models rank works, but a reader reads (and the protocol scores) one edition: the
//! American paperback, the British hardcover, the book-club printing. Without anything known of
//! the reader the most explicitly rated edition is the best guess. A reader's own books say
//! more: someone whose shelf is Bloomsbury and Penguin UK reads the Bloomsbury printing of the
//! next book too, and a reader of mass-market paperbacks the mass-market one. So each edition
//! is scored as
//!
//! `ln(1 + popularity) + publisher_weight · ln(1 + n)
//!     + rater_weight · Σ_p r_p · ln(1 + q_p / q̄_p) + first_weight · ln(f / f̄)`
//!
//! with `n` the number of the reader's own editions from the edition's publisher, `r_p` the
//! share of the reader's editions from publisher `p`, `q_p` the share of the books of the
//! edition's training readers from `p` and `q̄_p` that share over every reader: how much more
//! than anyone the edition's readers read `p`. Readers of the Bloomsbury printing read British
//! publishers, readers of the Viking hardcover other hardcover houses, whoever published the
//! edition itself. The last term is the reader's taste for first editions: `f` is their share
//! of earliest editions (among their books whose work came out in several years, shrunk towards
//! everyone's share `f̄`) when the edition is its work's earliest, and their share of later ones
//! otherwise: a buyer of new hardcovers is shown the Viking hardcover, not the Signet paperback
//! a year later. The best edition that the reader does not already have is shown.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::data::{ItemIndex, TrainMatrix, NO_PUBLISHER};

/// The default weight of the reader's publishers against an edition's popularity, chosen on
/// the validation split carved from the training data (`recs_eval --edition-weight`; the
/// figures are in `bench/results/eval-*.txt`).
pub const PUBLISHER_WEIGHT: f32 = 1.0;

/// The default weight of the publisher profile of an edition's readers, chosen like
/// [`PUBLISHER_WEIGHT`] (`recs_eval --edition-rater-weight`, item-kNN, NDCG@10 per ISBN).
pub const RATER_WEIGHT: f32 = 3.0;

/// The default weight of the reader's taste for first editions. On Book-Crossing, readers whose
/// training books are mostly their works' earliest editions rate earliest editions far more
/// often among their held-out books than other readers do, so the taste predicts; the weight
/// was chosen on the validation split (`recs_eval --edition-first-weight`, EASE, NDCG@10 per
/// ISBN; figures in `bench/results/eval-*.txt`).
pub const FIRST_WEIGHT: f32 = 1.0;

/// Pseudo-counts of the everyone's-share prior in a reader's first-edition share: a reader
/// with two dated editions is not yet known to prefer either kind.
const FIRST_PRIOR_STRENGTH: f32 = 4.0;

/// Publishers kept per edition in its readers' profile.
const RATER_PUBLISHERS: usize = 64;

/// Per-edition training popularity and the weight of publisher affinity, kept with the model.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EditionChooser {
    /// Explicit training ratings of each edition, plus a hundredth of its implicit ones (so
    /// they only break ties: an implicit interaction is often a bulk-shelved copy).
    popularity: Vec<f32>,
    /// How much the reader's publishers count against popularity; 0 ignores them.
    publisher_weight: f32,
    /// For each edition of a work with several: the publishers of its training readers'
    /// other books as (publisher, share) pairs, the largest [`RATER_PUBLISHERS`] shares.
    rater_publishers: Vec<Vec<(u32, f32)>>,
    /// Every training reader's share of books from each publisher (publisher id → share).
    publisher_prior: Vec<f32>,
    /// How much the match between the reader's publishers and the edition's readers' counts.
    rater_weight: f32,
    /// How much the reader's share of first editions counts; 0 ignores it.
    #[serde(default)]
    first_weight: f32,
    /// The share of first editions among every training reader's dated editions.
    #[serde(default)]
    first_prior: f32,
}

/// How many of a reader's editions come from each publisher.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReaderPublishers {
    counts: HashMap<u32, u32>,
    total: u32,
    /// Of the reader's editions whose work has editions of several years: how many are the
    /// earliest, and how many there are.
    earliest: u32,
    dated: u32,
}

impl ReaderPublishers {
    /// Count the publishers of the reader's editions (edition ids of `items`).
    pub fn new(items: &ItemIndex, editions: impl IntoIterator<Item = u32>) -> ReaderPublishers {
        let mut reader = ReaderPublishers::default();
        for e in editions {
            match items.edition_publisher.get(e as usize) {
                Some(&p) if p != NO_PUBLISHER => {
                    *reader.counts.entry(p).or_insert(0) += 1;
                    reader.total += 1;
                }
                _ => {}
            }
            if let Some(first) = items.is_earliest(e) {
                reader.earliest += first as u32;
                reader.dated += 1;
            }
        }
        reader
    }

    /// `ln(p / prior)`: how much likelier than anyone this reader is to have an earliest
    /// edition (`first`) or a later one, with `p` their share shrunk towards `prior`.
    fn first_affinity(&self, first: bool, prior: f32) -> f32 {
        let (prior, own) = if first {
            (prior, self.earliest)
        } else {
            (1.0 - prior, self.dated - self.earliest)
        };
        if prior <= 0.0 {
            return 0.0;
        }
        let share = (own as f32 + FIRST_PRIOR_STRENGTH * prior)
            / (self.dated as f32 + FIRST_PRIOR_STRENGTH);
        (share / prior).ln()
    }

    /// The reader's number of editions from publisher `p`.
    fn count(&self, p: u32) -> u32 {
        self.counts.get(&p).copied().unwrap_or(0)
    }

    /// `Σ_p r_p · ln(1 + q_p / q̄_p)` over an edition's readers' publisher shares `q`,
    /// `q̄` every reader's.
    fn lift(&self, shares: &[(u32, f32)], prior: &[f32]) -> f32 {
        if self.total == 0 {
            return 0.0;
        }
        let sum: f32 = shares
            .iter()
            .filter_map(|&(p, q)| {
                let n = self.count(p);
                let base = prior.get(p as usize).copied().unwrap_or(0.0);
                (n > 0 && base > 0.0).then(|| n as f32 * (q / base).ln_1p())
            })
            .sum();
        sum / self.total as f32
    }
}

impl EditionChooser {
    /// Popularity of every edition and its readers' publishers, from the training matrix.
    pub fn new(
        items: &ItemIndex,
        m: &TrainMatrix,
        publisher_weight: f32,
        rater_weight: f32,
        first_weight: f32,
    ) -> EditionChooser {
        let popularity = m
            .isbn_explicit
            .iter()
            .zip(&m.isbn_count)
            .map(|(&x, &n)| x as f32 + n.saturating_sub(x) as f32 / 100.0)
            .collect();
        let (rater_publishers, publisher_prior) = if rater_weight == 0.0 {
            (Vec::new(), Vec::new())
        } else {
            (rater_publishers(items, m), publisher_prior(items, m))
        };
        EditionChooser {
            popularity,
            publisher_weight,
            rater_publishers,
            publisher_prior,
            rater_weight,
            first_weight,
            first_prior: first_prior(items, m),
        }
    }

    /// The edition of work `w` to show a reader with `publishers`, skipping the editions
    /// `owned` says the reader has; `None` when every edition is skipped. Ties go to the
    /// edition listed first in the catalog.
    pub fn choose(
        &self,
        items: &ItemIndex,
        w: u32,
        publishers: &ReaderPublishers,
        owned: &dyn Fn(u32) -> bool,
    ) -> Option<u32> {
        let mut best: Option<(f32, u32)> = None;
        for &e in items
            .editions
            .get(w as usize)?
            .iter()
            .filter(|&&e| !owned(e))
        {
            let score = self.score(items, e, publishers);
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, e));
            }
        }
        best.map(|b| b.1)
    }

    fn score(&self, items: &ItemIndex, e: u32, publishers: &ReaderPublishers) -> f32 {
        let popularity = self.popularity.get(e as usize).copied().unwrap_or(0.0);
        let mut score = popularity.ln_1p();
        if let Some(shares) = self.rater_publishers.get(e as usize) {
            score += self.rater_weight * publishers.lift(shares, &self.publisher_prior);
        }
        if self.first_weight != 0.0 {
            if let Some(first) = items.is_earliest(e) {
                score += self.first_weight * publishers.first_affinity(first, self.first_prior);
            }
        }
        if self.publisher_weight != 0.0 {
            if let Some(&p) = items.edition_publisher.get(e as usize) {
                if p != NO_PUBLISHER {
                    score += self.publisher_weight * (publishers.count(p) as f32).ln_1p();
                }
            }
        }
        score
    }
}

/// The share of earliest editions among the dated editions of every training interaction.
fn first_prior(items: &ItemIndex, m: &TrainMatrix) -> f32 {
    let (mut earliest, mut dated) = (0u64, 0u64);
    for &e in m.by_user_isbn.indices() {
        if let Some(first) = items.is_earliest(e) {
            earliest += first as u64;
            dated += 1;
        }
    }
    if dated == 0 {
        0.0
    } else {
        earliest as f32 / dated as f32
    }
}

/// The number of publisher ids (the largest known one plus one).
fn publisher_count(items: &ItemIndex) -> usize {
    items
        .edition_publisher
        .iter()
        .filter(|&&p| p != NO_PUBLISHER)
        .max()
        .map_or(0, |&p| p as usize + 1)
}

/// The share of each publisher in every training reader's books, each reader counting once.
fn publisher_prior(items: &ItemIndex, m: &TrainMatrix) -> Vec<f32> {
    let mut prior = vec![0f32; publisher_count(items)];
    let users = m.by_user_isbn.rows();
    for u in 0..users {
        let row = &m.by_user_isbn.indices()[m.by_user_isbn.indptr().outer_inds_sz(u)];
        let share = 1.0 / row.len().max(1) as f32;
        for &j in row {
            let p = items.edition_publisher[j as usize];
            if p != NO_PUBLISHER {
                prior[p as usize] += share;
            }
        }
    }
    let total: f32 = prior.iter().sum();
    if total > 0.0 {
        prior.iter_mut().for_each(|x| *x /= total);
    }
    prior
}

/// For each edition of a work with several editions, the publishers of its training
/// readers' books from other works, each reader counting once (their books share 1).
fn rater_publishers(items: &ItemIndex, m: &TrainMatrix) -> Vec<Vec<(u32, f32)>> {
    let by_isbn = m.by_user_isbn.transpose_view().to_csr();
    let publishers = publisher_count(items);
    // Each interaction's (publisher, work) in the readers' row order, so a reader's books are
    // read in sequence rather than looked up at random, and a dense accumulator per thread
    // rather than a hash map per edition: as the catalog outgrows the cache, those lookups and
    // hashes were most of training the bundle (bench/results/scaling-*.txt).
    let books: Vec<(u32, u32)> = m
        .by_user_isbn
        .indices()
        .iter()
        .map(|&j| {
            (
                items.edition_publisher[j as usize],
                items.work_of[j as usize],
            )
        })
        .collect();
    let rows = m.by_user_isbn.indptr();
    (0..items.len())
        .into_par_iter()
        .map_init(
            || (vec![0f32; publishers], Vec::<u32>::new()),
            |(acc, touched), e| {
                let work = items.work_of[e];
                if items.editions[work as usize].len() < 2 || e >= by_isbn.rows() {
                    return Vec::new();
                }
                for &u in &by_isbn.indices()[by_isbn.indptr().outer_inds_sz(e)] {
                    let row = &books[rows.outer_inds_sz(u as usize)];
                    let share = 1.0 / row.len() as f32;
                    for &(p, w) in row {
                        if p != NO_PUBLISHER && w != work {
                            // Every share is positive: 0 means not yet touched.
                            if acc[p as usize] == 0.0 {
                                touched.push(p);
                            }
                            acc[p as usize] += share;
                        }
                    }
                }
                let total: f32 = touched.iter().map(|&p| acc[p as usize]).sum();
                let mut shares: Vec<(u32, f32)> = touched
                    .iter()
                    .map(|&p| (p, acc[p as usize] / total))
                    .collect();
                for p in touched.drain(..) {
                    acc[p as usize] = 0.0;
                }
                shares.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                shares.truncate(RATER_PUBLISHERS);
                shares.shrink_to_fit();
                shares
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Book;
    use crate::recs::data::{Interaction, TrainMatrix, Weighting};

    /// The publishers of an edition's readers' other-work books by definition: a hash map of
    /// shares per edition (what `rater_publishers` computes with one dense buffer per thread).
    fn rater_publishers_by_definition(items: &ItemIndex, m: &TrainMatrix) -> Vec<Vec<(u32, f32)>> {
        let by_isbn = m.by_user_isbn.transpose_view().to_csr();
        (0..items.len())
            .map(|e| {
                let work = items.work_of[e];
                if items.editions[work as usize].len() < 2 || e >= by_isbn.rows() {
                    return Vec::new();
                }
                let mut acc: HashMap<u32, f32> = HashMap::new();
                for &u in &by_isbn.indices()[by_isbn.indptr().outer_inds_sz(e)] {
                    let row = &m.by_user_isbn.indices()
                        [m.by_user_isbn.indptr().outer_inds_sz(u as usize)];
                    for &j in row {
                        let p = items.edition_publisher[j as usize];
                        if p != NO_PUBLISHER && items.work_of[j as usize] != work {
                            *acc.entry(p).or_insert(0.0) += 1.0 / row.len() as f32;
                        }
                    }
                }
                let total: f32 = acc.values().sum();
                let mut shares: Vec<(u32, f32)> =
                    acc.into_iter().map(|(p, x)| (p, x / total)).collect();
                shares.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                shares.truncate(RATER_PUBLISHERS);
                shares
            })
            .collect()
    }

    proptest::proptest! {
        /// Random catalogs (works of one to three editions, a few publishers, some unknown)
        /// and readers: the same publishers, shares equal to rounding.
        #[test]
        fn rater_publishers_are_the_shares_by_definition(
            books in proptest::collection::vec((0u8..30, 0u8..90), 1..80),
            ratings in proptest::collection::vec((0u32..25, 0usize..80), 0..300),
        ) {
            let items = ItemIndex::from_books(books.iter().enumerate().map(|(i, &(w, p))| {
                let b = Book::new(format!("{i:010}"), format!("Work {}", w / 3), "Ann Author");
                if p < 80 { b.with_publisher(format!("House {p}")) } else { b }
            }));
            let train: Vec<Interaction> = ratings
                .iter()
                .map(|&(user, i)| Interaction { user, item: (i % items.len()) as u32, rating: 0 })
                .collect();
            let m = TrainMatrix::build(&items, &train, &Weighting::default());
            let got = rater_publishers(&items, &m);
            let want = rater_publishers_by_definition(&items, &m);
            proptest::prop_assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                proptest::prop_assert_eq!(g.len(), w.len());
                for (a, b) in g.iter().zip(w) {
                    proptest::prop_assert!((a.1 - b.1).abs() < 1e-5, "{:?} {:?}", g, w);
                }
                let mut gp: Vec<u32> = g.iter().map(|x| x.0).collect();
                let mut wp: Vec<u32> = w.iter().map(|x| x.0).collect();
                gp.sort_unstable();
                wp.sort_unstable();
                proptest::prop_assert_eq!(gp, wp);
            }
        }
    }

    /// Work 0 has a popular US edition (0) and a less rated UK one (1); work 1 is a UK book
    /// the reader owns.
    fn fixture(weight: f32) -> (ItemIndex, EditionChooser) {
        let items = ItemIndex::from_books([
            Book::new("0000000001", "Stone", "Ann Author").with_publisher("Scholastic"),
            Book::new("0000000002", "Stone", "Ann Author").with_publisher("Bloomsbury"),
            Book::new("0000000003", "Chamber", "Ann Author").with_publisher("Bloomsbury"),
        ]);
        let mut train = Vec::new();
        for user in 0..6 {
            train.push(Interaction {
                user,
                item: 0,
                rating: 8,
            });
        }
        for user in 0..2 {
            train.push(Interaction {
                user,
                item: 1,
                rating: 9,
            });
        }
        let m = TrainMatrix::build(&items, &train, &Weighting::default());
        let chooser = EditionChooser::new(&items, &m, weight, 0.0, 0.0);
        (items, chooser)
    }

    #[test]
    fn without_a_reader_the_most_rated_edition_is_shown() {
        let (items, chooser) = fixture(PUBLISHER_WEIGHT);
        let nobody = ReaderPublishers::default();
        assert_eq!(chooser.choose(&items, 0, &nobody, &|_| false), Some(0));
    }

    #[test]
    fn a_reader_of_the_publisher_is_shown_its_edition() {
        let (items, chooser) = fixture(PUBLISHER_WEIGHT);
        let reader = ReaderPublishers::new(&items, [2, 2, 2]);
        assert_eq!(chooser.choose(&items, 0, &reader, &|_| false), Some(1));
        // Weight 0 ignores the reader.
        let (items, plain) = fixture(0.0);
        assert_eq!(plain.choose(&items, 0, &reader, &|_| false), Some(0));
    }

    #[test]
    fn a_reader_like_an_editions_readers_is_shown_it() {
        // The Canadian printing (Raincoast) is read by readers of Bloomsbury, as is this
        // reader; nobody else reads the American one's readers' publishers.
        let items = ItemIndex::from_books([
            Book::new("0000000001", "Stone", "Ann Author").with_publisher("Scholastic"),
            Book::new("0000000002", "Stone", "Ann Author").with_publisher("Raincoast"),
            Book::new("0000000003", "Chamber", "Ann Author").with_publisher("Bloomsbury"),
        ]);
        let rating = |user, item| Interaction {
            user,
            item,
            rating: 8,
        };
        let mut train: Vec<Interaction> = (0..6).map(|u| rating(u, 0)).collect();
        train.extend([rating(10, 1), rating(10, 2), rating(11, 1), rating(11, 2)]);
        let m = TrainMatrix::build(&items, &train, &Weighting::default());
        let reader = ReaderPublishers::new(&items, [2]);
        let chooser = EditionChooser::new(&items, &m, 0.0, RATER_WEIGHT, 0.0);
        assert_eq!(chooser.choose(&items, 0, &reader, &|_| false), Some(1));
        // A reader of nothing is shown the most rated edition.
        let nobody = ReaderPublishers::default();
        assert_eq!(chooser.choose(&items, 0, &nobody, &|_| false), Some(0));
        let plain = EditionChooser::new(&items, &m, 0.0, 0.0, 0.0);
        assert_eq!(plain.choose(&items, 0, &reader, &|_| false), Some(0));
    }

    #[test]
    fn a_reader_of_first_editions_is_shown_the_first_edition() {
        let dated = |key: &str, title: &str, year: u16| {
            Book::new(key, title, "Ann Author")
                .with_publisher("Same House")
                .with_year(year)
        };
        let items = ItemIndex::from_books([
            dated("0000000001", "Stone", 1997),
            dated("0000000002", "Stone", 1998),
            dated("0000000003", "Chamber", 1998),
            dated("0000000004", "Chamber", 1999),
            dated("0000000005", "Azkaban", 1999),
            dated("0000000006", "Azkaban", 2000),
        ]);
        assert_eq!(items.is_earliest(0), Some(true));
        assert_eq!(items.is_earliest(1), Some(false));
        // The later paperback is the more rated; a quarter of all reading is first editions.
        let rating = |user, item| Interaction {
            user,
            item,
            rating: 8,
        };
        let mut train: Vec<Interaction> = (0..6).map(|u| rating(u, 1)).collect();
        train.extend([rating(6, 0), rating(7, 0)]);
        let m = TrainMatrix::build(&items, &train, &Weighting::default());
        let chooser = EditionChooser::new(&items, &m, 0.0, 0.0, FIRST_WEIGHT);
        let first_reader = ReaderPublishers::new(&items, [2, 4]);
        let later_reader = ReaderPublishers::new(&items, [3, 5]);
        assert_eq!(
            chooser.choose(&items, 0, &first_reader, &|_| false),
            Some(0)
        );
        assert_eq!(
            chooser.choose(&items, 0, &later_reader, &|_| false),
            Some(1)
        );
        // Nothing known of the reader, or the weight at 0: the most rated edition.
        let nobody = ReaderPublishers::default();
        assert_eq!(chooser.choose(&items, 0, &nobody, &|_| false), Some(1));
        let plain = EditionChooser::new(&items, &m, 0.0, 0.0, 0.0);
        assert_eq!(plain.choose(&items, 0, &first_reader, &|_| false), Some(1));
    }

    #[test]
    fn only_a_work_with_editions_of_several_years_has_an_earliest() {
        let with_year = |key: &str, title: &str, year: Option<u16>| {
            Book::new(key, title, "Ann Author")
                .with_publisher("P")
                .with_year(year)
        };
        let items = ItemIndex::from_books([
            with_year("0000000001", "Alone", Some(1990)),
            with_year("0000000002", "Twins", Some(1995)),
            with_year("0000000003", "Twins", Some(1995)),
            with_year("0000000004", "Undated", None),
            with_year("0000000005", "Undated", Some(2001)),
            with_year("0000000006", "Undated", Some(1999)),
        ]);
        assert_eq!(items.is_earliest(0), None);
        assert_eq!(items.is_earliest(1), None);
        assert_eq!(items.is_earliest(2), None);
        assert_eq!(items.is_earliest(3), None);
        assert_eq!(items.is_earliest(4), Some(false));
        assert_eq!(items.is_earliest(5), Some(true));
    }

    #[test]
    fn owned_editions_are_skipped() {
        let (items, chooser) = fixture(PUBLISHER_WEIGHT);
        let nobody = ReaderPublishers::default();
        assert_eq!(chooser.choose(&items, 0, &nobody, &|e| e == 0), Some(1));
        assert_eq!(chooser.choose(&items, 0, &nobody, &|_| true), None);
        assert_eq!(chooser.choose(&items, 9, &nobody, &|_| false), None);
    }
}
