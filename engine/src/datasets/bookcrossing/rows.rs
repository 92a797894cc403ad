//! Rows of the Book-Crossing files: lines joined into rows and rows split into fields (see
//! the [module docs](super) for the format).

use std::io::{BufRead, Read};

use super::{snippet, MAX_CONTINUATION_LINES, MAX_LINE_BYTES};

/// Split a decoded row into its fields (see the module docs for the format).
///
/// A field runs from its opening quote to the next separator `";"` (or `";NULL` for a null
/// field that follows), the last one to the row's last quote. Quotes and backslashes in
/// between are the field's own text, to be cleaned by the caller.
pub(super) fn split_row(line: &str) -> Result<Vec<Option<&str>>, String> {
    let mut fields = Vec::with_capacity(8);
    let mut rest = line.trim();
    loop {
        if let Some(after) = rest.strip_prefix("NULL") {
            if after.is_empty() {
                fields.push(None);
                return Ok(fields);
            }
            if let Some(next) = after.strip_prefix(';') {
                fields.push(None);
                rest = next;
                continue;
            }
        }
        let Some(body) = rest.strip_prefix('"') else {
            return Err(format!("unquoted field {}", snippet(rest)));
        };
        match find_separator(body) {
            Some(end) => {
                fields.push(Some(&body[..end]));
                // Skip `";`: what follows is the next field's opening quote or its `NULL`.
                rest = &body[end + 2..];
            }
            None => {
                let Some(last) = body.strip_suffix('"') else {
                    return Err(format!("unterminated field {}", snippet(rest)));
                };
                fields.push(Some(last));
                return Ok(fields);
            }
        }
    }
}

/// The byte offset of the quote that closes the current field, if another field follows.
pub(super) fn find_separator(body: &str) -> Option<usize> {
    body.match_indices("\";").map(|(i, _)| i).find(|&i| {
        let next = &body[i + 2..];
        next.starts_with('"')
            || next
                .strip_prefix("NULL")
                .is_some_and(|after| after.is_empty() || after.starts_with(';'))
    })
}

/// One logical row: its bytes without the line end, and the line it starts on.
pub(super) struct Row {
    /// 1-based line number of the row's first line.
    pub(super) line: u64,
    /// The row's bytes (continuation lines joined by `\n`), line ends stripped.
    pub(super) bytes: Vec<u8>,
    /// The line was longer than [`MAX_LINE_BYTES`]; its bytes were dropped.
    pub(super) too_long: bool,
}

/// Splits the input into rows, line by line, skipping blank lines.
pub(super) struct Rows<R> {
    input: R,
    /// Lines read so far.
    pub(super) line: u64,
    /// A line read ahead while looking for continuations of the previous row.
    ahead: Option<Row>,
}

impl<R: BufRead> Rows<R> {
    pub(super) fn new(input: R) -> Self {
        Rows {
            input,
            line: 0,
            ahead: None,
        }
    }

    /// The next non-blank row, with continuation lines joined; `None` at the end.
    pub(super) fn next_row(&mut self) -> std::io::Result<Option<Row>> {
        let mut row = loop {
            let next = match self.ahead.take() {
                Some(row) => Some(row),
                None => self.next_line()?,
            };
            match next {
                Some(row) if row.bytes.iter().all(u8::is_ascii_whitespace) && !row.too_long => {
                    continue
                }
                other => break other,
            }
        };
        if let Some(row) = row.as_mut() {
            let mut joined = 0;
            while joined < MAX_CONTINUATION_LINES && !row.too_long && is_unfinished(&row.bytes) {
                let Some(next) = self.next_line()? else { break };
                if next.too_long || next.bytes.first().is_none_or(|&b| b == b'"') {
                    // A row of its own (or a blank line): keep it for the next call.
                    self.ahead = Some(next);
                    break;
                }
                // The field held a line break; keep it as one, clean_field makes it a space.
                row.bytes.push(b'\n');
                row.bytes.extend_from_slice(&next.bytes);
                joined += 1;
            }
        }
        Ok(row)
    }

    /// The next physical line, without its `\n` or `\r\n`; `None` at the end.
    fn next_line(&mut self) -> std::io::Result<Option<Row>> {
        let mut bytes = Vec::new();
        // Read one byte more than the cap to tell a line of exactly the cap from a longer one.
        let limit = MAX_LINE_BYTES as u64 + 1;
        let n = (&mut self.input)
            .take(limit)
            .read_until(b'\n', &mut bytes)?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        let mut too_long = false;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        } else if n as u64 == limit {
            too_long = true;
            bytes = Vec::new();
            self.skip_rest_of_line()?;
        }
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        Ok(Some(Row {
            line: self.line,
            bytes,
            too_long,
        }))
    }

    /// Discard input up to and including the next `\n`, without holding it in memory.
    fn skip_rest_of_line(&mut self) -> std::io::Result<()> {
        loop {
            let available = self.input.fill_buf()?;
            if available.is_empty() {
                return Ok(());
            }
            match available.iter().position(|&b| b == b'\n') {
                Some(pos) => {
                    self.input.consume(pos + 1);
                    return Ok(());
                }
                None => {
                    let len = available.len();
                    self.input.consume(len);
                }
            }
        }
    }
}

/// Whether a line stops inside a field: a complete row ends with a quote or an unquoted
/// `NULL`.
pub(super) fn is_unfinished(bytes: &[u8]) -> bool {
    let trimmed = bytes.trim_ascii_end();
    !(trimmed.is_empty() || trimmed.ends_with(b"\"") || trimmed.ends_with(b"NULL"))
}
