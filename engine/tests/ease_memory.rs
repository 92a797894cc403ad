//! EASE's training stays within its memory budget whatever the catalog's size: with the same
//! budget, a catalog with many times more eligible works keeps as many works, and the bytes
//! allocated during training (counted by this test binary's allocator) stay within
//! `EaseParams::training_bytes` plus what is proportional to the interactions.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use engine::records::Book;
use engine::recs::data::{Interaction, ItemIndex, TrainMatrix, Weighting};
use engine::recs::models::ease::{Ease, EaseParams};
use test_support::rng::SplitMix64;

/// The system allocator, counting the bytes live and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded to the system allocator with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(live, Ordering::SeqCst);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded to the system allocator, which allocated `ptr` with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A catalog of `works` works and random interactions, `per_user` per reader, the popular
/// works read more (so the most read are well defined).
fn data(works: u32, users: u32, per_user: u32, seed: u64) -> (ItemIndex, TrainMatrix, u64) {
    let items = ItemIndex::from_books(
        (0..works).map(|w| Book::new(format!("K{w}"), format!("Work {w}"), format!("A {w}"))),
    );
    let mut rng = SplitMix64::new(seed);
    let mut train = Vec::new();
    for user in 0..users {
        for _ in 0..per_user {
            // Skewed: min of two uniforms favours low ids.
            let a = rng.below(works as usize) as u32;
            let b = rng.below(works as usize) as u32;
            train.push(Interaction {
                user,
                item: a.min(b),
                rating: 0,
            });
        }
    }
    train.sort_unstable();
    train.dedup_by_key(|r| (r.user, r.item));
    let m = TrainMatrix::build(&items, &train, &Weighting::default());
    let nnz = train.len() as u64;
    (items, m, nnz)
}

/// Bytes allocated at the peak of `Ease::train` above what was live before it.
fn peak_of_training(m: &TrainMatrix, params: &EaseParams) -> (Ease, u64) {
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let ease = Ease::train(m, params).unwrap();
    let peak = PEAK.load(Ordering::SeqCst) - before;
    (ease, peak as u64)
}

#[test]
fn training_stays_within_the_budget_however_many_works_the_catalog_has() {
    // Start rayon's pool and faer's buffers before counting: they are allocated once per
    // process, not per training.
    let params = EaseParams {
        min_users: 1,
        ..EaseParams::default()
    }
    .with_memory_budget(EaseParams::default().training_bytes(600));
    assert_eq!(params.max_items, 600);
    let (_, warm, _) = data(700, 400, 30, 1);
    Ease::train(&warm, &params).unwrap();

    for (works, users) in [(1_000u32, 800u32), (8_000, 6_400)] {
        let (_, m, nnz) = data(works, users, 40, u64::from(works));
        let eligible = m.work_users.iter().filter(|&&c| c >= 1).count();
        assert!(eligible > 600, "{eligible}");
        let (ease, peak) = peak_of_training(&m, &params);
        assert_eq!(ease.len(), 600);
        // Proportional to the data: the vocabulary's interactions (8 bytes each), each reader's
        // row start and scale, and 4 bytes per work (the position index and the vocabulary's
        // candidates). Plus a little for the thread pool's bookkeeping.
        let data_part = 8 * nnz + 16 * u64::from(users) + 8 * u64::from(works);
        let bound = params.training_bytes(600) + data_part + (64 << 10);
        assert!(
            peak <= bound,
            "{works} works: peak {peak} B over {bound} B (training_bytes {})",
            params.training_bytes(600)
        );
    }
}
