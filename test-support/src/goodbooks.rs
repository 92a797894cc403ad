//! The committed goodbooks-10k sample (CC BY-SA; see its `SOURCE.md`): the fixture the
//! integration tests of every crate start from.

/// The sample's folder (`books.csv`, `ratings.csv`, `book_tags.csv`, `tags.csv`, ...).
pub const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../engine/tests/fixtures/goodbooks"
);

/// ISBNs of books in the sample's catalog.
pub const HUNGER_GAMES: &str = "0439023483";
/// See [`HUNGER_GAMES`].
pub const HARRY_POTTER: &str = "0439554934";
/// See [`HUNGER_GAMES`].
pub const TWILIGHT: &str = "0316015849";
/// See [`HUNGER_GAMES`].
pub const MOCKINGBIRD: &str = "0061120081";
