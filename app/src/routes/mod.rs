//! One module per page.

pub mod book;
pub mod home;
pub mod not_found;
pub mod search;
