//! Building the index: docs renumbered by popularity, the vocabulary fst, the postings.

use super::*;

impl SearchIndex {
    /// Build the index. Fails only when the catalog is too large for 32-bit ids or the
    /// vocabulary cannot be encoded.
    pub fn build(docs: Vec<SearchDoc>) -> Result<SearchIndex> {
        let too_large = || Error::Index("too many docs or words for 32-bit ids".to_string());
        let doc_count = u32::try_from(docs.len()).map_err(|_| too_large())?;

        // Popularity on a log scale: the difference between 1 and 10 ratings matters as much as
        // between 100 and 1000. Junk values (negative, NaN, infinite) count as zero.
        let clean = |p: f32| if p.is_finite() && p > 0.0 { p } else { 0.0 };
        let max_log = docs
            .iter()
            .map(|d| clean(d.popularity).ln_1p())
            .fold(0.0f32, f32::max);
        let scaled = |p: f32| {
            if max_log > 0.0 {
                POPULARITY_WEIGHT * (clean(p).ln_1p() / max_log).min(1.0)
            } else {
                0.0
            }
        };

        // Ranks: most popular first, ties by id, so rank order is also the tie-break order.
        let mut doc_of_rank: Vec<u32> = (0..doc_count).collect();
        doc_of_rank.sort_by(|&a, &b| {
            clean(docs[b as usize].popularity)
                .total_cmp(&clean(docs[a as usize].popularity))
                .then(a.cmp(&b))
        });
        let popularity: Vec<f32> = doc_of_rank
            .iter()
            .map(|&d| scaled(docs[d as usize].popularity))
            .collect();

        // Pass 1: fold every field (in parallel: folding is most of the build's work), then give
        // each distinct word a provisional id. Words are `text::words`, split out of the folded
        // field without allocating each one.
        let folded = fold_fields(&docs, &doc_of_rank)?;
        let mut provisional: HashMap<&str, u32, BuildWordHasher> = HashMap::default();
        let mut doc_words: Vec<u32> = Vec::new();
        let mut word_offsets: Vec<u32> = Vec::with_capacity(docs.len() + 1);
        let mut title_lens: Vec<u8> = Vec::with_capacity(docs.len());
        word_offsets.push(0);
        for fields in &folded {
            let mut title_len = 0u8;
            for (field, is_title) in [(&fields[0], true), (&fields[1], false)] {
                let words = field.split(' ').filter(|w| !w.is_empty());
                for word in words.take(MAX_FIELD_WORDS) {
                    let next = u32::try_from(provisional.len()).map_err(|_| too_large())?;
                    let id = *provisional.entry(word).or_insert(next);
                    doc_words.push(id);
                    if is_title {
                        title_len += 1;
                    }
                }
            }
            title_lens.push(title_len);
            word_offsets.push(u32::try_from(doc_words.len()).map_err(|_| too_large())?);
        }

        // Pass 2: renumber words in sorted order, which the fst requires and which makes every
        // prefix a contiguous id range.
        let mut vocab_words: Vec<(&str, u32)> = provisional.into_iter().collect();
        vocab_words.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut final_id = vec![0u32; vocab_words.len()];
        for (sorted, (_, old)) in vocab_words.iter().enumerate() {
            // `sorted` fits: there are as many sorted ids as provisional ones, all u32.
            final_id[*old as usize] = sorted as u32;
        }
        let vocab = fst::Map::from_iter(
            vocab_words
                .iter()
                .enumerate()
                .map(|(id, (word, _))| (word.as_bytes(), id as u64)),
        )
        .map_err(|e| Error::Index(format!("vocabulary: {e}")))?;
        drop(vocab_words);
        drop(folded);
        for w in &mut doc_words {
            *w = final_id[*w as usize];
        }
        let vocab_len = final_id.len() as u32;
        drop(final_id);

        // Pass 3: postings by rank, counted then filled (a doc once per word even if the word
        // repeats in it).
        let words_of = |rank: usize, unique: &mut Vec<u32>| {
            unique.clear();
            unique.extend_from_slice(
                &doc_words[word_offsets[rank] as usize..word_offsets[rank + 1] as usize],
            );
            unique.sort_unstable();
            unique.dedup();
        };
        let mut unique: Vec<u32> = Vec::new();
        let mut posting_offsets = vec![0u32; vocab_len as usize + 1];
        for rank in 0..docs.len() {
            words_of(rank, &mut unique);
            for &w in &unique {
                posting_offsets[w as usize + 1] += 1;
            }
        }
        for w in 1..posting_offsets.len() {
            posting_offsets[w] += posting_offsets[w - 1];
        }
        let mut fill = posting_offsets.clone();
        let mut postings = vec![0u32; posting_offsets[vocab_len as usize] as usize];
        for rank in 0..doc_count {
            words_of(rank as usize, &mut unique);
            for &w in &unique {
                let slot = &mut fill[w as usize];
                postings[*slot as usize] = rank;
                *slot += 1;
            }
        }
        drop(fill);

        let mut by_key: Vec<u32> = (0..doc_count).collect();
        by_key.sort_unstable_by(|&a, &b| {
            docs[a as usize]
                .key
                .cmp(&docs[b as usize].key)
                .then(a.cmp(&b))
        });

        Ok(SearchIndex {
            docs,
            vocab,
            vocab_len,
            posting_offsets,
            postings,
            word_offsets,
            doc_words,
            title_lens,
            popularity,
            doc_of_rank,
            by_key,
        })
    }
}

/// Every doc's folded title and author, in rank order, folded on all cores.
pub(super) fn fold_fields(docs: &[SearchDoc], doc_of_rank: &[u32]) -> Result<Vec<[String; 2]>> {
    let fold = |ranks: &[u32]| -> Vec<[String; 2]> {
        ranks
            .iter()
            .map(|&d| {
                let doc = &docs[d as usize];
                [text::fold(&doc.title), text::fold(&doc.author)]
            })
            .collect()
    };
    // One core (or a target without threads, where this reports an error): fold inline.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads == 1 || doc_of_rank.len() < 1024 {
        return Ok(fold(doc_of_rank));
    }
    let chunk = doc_of_rank.len().div_ceil(threads);
    let parts = std::thread::scope(|scope| {
        let workers: Vec<_> = doc_of_rank
            .chunks(chunk)
            .map(|ranks| scope.spawn(move || fold(ranks)))
            .collect();
        // Join every worker before looking at the results, so that none is left running.
        workers.into_iter().map(|w| w.join()).collect::<Vec<_>>()
    });
    let mut folded = Vec::with_capacity(doc_of_rank.len());
    for part in parts {
        folded.extend(part.map_err(|_| Error::Index("a folding thread panicked".to_string()))?);
    }
    Ok(folded)
}

/// FxHash (rustc's hasher) for the build's word table: several times faster than the default
/// SipHash on millions of short words, and the table never sees untrusted keys it must resist
/// collisions from (it lives for one build over the catalog).
#[derive(Default, Clone, Copy)]
pub(super) struct WordHasher(u64);

/// Builds [`WordHasher`]s.
pub(super) type BuildWordHasher = std::hash::BuildHasherDefault<WordHasher>;

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
