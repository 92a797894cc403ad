//! Why a book is recommended: the reasons in reader terms ([`Because`]) and the one
//! explanation a list shows ([`Explanation`]).

use serde::{Deserialize, Serialize};

/// What one recommendation is for, in terms a reader understands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Because {
    /// You rated this book (catalog key).
    Book(String),
    /// It shares this feature (`author:…`, `word:…`, `decade:…`) with books you rated.
    Feature(String),
    /// Popular with readers.
    Popular,
}
