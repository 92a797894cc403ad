//! The published dataset layouts and the loaders built on them.
//!
//! - [`bookcrossing`]: the Book-Crossing files (`BX-Books.csv`, `BX-Book-Ratings.csv`,
//!   `BX-Users.csv`);
//! - [`goodbooks`]: the goodbooks-10k files (`books.csv`, `ratings.csv`, `tags.csv`,
//!   `book_tags.csv`);
//! - [`goodreads`]: Goodreads library exports, read, matched to the catalog and written back;
//! - [`storygraph`], [`librarything`]: StoryGraph's and LibraryThing's library exports, read
//!   into Goodreads rows; [`stars`]: their fractional stars on the 1–10 scale and back;
//! - [`library`]: which of the three a file is, and its rows;
//! - [`load`]: a dataset (or a store's own records) in the recommender's form;
//! - [`formula`]: export cells kept from running as spreadsheet formulas;
//! - [`synthetic`]: interaction data with Book-Crossing's shape at any multiple of its size,
//!   written in its layout, for measuring costs as the data grows.
//!
//! The parsers stream rows into callbacks and record every rejected row in an
//! [`ImportReport`](crate::records::ImportReport); the loaders collect them.

pub mod bookcrossing;
mod csv_lines;
pub mod formula;
pub mod goodbooks;
pub mod goodreads;
pub mod library;
pub mod librarything;
pub mod load;
pub mod stars;
pub mod storygraph;
pub mod synthetic;
mod year;
