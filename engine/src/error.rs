//! The engine's one error type.

/// Everything that can go wrong inside the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading an input stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A CSV file could not be read as CSV at all (not a single bad row: those are rejected).
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    /// A file does not have the header the dataset layout requires.
    #[error("unexpected header in {file}: expected {expected:?}, found {found:?}")]
    Header {
        /// Which file.
        file: String,
        /// The header the layout publishes.
        expected: String,
        /// What the file had.
        found: String,
    },
    /// A file lacks columns its layout requires (for layouts whose columns are found by name).
    #[error("{file} lacks required columns: {}", .missing.join(", "))]
    MissingColumns {
        /// Which file.
        file: String,
        /// The required columns not in its header, in the layout's order.
        missing: Vec<String>,
    },
    /// A file that must be UTF-8 is not: it was most likely re-saved in another encoding.
    #[error("{file} is not UTF-8 text (line {line}); export it again, or save it as UTF-8")]
    NotUtf8 {
        /// Which file.
        file: String,
        /// The 1-based line of the first invalid byte's row.
        line: u64,
    },
    /// A file ends in the middle of a row: it was cut off (a download or a copy that did not
    /// finish), so its last row cannot be trusted and nothing of it is imported.
    #[error(
        "{file} ends in the middle of the row on line {line}: it looks cut off; export it \
         again and import the whole file (nothing was imported)"
    )]
    Truncated {
        /// Which file.
        file: String,
        /// The 1-based line the unfinished row starts on.
        line: u64,
    },
    /// A row of a file read with a fallback encoding holds bytes no text encoding of that
    /// service writes: the file is damaged, and nothing of it is imported.
    #[error(
        "line {line} of {file} is not readable text (its bytes are neither UTF-8 nor \
         Windows-1252): the file looks damaged; export it again (nothing was imported)"
    )]
    BrokenEncoding {
        /// Which file.
        file: String,
        /// The 1-based line of the first damaged row.
        line: u64,
    },
    /// A file is not a library export of any format an import reads.
    #[error(
        "not a library export Shelfwise reads ({first_line}): import the CSV file that \
         Goodreads or StoryGraph exports, or the tab-separated (TSV) file that LibraryThing \
         exports"
    )]
    UnknownFormat {
        /// What the file starts with, for the reader: `its first line is "..."`, or `the file
        /// is empty`.
        first_line: String,
    },
    /// A file has more rows than an import accepts.
    #[error("{file} has more than {max} rows")]
    TooManyRows {
        /// Which file.
        file: String,
        /// The limit.
        max: usize,
    },
    /// A row cannot be written in an export layout.
    #[error("cannot export row {row}: {reason}")]
    Export {
        /// 0-based position of the row in what was to be written.
        row: usize,
        /// Why.
        reason: String,
    },
    /// The search index could not be built.
    #[error("search index: {0}")]
    Index(String),
}

/// Shorthand for results carrying [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
