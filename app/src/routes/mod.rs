//! One module per page.

pub mod account;
pub mod add_book;
pub mod book;
pub mod home;
pub mod import_report;
pub mod my_books;
pub mod not_found;
pub mod popular;
pub mod search;
pub mod settings;
pub mod taste;
