//! Shared by the CSV readers (Book-Crossing, goodbooks, Goodreads exports): records with their true line
//! numbers, quoted values for rejection reasons, and CSV errors as the crate's errors.

use std::collections::VecDeque;
use std::io::Read;

use csv::{ByteRecord, ReaderBuilder};

use crate::records::Rejection;
use crate::{Error, Result};

/// Read a library export (Goodreads, StoryGraph: UTF-8 CSV with a header): `columns` makes
/// sense of the header, `row` of each record. A bad row is listed with its line and never
/// stops the import; the file as a whole is refused when `columns` refuses the header, when it
/// is not UTF-8 ([`Error::NotUtf8`], with the first bad line), when it has more than
/// `max_rows` data rows ([`Error::TooManyRows`], found without reading further), or when it
/// was cut off: its last row is a bad one and no line break ends the file
/// ([`Error::Truncated`]; a whole last row without a final line break is read as usual).
pub(crate) fn read_export<C, T>(
    reader: impl Read,
    max_rows: usize,
    file: &str,
    columns: impl FnOnce(Option<&ByteRecord>) -> Result<C>,
    row: impl Fn(&C, &ByteRecord) -> std::result::Result<T, String>,
) -> Result<(Vec<T>, Vec<Rejection>)> {
    // Flexible: a row with the wrong number of fields is a bad row, not a CSV error.
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(NewlineCounter::new(reader));
    let mut record = ByteRecord::new();
    let has_header = reader.read_byte_record(&mut record).map_err(csv_error)?;
    let columns = columns(has_header.then_some(&record))?;

    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    let mut count = 0usize;
    let mut last_bad = None;
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        count += 1;
        if count > max_rows {
            return Err(Error::TooManyRows {
                file: file.to_string(),
                max: max_rows,
            });
        }
        let line = first_line(&mut reader, &record);
        if std::str::from_utf8(record.as_slice()).is_err() {
            return Err(Error::NotUtf8 {
                file: file.to_string(),
                line,
            });
        }
        last_bad = None;
        match row(&columns, &record) {
            Ok(row) => rows.push(row),
            Err(reason) => {
                last_bad = Some(line);
                errors.push(Rejection { line, reason })
            }
        }
    }
    if let Some(line) = last_bad.filter(|_| !reader.get_ref().ended_line()) {
        return Err(Error::Truncated {
            file: file.to_string(),
            line,
        });
    }
    Ok((rows, errors))
}

/// A value quoted for a rejection reason, shortened when long.
pub(crate) fn quoted(value: &str) -> String {
    const MAX_CHARS: usize = 40;
    if value.chars().count() <= MAX_CHARS {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(MAX_CHARS).collect();
        format!("{head:?}…")
    }
}

/// The 1-based line on which the record just read starts.
///
/// `csv::Position::line()` is one line short per CRLF line end (BurntSushi/rust-csv#395, and
/// goodbooks' `tags.csv` and `book_tags.csv` use CRLF), and `Position::byte()` of a record
/// points before any blank lines that precede it. What is exact is where the reader stands
/// after a record: just past the record's terminator (`\n`, or the `\r` of `\r\n`). So the
/// record's last line is one plus the line breaks before its terminator, and its first line
/// is that minus the line breaks inside its (quoted) fields.
/// (Found by the `any_bytes_…` property test: `,,"\n` at the end of a file was put on line 1.)
pub(crate) fn first_line<R: Read>(
    reader: &mut csv::Reader<NewlineCounter<R>>,
    record: &ByteRecord,
) -> u64 {
    // The record cannot start before the line its first byte is on. This bound matters for a
    // last record cut off by the end of the input: it has no terminator, and its last byte may
    // be a line break inside an unterminated quote, counted below as inside the record.
    let start = record.position().map_or(0, |p| p.byte());
    let earliest = reader.get_mut().newlines_before(start) + 1;
    let terminator = reader.position().byte().saturating_sub(1);
    let last_line = reader.get_mut().newlines_before(terminator) + 1;
    let inside: usize = record
        .iter()
        .map(|field| field.iter().filter(|&&b| b == b'\n').count())
        .sum();
    last_line.saturating_sub(inside as u64).max(earliest)
}

/// Passes bytes through, remembering where the line breaks are, so that rows get their true
/// line numbers (see [`first_line`]).
pub(crate) struct NewlineCounter<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Offsets of the `\n`s read ahead but not yet counted: bounded by the reader's buffer.
    pending: VecDeque<u64>,
    /// `\n`s counted so far.
    counted: u64,
    /// The last byte read, if any.
    last: Option<u8>,
}

impl<R> NewlineCounter<R> {
    pub(crate) fn new(inner: R) -> Self {
        NewlineCounter {
            inner,
            offset: 0,
            pending: VecDeque::new(),
            counted: 0,
            last: None,
        }
    }

    /// Whether the input read so far ends with a line break (or is empty): a file whose last
    /// row has none may have been cut off in it.
    fn ended_line(&self) -> bool {
        matches!(self.last, None | Some(b'\n' | b'\r'))
    }

    /// How many `\n`s the input has before byte `offset`; offsets must not decrease.
    fn newlines_before(&mut self, offset: u64) -> u64 {
        while self.pending.front().is_some_and(|&at| at < offset) {
            self.pending.pop_front();
            self.counted += 1;
        }
        self.counted
    }
}

impl<R: Read> Read for NewlineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let start = self.offset;
        self.pending.extend(
            buf[..n]
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| start + i as u64),
        );
        self.offset += n as u64;
        if n > 0 {
            self.last = Some(buf[n - 1]);
        }
        Ok(n)
    }
}

/// A CSV reading error, reported as [`Error::Io`] when it is one.
///
/// The readers are flexible and read bytes, so field counts and UTF-8 never fail here: what is
/// left is I/O, and whatever a later `csv` version might add. Also used for the Goodreads
/// export writer, whose errors are I/O too.
pub(crate) fn csv_error(err: csv::Error) -> Error {
    if !err.is_io_error() {
        return Error::Csv(err);
    }
    match err.into_kind() {
        csv::ErrorKind::Io(io) => Error::Io(io),
        other => Error::Io(std::io::Error::other(format!("{other:?}"))),
    }
}
