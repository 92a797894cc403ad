//! What the tests of every Shelfwise crate share, so no test file carries its own copy:
//!
//! - [`goodbooks`]: the committed goodbooks-10k sample and books known to be in it;
//! - [`data`]: where the real Book-Crossing files are, and the rule for skipping without them;
//! - [`rng`]: the one seeded random generator tests draw from;
//! - [`book`]: a catalog [`Book`](engine::model::Book) with only what a test cares about;
//! - `store` (feature `store`): a real sled store with the sample imported.

#![warn(missing_docs)]

pub mod data;
pub mod goodbooks;
pub mod rng;
#[cfg(feature = "store")]
pub mod store;

pub use engine::model::Book;

/// A book with a key, a title and an author, and nothing else; set other fields with struct
/// update syntax (`Book { year: Some(1954), ..book("k", "t", "a") }`).
pub fn book(key: &str, title: &str, author: &str) -> Book {
    Book {
        key: key.to_string(),
        title: title.to_string(),
        author: author.to_string(),
        year: None,
        publisher: String::new(),
        image_url: None,
        tags: Vec::new(),
    }
}
