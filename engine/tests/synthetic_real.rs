//! Synthetic data generated from the real Book-Crossing files loads back, through the
//! Book-Crossing loader, with their shape: the same reader and edition degree distributions,
//! the same edition groups and the same rating mix, at 1x and at a fraction.

use engine::datasets::load::{load_bookcrossing, load_bookcrossing_from};
use engine::datasets::synthetic::{generate, ks_distance, write_books, write_ratings, Shape};

#[test]
fn generated_from_book_crossing_it_loads_back_with_its_shape() {
    let Some(dir) = test_support::data::bookcrossing() else {
        return;
    };
    let source = Shape::fit(&load_bookcrossing(&dir).unwrap());
    for scale in [1.0, 0.5] {
        let data = generate(&source, scale, 7);
        let (mut books, mut ratings) = (Vec::new(), Vec::new());
        write_books(&source, &data, &mut books).unwrap();
        write_ratings(&data, &mut ratings).unwrap();
        let loaded = Shape::fit(&load_bookcrossing_from(&books[..], &ratings[..]).unwrap());
        assert_eq!(
            loaded.works.len(),
            data.works.len(),
            "x{scale}: one work each"
        );
        let stubs: usize = source.readers.iter().map(Vec::len).sum();
        let kept = data.ratings.len() as f64 / (scale * stubs as f64);
        assert!(
            (0.99..=1.01).contains(&kept),
            "x{scale}: {kept} of the ratings"
        );
        for (what, a, b) in [
            (
                "reader degrees",
                source.reader_degrees(),
                loaded.reader_degrees(),
            ),
            (
                "edition degrees",
                source.edition_degrees(),
                loaded.edition_degrees(),
            ),
            ("group sizes", source.group_sizes(), loaded.group_sizes()),
        ] {
            // Whole copies keep the sequences but for re-paired repeats; a fraction samples
            // readers and works apart and evens out the two sides' totals.
            let tolerance = if scale == 1.0 { 0.005 } else { 0.02 };
            let d = ks_distance(&a, &b);
            assert!(d < tolerance, "x{scale} {what}: KS {d}");
        }
        let (h0, h1) = (source.rating_histogram(), loaded.rating_histogram());
        let share = |h: &[u64; 11], v: usize| h[v] as f64 / h.iter().sum::<u64>() as f64;
        for v in 0..=10 {
            assert!(
                (share(&h0, v) - share(&h1, v)).abs() < 0.005,
                "x{scale} rating {v}"
            );
        }
    }
}
