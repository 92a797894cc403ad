//! The catalog as the recommender sees it, ratings loaded from the published dataset layouts,
//! and the sparse interaction matrices the models train on.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sprs::CsMatI;

use crate::records::Book;
use crate::text;

/// A sparse matrix with `u32` column indices (half the memory of `usize` at these sizes).
pub type Sparse = CsMatI<f32, u32, usize>;

/// The author id of works whose author is unknown.
pub const NO_AUTHOR: u32 = u32::MAX;

/// The publisher id of editions whose publisher is unknown.
pub const NO_PUBLISHER: u32 = u32::MAX;

/// What the content model needs to know about a work (taken from its first edition).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkMeta {
    /// Title of the first edition.
    pub title: String,
    /// Author field of the first edition.
    pub author: String,
    /// Publisher of the first edition, empty when unknown.
    pub publisher: String,
    /// Year of publication, when known.
    pub year: Option<u16>,
    /// Subject tags (goodbooks' shelves).
    pub tags: Vec<String>,
}

impl WorkMeta {
    /// What content knows of a work whose first edition is `book`.
    pub fn of(book: &Book) -> WorkMeta {
        WorkMeta {
            title: book.title.clone(),
            author: book.author.clone(),
            publisher: book.publisher.clone(),
            year: book.year,
            tags: book.tags.clone(),
        }
    }
}

/// Every edition of the catalog, keyed, and grouped into works.
///
/// Edition ids (`u32`) are positions in [`ItemIndex::keys`]; work ids are positions in
/// [`ItemIndex::editions`]. Both are dense so models index arrays with them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ItemIndex {
    /// The catalog key (normalised ISBN) of each edition.
    pub keys: Vec<String>,
    /// The work of each edition.
    pub work_of: Vec<u32>,
    /// The editions of each work, in catalog order.
    pub editions: Vec<Vec<u32>>,
    /// The author id of each work (its folded first author), for the per-author cap.
    pub work_author: Vec<u32>,
    /// Metadata of each work, for the content model and explanations.
    pub meta: Vec<WorkMeta>,
    /// The publisher id of each edition (its folded name), for choosing the edition a
    /// reader is shown ([`super::editions`]).
    pub edition_publisher: Vec<u32>,
    /// The year of publication of each edition, 0 when unknown (which of a work's editions
    /// came first, see [`ItemIndex::is_earliest`]).
    #[serde(default)]
    pub edition_year: Vec<u16>,
    /// Key → edition id; rebuilt by [`ItemIndex::reindex`] after deserialising.
    #[serde(skip)]
    by_key: HashMap<String, u32>,
}

impl ItemIndex {
    /// Build the index from the catalog's books, in order; a repeated key keeps its first book.
    pub fn from_books(books: impl IntoIterator<Item = Book>) -> ItemIndex {
        let mut index = ItemIndex::default();
        let mut work_ids: HashMap<String, u32> = HashMap::new();
        let mut author_ids: HashMap<String, u32> = HashMap::new();
        let mut publisher_ids: HashMap<String, u32> = HashMap::new();
        for book in books {
            if index.by_key.contains_key(&book.key) {
                continue;
            }
            let id = index.keys.len() as u32;
            let next_work = index.editions.len() as u32;
            let work = *work_ids
                .entry(text::work_key(&book.title, &book.author))
                .or_insert(next_work);
            if work == next_work {
                let next_author = author_ids.len() as u32;
                let name = text::fold(text::first_author(&book.author));
                // An unknown author is nobody: the per-author cap must not lump them together.
                let author = if name.is_empty() {
                    NO_AUTHOR
                } else {
                    *author_ids.entry(name).or_insert(next_author)
                };
                index.editions.push(Vec::new());
                index.work_author.push(author);
                index.meta.push(WorkMeta::of(&book));
            }
            index.edition_year.push(book.year.unwrap_or(0));
            let publisher = text::fold(&book.publisher);
            index.edition_publisher.push(if publisher.is_empty() {
                NO_PUBLISHER
            } else {
                let next = publisher_ids.len() as u32;
                *publisher_ids.entry(publisher).or_insert(next)
            });
            index.editions[work as usize].push(id);
            index.work_of.push(work);
            index.by_key.insert(book.key.clone(), id);
            index.keys.push(book.key);
        }
        index
    }

    /// Rebuild the key lookup (it is not persisted).
    pub fn reindex(&mut self) {
        self.by_key = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i as u32))
            .collect();
    }

    /// The edition id of a catalog key.
    pub fn find(&self, key: &str) -> Option<u32> {
        self.by_key.get(key).copied()
    }

    /// Number of editions.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the catalog is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether edition `e` is its work's earliest by year of publication (the hardcover
    /// first edition, as a rule); `None` when `e` has no year or the work's dated editions all
    /// share one year.
    pub fn is_earliest(&self, e: u32) -> Option<bool> {
        let year = |e: u32| self.edition_year.get(e as usize).copied().unwrap_or(0);
        let own = year(e);
        let work = self.work_of.get(e as usize)?;
        let dated = self.editions[*work as usize]
            .iter()
            .map(|&x| year(x))
            .filter(|&y| y != 0);
        let (min, max) = dated.fold((u16::MAX, 0), |(lo, hi), y| (lo.min(y), hi.max(y)));
        (own != 0 && min < max).then_some(own == min)
    }

    /// Number of works.
    pub fn work_count(&self) -> usize {
        self.editions.len()
    }
}

/// One rating of a catalog edition: dataset user id, edition id, 0 (implicit) or 1–10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Interaction {
    /// The dataset's user id.
    pub user: u32,
    /// The edition id in the [`ItemIndex`].
    pub item: u32,
    /// 0 = implicit interaction, 1–10 explicit score.
    pub rating: u8,
}

/// How a rating becomes an interaction weight: implicit interactions count as weak positives,
/// explicit scores grow linearly from `explicit_low` (1/10) to `explicit_high` (10/10).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Weighting {
    /// Weight of an implicit interaction (rating 0).
    pub implicit: f32,
    /// Weight of an explicit 1.
    pub explicit_low: f32,
    /// Weight of an explicit 10.
    pub explicit_high: f32,
}

impl Default for Weighting {
    fn default() -> Self {
        Weighting {
            implicit: 1.0,
            explicit_low: 1.0,
            explicit_high: 1.0,
        }
    }
}

impl Weighting {
    /// Every interaction counts 1 (the binary matrix the peers use).
    pub const BINARY: Weighting = Weighting {
        implicit: 1.0,
        explicit_low: 1.0,
        explicit_high: 1.0,
    };

    /// The weight of a rating.
    pub fn weight(&self, rating: u8) -> f32 {
        if rating == 0 {
            self.implicit
        } else {
            let t = (f32::from(rating.min(10)) - 1.0) / 9.0;
            self.explicit_low + t * (self.explicit_high - self.explicit_low)
        }
    }
}

/// The training interactions as sparse matrices over works and editions.
#[derive(Debug, Clone)]
pub struct TrainMatrix {
    /// Dataset user id of each row.
    pub user_ids: Vec<u32>,
    /// Dataset user id → row.
    pub user_row: HashMap<u32, u32>,
    /// Users × works, weighted by [`Weighting`]; two editions of one work keep the larger.
    pub by_user: Sparse,
    /// Works × users: the transpose of `by_user`.
    pub by_work: Sparse,
    /// Users × editions, weighted the same way.
    pub by_user_isbn: Sparse,
    /// Number of training users who interacted with each work.
    pub work_users: Vec<u32>,
    /// Training interactions per edition (to pick the edition shown for a work).
    pub isbn_count: Vec<u32>,
    /// Explicit training ratings per edition.
    pub isbn_explicit: Vec<u32>,
}

/// CSR from (row, col, value) triplets; duplicates keep the largest value.
fn csr_max(rows: usize, cols: usize, mut triplets: Vec<(u32, u32, f32)>) -> Sparse {
    triplets.sort_unstable_by_key(|t| (t.0, t.1));
    let mut indptr = vec![0usize; rows + 1];
    let mut indices: Vec<u32> = Vec::with_capacity(triplets.len());
    let mut data: Vec<f32> = Vec::with_capacity(triplets.len());
    let mut last: Option<(u32, u32)> = None;
    for (r, c, v) in triplets {
        if last == Some((r, c)) {
            if let Some(d) = data.last_mut() {
                *d = d.max(v);
            }
            continue;
        }
        last = Some((r, c));
        indptr[r as usize + 1] += 1;
        indices.push(c);
        data.push(v);
    }
    for r in 0..rows {
        indptr[r + 1] += indptr[r];
    }
    CsMatI::new((rows, cols), indptr, indices, data)
}

/// The transpose of a CSR matrix, as CSR.
pub fn transpose(m: &Sparse) -> Sparse {
    m.transpose_view().to_csr()
}

impl TrainMatrix {
    /// Build the matrices from training interactions.
    pub fn build(items: &ItemIndex, train: &[Interaction], weighting: &Weighting) -> TrainMatrix {
        let mut user_ids: Vec<u32> = train.iter().map(|r| r.user).collect();
        user_ids.sort_unstable();
        user_ids.dedup();
        let user_row: HashMap<u32, u32> = user_ids
            .iter()
            .enumerate()
            .map(|(i, &u)| (u, i as u32))
            .collect();
        let mut work_trip = Vec::with_capacity(train.len());
        let mut isbn_trip = Vec::with_capacity(train.len());
        let mut isbn_count = vec![0u32; items.len()];
        let mut isbn_explicit = vec![0u32; items.len()];
        for r in train {
            if r.rating > 0 {
                isbn_explicit[r.item as usize] += 1;
            }
            let row = user_row[&r.user];
            let w = weighting.weight(r.rating);
            work_trip.push((row, items.work_of[r.item as usize], w));
            isbn_trip.push((row, r.item, w));
            isbn_count[r.item as usize] += 1;
        }
        let by_user = csr_max(user_ids.len(), items.work_count(), work_trip);
        let by_user_isbn = csr_max(user_ids.len(), items.len(), isbn_trip);
        let by_work = transpose(&by_user);
        let work_users = (0..by_work.rows())
            .map(|w| by_work.indptr().outer_inds_sz(w).len() as u32)
            .collect();
        TrainMatrix {
            user_ids,
            user_row,
            by_user,
            by_work,
            by_user_isbn,
            work_users,
            isbn_count,
            isbn_explicit,
        }
    }

    /// The (work, weight) pairs of a training row.
    pub fn row(&self, row: usize) -> Vec<(u32, f32)> {
        row_of(&self.by_user, row)
    }
}

/// The (column, value) pairs of a CSR row.
pub fn row_of(m: &Sparse, row: usize) -> Vec<(u32, f32)> {
    let range = m.indptr().outer_inds_sz(row);
    m.indices()[range.clone()]
        .iter()
        .copied()
        .zip(m.data()[range].iter().copied())
        .collect()
}

/// A reader's interactions as (work, weight) pairs, sorted by work, two editions of one work
/// keeping the larger weight.
pub fn profile(items: &ItemIndex, ratings: &[(u32, u8)], weighting: &Weighting) -> Vec<(u32, f32)> {
    let mut p: Vec<(u32, f32)> = ratings
        .iter()
        .filter_map(|&(item, rating)| {
            items
                .work_of
                .get(item as usize)
                .map(|&w| (w, weighting.weight(rating)))
        })
        .collect();
    p.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    p.dedup_by_key(|x| x.0);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editions_are_grouped_and_duplicates_keep_the_max() {
        let items = ItemIndex::from_books(vec![
            Book::new("A", "Dune", "Frank Herbert")
                .with_year(1999)
                .with_publisher("P"),
            Book::new("B", "Dune (Paperback)", "Frank Herbert")
                .with_year(1999)
                .with_publisher("P"),
            Book::new("C", "Emma", "Jane Austen")
                .with_year(1999)
                .with_publisher("P"),
        ]);
        assert_eq!(items.work_count(), 2);
        assert_eq!(items.work_of, vec![0, 0, 1]);
        let w = Weighting {
            implicit: 0.5,
            explicit_low: 1.0,
            explicit_high: 2.0,
        };
        let train = vec![
            Interaction {
                user: 9,
                item: 0,
                rating: 0,
            },
            Interaction {
                user: 9,
                item: 1,
                rating: 10,
            },
            Interaction {
                user: 3,
                item: 2,
                rating: 1,
            },
        ];
        let m = TrainMatrix::build(&items, &train, &w);
        assert_eq!(m.user_ids, vec![3, 9]);
        assert_eq!(m.row(1), vec![(0, 2.0)]);
        assert_eq!(m.row(0), vec![(1, 1.0)]);
        assert_eq!(m.work_users, vec![1, 1]);
        assert_eq!(m.by_user_isbn.nnz(), 3);
        assert_eq!(row_of(&m.by_work, 0), vec![(1, 2.0)]);
    }

    #[test]
    fn weighting_is_linear_between_its_ends() {
        let w = Weighting {
            implicit: 0.3,
            explicit_low: 1.0,
            explicit_high: 4.0,
        };
        assert_eq!(w.weight(0), 0.3);
        assert_eq!(w.weight(1), 1.0);
        assert_eq!(w.weight(10), 4.0);
        assert!((w.weight(4) - 2.0).abs() < 1e-6);
    }
}
