//! The serving rules over a [`TrainedModels`](super::trained::TrainedModels) bundle: recommendations for any reader (fold-in:
//! nothing is retrained, a rating given a moment ago counts), similar books, and the reasons
//! for each.
//!
//! Rules: a recommendation never repeats a work the reader rated, shelved or marked not
//! interested (any edition of it), shows each work once (as the edition
//! [`super::editions`] picks for the reader), and holds at most
//! [`TrainParams::max_per_author`](super::trained::TrainParams::max_per_author) works by one
//! author ([`cap_per_author`] applies the same cap to any ranked list).

mod cap;
mod explain;
mod lists;
mod rank;

use serde::{Deserialize, Serialize};

pub use cap::{cap_per_author, AuthorCap};
pub use explain::{Because, Explanation};

/// One recommended book with the reasons for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// Catalog key of the edition shown.
    pub key: String,
    /// Its work id.
    pub work: u32,
    /// The model's score.
    pub score: f32,
    /// Every reason with its additive share of `score`, largest first; the shares sum to
    /// `score` (to rounding).
    pub because: Vec<(Because, f32)>,
}

/// A reader's request: what they rated and what must not be shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// Their ratings: catalog key and 0 (implicit) or 1–10.
    pub ratings: Vec<(String, u8)>,
    /// Books on their shelves (never recommended).
    pub shelved: Vec<String>,
    /// Books they marked not interested (never recommended).
    pub not_interested: Vec<String>,
    /// How many recommendations.
    pub k: usize,
}
