//! Shelfwise's recommender core.
//!
//! Everything here is pure computation over in-memory data: the catalog model, the parsers for
//! the published dataset layouts, text normalisation, search and (later) the recommendation
//! models. Storage, HTTP and UI live in other crates so that this one builds, tests and
//! benchmarks on its own.

pub mod bookcrossing;
pub mod catalog;
pub mod error;
pub mod goodbooks;
/// Goodreads library exports: read them, match their rows to the catalog, write them back.
pub mod goodreads;
pub mod isbn;
pub mod model;
pub mod popularity;
pub mod recs;
pub mod search;
pub mod text;

pub use error::{Error, Result};
