//! What the tests of every Shelfwise crate share, so no test file carries its own copy:
//!
//! - [`goodbooks`]: the committed goodbooks-10k sample and books known to be in it;
//! - [`data`]: where the real Book-Crossing files are, and the rule for skipping without them;
//! - [`rng`]: the one seeded random generator tests draw from;
//! - [`book`]: a catalog [`Book`](engine::records::Book) with only what a test cares about;
//! - `store` (feature `store`): a real sled store with the sample imported.

#![warn(missing_docs)]

pub mod data;
pub mod goodbooks;
pub mod rng;
#[cfg(feature = "store")]
pub mod store;

pub use engine::records::Book;

/// A book with a key, a title and an author, and nothing else ([`Book::new`]); set other
/// fields with its `with_*` methods (`book("k", "t", "a").with_year(1954)`).
pub fn book(key: &str, title: &str, author: &str) -> Book {
    Book::new(key, title, author)
}
