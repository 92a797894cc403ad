//! The one server-only layer: everything a server function needs besides its own validation.
//!
//! Server functions in [`crate::functions`] validate their input and call in here; nothing in
//! here calls a server function, and no server-function module calls another. The pieces:
//!
//! - [`state`]: the context every request shares ([`state::AppState`]);
//! - [`errors`]: the store's and the engine's errors turned into [`crate::error::AppError`],
//!   logged once where they are converted;
//! - [`auth`] and [`throttle`]: passwords, sessions, and the login throttle;
//! - [`store`]: the embedded database (sled);
//! - [`recommender`]: the trained model being served, and training it from the store;
//! - [`card_cache`] and [`recs_cache`]: rendered cards and readers' lists, kept between views;
//! - [`cards`]: catalog records as the cards and book pages show them;
//! - [`library`]: a reader's library: their state on books, writes, "My books";
//! - [`accounts`]: accounts around the sessions (who is reading, adopting an anonymous reader);
//! - [`reader`], [`lists`], [`explain`], [`onboarding`], [`taste`]: recommendation lists for
//!   the reader of a request;
//! - [`transfer`]: the import upload and the export downloads (plain HTTP routes).

pub mod accounts;
pub mod add_book;
pub mod auth;
pub mod card_cache;
pub mod cards;
pub mod errors;
pub mod explain;
pub mod library;
pub mod lists;
pub mod notes;
pub mod onboarding;
pub mod reader;
pub mod recommender;
pub mod recs_cache;
pub mod state;
pub mod store;
pub mod taste;
pub mod throttle;
pub mod transfer;

pub use state::{app_state, AppState};
