//! Server functions, grouped by domain. Each validates its input before touching the store.

pub mod accounts;
pub mod catalog;
pub mod library;
pub mod recs;
pub mod transfer;
