//! Serving: a [`TrainedModels`] bundle under the [`Rules`] of a deployment ([`Serving`]) gives
//! recommendations for any reader (fold-in: nothing is retrained, a rating given a moment ago
//! counts), similar books, and the reasons for each.
//!
//! The trained bundle is what training learned and what the model file holds; the rules are
//! what the one serving it chooses, so the server can show two books an author in a row of ten
//! while the evaluation scores the cap it was trained with, from the same file.
//! [`latency`] times it per request, as the benchmarks measure it.
//!
//! Every list: never repeats a work the reader rated, shelved or marked not interested (any
//! edition of it), shows each work once (as the edition [`super::editions`] picks for the
//! reader), and holds at most [`Rules::max_per_author`] works by one author
//! ([`cap_per_author`] applies the same cap to any ranked list).

mod cap;
mod explain;
pub mod latency;
mod lists;
mod rank;

use serde::{Deserialize, Serialize};

use super::trained::{TrainParams, TrainedModels};

pub use cap::{cap_per_author, AuthorCap};
pub use explain::{Because, Explanation};

/// What the one serving a bundle chooses, apart from what training learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// At most this many works by one author in a list.
    pub max_per_author: usize,
}

impl Rules {
    /// The rules a bundle was trained with ([`TrainParams::max_per_author`]).
    pub fn of(params: &TrainParams) -> Rules {
        Rules {
            max_per_author: params.max_per_author,
        }
    }
}

/// A trained bundle served under rules: recommendations, similar books and rankings.
#[derive(Debug, Clone, Copy)]
pub struct Serving<'a> {
    /// The trained models.
    pub models: &'a TrainedModels,
    /// The rules every list follows.
    pub rules: Rules,
}

impl TrainedModels {
    /// This bundle served under `rules`.
    pub fn serve(&self, rules: Rules) -> Serving<'_> {
        Serving {
            models: self,
            rules,
        }
    }

    /// This bundle served under the rules it was trained with.
    pub fn serving(&self) -> Serving<'_> {
        self.serve(Rules::of(&self.params))
    }
}

/// One recommended book with the reasons for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// Catalog key of the edition shown.
    pub key: String,
    /// Its work id (`u32::MAX` for a book the model was not trained on, see
    /// [`Serving::recommend_new`]).
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
