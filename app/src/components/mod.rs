//! Reusable view pieces.

pub mod book_actions;
pub mod book_card;
pub mod cover;
pub mod error_view;
pub mod header;
pub mod histogram;
pub mod pagination;
pub mod rec_row;
pub mod search_box;
pub mod stars;
