//! Answering a query: resolve its words, take the candidates of the most selective one,
//! score them, keep the best edition per work.

use super::*;

impl SearchIndex {
    /// The best `limit` matches for `query`, best first, at most one edition per work.
    ///
    /// A query that looks like an ISBN returns that edition when the catalog has it. Otherwise
    /// every query word must match a title or author word exactly, as a prefix, or within a
    /// small edit distance; for queries of 3+ words, if no edition matches every word, editions
    /// missing one word are returned instead.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        if limit == 0 || self.docs.is_empty() {
            return Vec::new();
        }
        if isbn::looks_like_isbn(query) {
            if let Some(doc) = isbn::normalize(query).and_then(|key| self.find_key(&key)) {
                // An ISBN names one edition; the words of an ISBN ("0", "439", ...) would only
                // match noise, so nothing else is returned.
                return vec![Hit {
                    doc,
                    score: ISBN_SCORE,
                    matched: MatchKind::Isbn,
                }];
            }
        }

        let words = text::words(query);
        let last = words.len().min(MAX_QUERY_WORDS);
        if last == 0 {
            return Vec::new();
        }
        let terms: Vec<Term> = words[..last]
            .iter()
            .enumerate()
            .map(|(i, w)| self.term(w, i + 1 == last))
            .collect();

        // Order the words by how many postings they expand to; the rarest drives.
        let mut order: Vec<usize> = (0..terms.len()).collect();
        order.sort_by_key(|&i| (terms[i].postings, i));

        let mut scored = self.collect(&terms, &order[..1], 0);
        if scored.is_empty() && terms.len() >= 3 {
            // Every doc missing one word holds the rarest or the second rarest word: those two
            // drive the fallback.
            scored = self.collect(&terms, &order[..2], 1);
        }
        self.best_per_work(scored, limit)
    }

    /// The doc with this key (the lowest id if several share it).
    fn find_key(&self, key: &str) -> Option<u32> {
        let at = self
            .by_key
            .partition_point(|&d| self.docs[d as usize].key.as_str() < key);
        let &d = self.by_key.get(at)?;
        (self.docs[d as usize].key == key).then_some(d)
    }

    /// Resolve one folded query word against the vocabulary.
    fn term(&self, word: &str, is_last: bool) -> Term {
        let chars = word.chars().count();
        let exact = self.vocab.get(word).map(|id| id as u32);
        let prefix = if is_last || chars >= MIN_INNER_PREFIX_CHARS {
            Some(self.prefix_range(word.as_bytes()))
        } else {
            None
        };
        let max_edits = match chars {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        };
        let mut fuzzy = Vec::new();
        if max_edits > 0 && chars <= MAX_FUZZY_CHARS {
            for (id, edits) in fuzzy_words(self.vocab.as_fst(), word, max_edits) {
                let in_prefix = prefix.as_ref().is_some_and(|r| r.contains(&id));
                // Exact and prefix matches score higher and are checked first; keeping them
                // out of the fuzzy list keeps it (and the driver estimate) small.
                if edits > 0 && !in_prefix {
                    fuzzy.push((id, edits));
                }
            }
        }
        let exact_or_prefix = match (&prefix, exact) {
            (Some(r), _) => self.range_postings(r.clone()).len(),
            (None, Some(id)) => self.range_postings(id..id + 1).len(),
            (None, None) => 0,
        };
        let postings = exact_or_prefix
            + fuzzy
                .iter()
                .map(|&(id, _)| self.range_postings(id..id + 1).len())
                .sum::<usize>();
        Term {
            exact,
            prefix,
            prefix_points: if is_last {
                LAST_PREFIX_POINTS
            } else {
                INNER_PREFIX_POINTS
            },
            fuzzy,
            postings,
        }
    }

    /// The ids of the words starting with `prefix` (sorted ids make them contiguous).
    fn prefix_range(&self, prefix: &[u8]) -> Range<u32> {
        let lo = self.lower_bound(prefix);
        // The smallest byte string above every string starting with `prefix`: bump the last
        // byte that can be bumped.
        let mut upper = prefix.to_vec();
        while let Some(&b) = upper.last() {
            if b == u8::MAX {
                upper.pop();
            } else {
                if let Some(last) = upper.last_mut() {
                    *last = b + 1;
                }
                break;
            }
        }
        let hi = if upper.is_empty() {
            self.vocab_len
        } else {
            self.lower_bound(&upper)
        };
        lo..hi.max(lo)
    }

    /// The id of the first word not below `key`, or the vocabulary size.
    fn lower_bound(&self, key: &[u8]) -> u32 {
        let mut stream = self.vocab.range().ge(key).into_stream();
        match stream.next() {
            Some((_, id)) => id as u32,
            None => self.vocab_len,
        }
    }

    /// The postings of a range of word ids: one slice, as postings are grouped by word id.
    fn range_postings(&self, words: Range<u32>) -> &[u32] {
        let start = self.posting_offsets[words.start as usize] as usize;
        let end = self.posting_offsets[words.end as usize] as usize;
        &self.postings[start..end]
    }

    /// The word-id ranges holding a term's candidates: its prefix range (or exact word) and its
    /// fuzzy words.
    fn term_ranges(term: &Term) -> Vec<Range<u32>> {
        let mut ranges: Vec<Range<u32>> = term.fuzzy.iter().map(|&(id, _)| id..id + 1).collect();
        match (&term.prefix, term.exact) {
            (Some(r), _) => ranges.push(r.clone()),
            (None, Some(id)) => ranges.push(id..id + 1),
            (None, None) => {}
        }
        ranges
    }

    /// Score the docs found through the `drivers` terms' postings, keeping those missing at
    /// most `allowed_missing` query words.
    fn collect(&self, terms: &[Term], drivers: &[usize], allowed_missing: usize) -> Vec<Scored> {
        // One bit per doc: a doc reached through several words of a prefix range (or several
        // drivers) is scored once.
        let mut seen = vec![0u64; self.docs.len().div_ceil(64)];
        let mut scored = Vec::new();
        let mut visit = |rank: u32| {
            let (slot, bit) = (rank as usize / 64, 1u64 << (rank % 64));
            if seen[slot] & bit == 0 {
                seen[slot] |= bit;
                if let Some(s) = self.score(rank, terms, allowed_missing) {
                    scored.push(s);
                }
            }
        };
        for &driver in drivers {
            let term = &terms[driver];
            let ranges = Self::term_ranges(term);
            if term.postings <= CANDIDATE_BUDGET {
                for range in ranges {
                    self.range_postings(range).iter().for_each(|&r| visit(r));
                }
                continue;
            }
            // Too broad: take the most popular docs of the expansion. Each word's list is in
            // rank order, so that is every list's head below a rank cut-off. The first cut-off
            // assumes the docs are spread evenly over the ranks; it doubles while too few are
            // found.
            let lists: Vec<&[u32]> = ranges
                .into_iter()
                .flatten()
                .map(|w| self.range_postings(w..w + 1))
                .filter(|l| !l.is_empty())
                .collect();
            let mut heads = vec![0usize; lists.len()];
            let ranks = self.docs.len() as u64;
            let mut cut = (CANDIDATE_BUDGET as u64 * ranks / term.postings as u64).max(64);
            let mut taken = 0;
            loop {
                for (list, head) in lists.iter().zip(&mut heads) {
                    while let Some(&rank) = list.get(*head).filter(|&&r| u64::from(r) < cut) {
                        visit(rank);
                        *head += 1;
                        taken += 1;
                    }
                }
                if taken >= CANDIDATE_BUDGET / 2 || cut >= ranks {
                    break;
                }
                cut = cut.saturating_mul(2);
            }
        }
        scored
    }

    /// Score one doc against every query word; `None` when it misses too many.
    fn score(&self, rank: u32, terms: &[Term], allowed_missing: usize) -> Option<Scored> {
        let d = rank as usize;
        let words =
            &self.doc_words[self.word_offsets[d] as usize..self.word_offsets[d + 1] as usize];
        let title_len = usize::from(self.title_lens[d]);
        let mut missing = 0;
        let mut points = 0.0f32;
        let mut kind = MatchKind::Exact;
        for term in terms {
            let mut best: Option<(f32, MatchKind)> = None;
            for (pos, &w) in words.iter().enumerate() {
                if let Some((p, k)) = term.matches(w) {
                    let p = if pos < title_len {
                        p + TITLE_WORD_BONUS
                    } else {
                        p
                    };
                    if best.is_none_or(|(bp, _)| p > bp) {
                        best = Some((p, k));
                    }
                }
            }
            match best {
                Some((p, k)) => {
                    points += p;
                    kind = kind.weakest(k);
                }
                None => {
                    missing += 1;
                    if missing > allowed_missing {
                        return None;
                    }
                }
            }
        }
        if missing > 0 {
            points -= MISSING_WORD_PENALTY * missing as f32;
        } else {
            points += title_bonus(&words[..title_len], terms);
        }
        Some(Scored {
            score: points + self.popularity[d],
            doc: self.doc_of_rank[d],
            kind,
        })
    }

    /// The best `limit` scored docs, keeping the best edition of each work.
    fn best_per_work(&self, mut scored: Vec<Scored>, limit: usize) -> Vec<Hit> {
        let order = |a: &Scored, b: &Scored| b.score.total_cmp(&a.score).then(a.doc.cmp(&b.doc));
        // Sorting everything would cost more than the scoring for broad queries: sort the top
        // few, and look further only when editions of the same works crowd the top.
        let mut window = limit.saturating_mul(4).max(32);
        loop {
            let all = window >= scored.len();
            let top = if all {
                &mut scored[..]
            } else {
                scored.select_nth_unstable_by(window, order);
                &mut scored[..window]
            };
            top.sort_unstable_by(order);
            let mut works = std::collections::HashSet::new();
            let mut hits = Vec::with_capacity(limit.min(top.len()));
            for s in top.iter() {
                if works.insert(self.docs[s.doc as usize].work) {
                    hits.push(Hit {
                        doc: s.doc,
                        score: s.score,
                        matched: s.kind,
                    });
                    if hits.len() == limit {
                        break;
                    }
                }
            }
            if all || hits.len() == limit {
                return hits;
            }
            window = window.saturating_mul(4);
        }
    }
}

/// The bonus for a title that equals the query or starts with it (as folded text: the last
/// query word may be the start of the title's word at that position).
pub(super) fn title_bonus(title: &[u32], terms: &[Term]) -> f32 {
    let n = terms.len();
    if title.len() < n {
        return 0.0;
    }
    let leading_equal = terms[..n - 1]
        .iter()
        .zip(title)
        .all(|(t, &w)| t.exact == Some(w));
    if !leading_equal {
        return 0.0;
    }
    let last = &terms[n - 1];
    let word = title[n - 1];
    if last.exact == Some(word) && title.len() == n {
        TITLE_EQUALS_BONUS
    } else if last.exact == Some(word) || last.prefix.as_ref().is_some_and(|r| r.contains(&word)) {
        TITLE_STARTS_BONUS
    } else {
        0.0
    }
}

/// A query word resolved against the vocabulary.
pub(super) struct Term {
    /// The word's own id, when it is in the vocabulary.
    exact: Option<u32>,
    /// Ids of the words it may be a prefix of (includes `exact`).
    prefix: Option<Range<u32>>,
    /// Points for a prefix match (the last word's are higher).
    prefix_points: f32,
    /// Words within the allowed edit distance, not in `prefix`, sorted by id, with the distance.
    fuzzy: Vec<(u32, u8)>,
    /// How many postings the word expands to: the cost of driving the search from it.
    postings: usize,
}

impl Term {
    /// The points and kind of this word matching doc word `w`, strongest kind first.
    fn matches(&self, w: u32) -> Option<(f32, MatchKind)> {
        if self.exact == Some(w) {
            return Some((EXACT_POINTS, MatchKind::Exact));
        }
        if self.prefix.as_ref().is_some_and(|r| r.contains(&w)) {
            return Some((self.prefix_points, MatchKind::Prefix));
        }
        let i = self.fuzzy.binary_search_by_key(&w, |&(id, _)| id).ok()?;
        let points = if self.fuzzy[i].1 <= 1 {
            FUZZY1_POINTS
        } else {
            FUZZY2_POINTS
        };
        Some((points, MatchKind::Fuzzy))
    }
}

/// A doc that matched, before per-work selection.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scored {
    score: f32,
    doc: u32,
    kind: MatchKind,
}
