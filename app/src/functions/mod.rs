//! Server functions, grouped by domain. Each validates its input, then calls the server layer
//! (`backend`, server only) for everything else. No module here imports another: what two
//! domains share lives in the backend.
//!
//! `#[server]` turns a function's arguments into the fields of its request struct, and doc
//! comments cannot go on arguments, so functions with arguments allow `missing_docs`; the
//! function's own doc says what they mean.

pub mod accounts;
pub mod catalog;
pub mod library;
pub mod recs;
pub mod transfer;
