//! The `shelfwise` server: configuration, start-up, the HTTP router and the import commands.

#![warn(missing_docs)]

pub mod backup;
pub mod config;
pub mod error;
pub mod eval;
pub mod external_als;
pub mod import;
pub mod listen;
pub mod origin;
pub mod page_turns;
pub mod private;
pub mod serve;
pub mod train;

pub use error::{Error, Result};
