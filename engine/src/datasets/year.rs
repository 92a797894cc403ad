//! Which years of publication are plausible.

/// The latest year of publication taken as plausible: next year (publishers announce books
/// ahead). Shared with the goodbooks reader.
pub(crate) fn latest_plausible_year() -> u16 {
    // The datasets stop in 2004 (Book-Crossing) and 2017 (goodbooks), so a clock set before
    // this floor must not turn every recent year into "implausible".
    const FLOOR: u16 = 2025;
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0);
    year_of_day(days).max(FLOOR) + 1
}

/// The Gregorian year of a day counted from 1970-01-01 (H. Hinnant's `civil_from_days`).
pub(super) fn year_of_day(days: u64) -> u16 {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let year = yoe + era * 400 + u64::from(mp >= 10);
    u16::try_from(year).unwrap_or(u16::MAX)
}
