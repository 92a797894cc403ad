//! Typo-tolerant word lookup: a Damerau–Levenshtein walk down the vocabulary fst.

/// Every vocabulary word within `max` Damerau–Levenshtein edits of `query` (optimal string
/// alignment: insert, delete, substitute, or swap two adjacent letters), as (word id, edits),
/// sorted by word id.
///
/// fst's own `Levenshtein` automaton counts a swap as two edits, so "tolkein" would miss
/// "tolkien"; it also determinises a DFA per query, which costs milliseconds at two edits. This
/// walks the fst as a trie instead, computing one dynamic-programming row per character on the
/// way down (the classic trie walk): a branch is abandoned as soon as no cell of its row is
/// within `max`, and only the diagonal band `|i - j| <= max` is computed, as every cell outside
/// it is above `max` anyway. Edits are counted on characters: multi-byte UTF-8 is gathered
/// before a row is computed.
pub(super) fn fuzzy_words(vocab: &fst::raw::Fst<Vec<u8>>, query: &str, max: u8) -> Vec<(u32, u8)> {
    let query: Vec<char> = query.chars().collect();
    let width = query.len() + 1;
    let cap = max.saturating_add(1);
    let mut walk = FuzzyWalk {
        fst: vocab,
        query: &query,
        max,
        cap,
        // Row 0: the empty input is `j` edits from the query's first `j` characters.
        rows: (0..width)
            .map(|j| (j.min(usize::from(cap))) as u8)
            .collect(),
        chars: Vec::new(),
        found: Vec::new(),
    };
    walk.descend(vocab.root(), fst::raw::Output::zero(), [0; 4], 0);
    let mut found = walk.found;
    found.sort_unstable();
    found
}

/// The state of one [`fuzzy_words`] walk.
pub(super) struct FuzzyWalk<'a> {
    fst: &'a fst::raw::Fst<Vec<u8>>,
    query: &'a [char],
    max: u8,
    /// `max + 1`: every value above `max` is stored as this, so rows fit in `u8`.
    cap: u8,
    /// The rows of the path walked so far, `query.len() + 1` cells each; row `i` holds the
    /// edits between the path's first `i` characters and each prefix of the query.
    rows: Vec<u8>,
    /// The path's characters.
    chars: Vec<char>,
    /// Matches so far: word id and edits.
    found: Vec<(u32, u8)>,
}

impl FuzzyWalk<'_> {
    /// Visit every child of `node`; `pending` holds the bytes of a character not yet complete.
    fn descend(
        &mut self,
        node: fst::raw::Node<'_>,
        output: fst::raw::Output,
        pending: [u8; 4],
        pending_len: usize,
    ) {
        for i in 0..node.len() {
            let t = node.transition(i);
            let next = self.fst.node(t.addr);
            let output = output.cat(t.out);
            let mut bytes = pending;
            bytes[pending_len] = t.inp;
            let len = pending_len + 1;
            let need = match bytes[0] {
                0x00..=0x7F => 1,
                0xE0..=0xEF => 3,
                0xF0..=0xFF => 4,
                _ => 2,
            };
            if len < need {
                self.descend(next, output, bytes, len);
                continue;
            }
            let c = std::str::from_utf8(&bytes[..len])
                .ok()
                .and_then(|s| s.chars().next())
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            if self.push_row(c) {
                let width = self.query.len() + 1;
                let edits = self.rows[self.rows.len() - 1];
                if next.is_final() && edits <= self.max {
                    // Word ids fit in u32: the vocabulary was built from u32 ids.
                    let id = output.cat(next.final_output()).value() as u32;
                    self.found.push((id, edits));
                }
                self.descend(next, output, [0; 4], 0);
                self.rows.truncate(self.rows.len() - width);
            }
            self.chars.pop();
        }
    }

    /// Push the character `c` and its row; `false` (row not kept) when no cell is within
    /// `max`, so nothing below can match. Never under a swap either: a cell reached by a swap
    /// is never below the diagonal cell it passes, which was in the previous row.
    fn push_row(&mut self, c: char) -> bool {
        let width = self.query.len() + 1;
        let i = self.chars.len() + 1;
        let max = usize::from(self.max);
        let prev_char = self.chars.last().copied();
        self.chars.push(c);
        let base = self.rows.len();
        self.rows.resize(base + width, self.cap);
        let (done, row) = self.rows.split_at_mut(base);
        let above = &done[base - width..];
        let two_above = (i >= 2).then(|| &done[base - 2 * width..base - width]);
        row[0] = (i.min(usize::from(self.cap))) as u8;
        let mut alive = row[0] <= self.max;
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(width - 1);
        for j in lo..=hi {
            let substitute = above[j - 1] + u8::from(self.query[j - 1] != c);
            let mut best = substitute.min(above[j] + 1).min(row[j - 1] + 1);
            if let Some(two) = two_above {
                if j >= 2 && prev_char == Some(self.query[j - 1]) && c == self.query[j - 2] {
                    best = best.min(two[j - 2] + 1);
                }
            }
            row[j] = best.min(self.cap);
            alive |= row[j] <= self.max;
        }
        if !alive {
            self.rows.truncate(base);
        }
        alive
    }
}
