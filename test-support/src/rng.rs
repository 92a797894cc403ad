//! The one random generator tests draw from: the engine's SplitMix64, seeded, so a failing
//! case replays from its seed.

pub use engine::recs::rng::SplitMix64;

/// Helpers tests need beyond the engine's generator.
pub trait TestRng {
    /// `true` with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool;
    /// One element of a non-empty slice.
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T;
    /// `n` random bytes.
    fn bytes(&mut self, n: usize) -> Vec<u8>;
}

impl TestRng for SplitMix64 {
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent as usize
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.below(256) as u8).collect()
    }
}
