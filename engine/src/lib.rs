//! Shelfwise's recommender core.
//!
//! Everything here is pure computation over in-memory data: the catalog's records
//! ([`records`]), the parsers and loaders of the published dataset layouts ([`datasets`]), text
//! normalisation, search and the recommender ([`recs`]). Storage, HTTP and UI live in other
//! crates so that this one builds, tests and benchmarks on its own.

#![warn(missing_docs)]

pub mod catalog;
pub mod datasets;
pub mod error;
pub mod isbn;
pub mod popularity;
pub mod records;
pub mod recs;
pub mod search;
pub mod text;

pub use error::{Error, Result};
