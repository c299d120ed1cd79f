//! Midtrans timestamps: `"YYYY-MM-DD HH:MM:SS"` in Asia/Jakarta (UTC+7, no DST).
//!
//! The strings carry no offset, and the customer's browser is rarely in Jakarta,
//! so they are converted to Unix epoch milliseconds here, by hand: the civil-date
//! arithmetic is a few lines and keeps a calendar crate out of the wasm bundle.

/// Jakarta's fixed offset from UTC in milliseconds (WIB, UTC+7, no daylight saving).
pub const JAKARTA_OFFSET_MS: i64 = 7 * 60 * 60 * 1000;

const MS_PER_DAY: i64 = 24 * 60 * 60 * 1000;

/// Parses `"YYYY-MM-DD HH:MM:SS"` (Jakarta time) to Unix epoch milliseconds.
///
/// Strict: exactly 19 ASCII characters, four-digit year 0001..=9999, a real
/// calendar day (leap years included), hours 00..=23, minutes and seconds
/// 00..=59 (no leap second). No `T`, no offset, no fraction, no whitespace
/// around it: anything else is `None`.
pub fn parse_jakarta(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if year == 0
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year as i64, month, day);
    let local_ms = days * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) as i64 * 1000;
    Some(local_ms - JAKARTA_OFFSET_MS)
}

/// Formats epoch milliseconds as Jakarta time, `"YYYY-MM-DD HH:MM:SS"`.
///
/// Sub-second parts are floored, so `parse_jakarta(&format_jakarta(ms))` is `ms`
/// rounded down to the second for every year 0001..=9999.
pub fn format_jakarta(ms: i64) -> String {
    let local = ms.saturating_add(JAKARTA_OFFSET_MS);
    let days = local.div_euclid(MS_PER_DAY);
    let secs_of_day = local.rem_euclid(MS_PER_DAY) / 1000;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        y,
        m,
        d,
        secs_of_day / 3600,
        secs_of_day / 60 % 60,
        secs_of_day % 60
    )
}

/// `true` for Gregorian leap years.
pub fn is_leap_year(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Exactly `s.len()` ASCII digits as a number (no sign, no spaces).
fn digits(s: &[u8]) -> Option<u32> {
    s.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
///
/// Counts in 400-year eras starting on March 1st, so the leap day is the last
/// day of its "year" and every era has the same length (146097 days).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // 0..=399
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + d - 1; // 0..=365
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // 0..=146096
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: `(year, month, day)`.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn epoch_is_seven_in_the_morning_in_jakarta() {
        assert_eq!(parse_jakarta("1970-01-01 07:00:00"), Some(0));
        assert_eq!(parse_jakarta("1970-01-01 00:00:00"), Some(-7 * HOUR));
        assert_eq!(format_jakarta(0), "1970-01-01 07:00:00");
    }

    #[test]
    fn fixture_times_match_known_instants() {
        // 2021-06-23 08:22:03 UTC.
        assert_eq!(
            parse_jakarta("2021-06-23 15:22:03"),
            Some(1_624_436_523_000)
        );
        // 2017-10-04 05:00:00 UTC.
        assert_eq!(
            parse_jakarta("2017-10-04 12:00:00"),
            Some(1_507_093_200_000)
        );
        // 2026-11-25 07:03:11 UTC.
        assert_eq!(
            parse_jakarta("2026-11-25 14:03:11"),
            Some(1_795_590_191_000)
        );
    }

    #[test]
    fn leap_years_follow_the_gregorian_rules() {
        assert!(parse_jakarta("2024-02-29 00:00:00").is_some());
        assert!(parse_jakarta("2000-02-29 00:00:00").is_some());
        assert!(parse_jakarta("2023-02-29 00:00:00").is_none());
        assert!(parse_jakarta("1900-02-29 00:00:00").is_none());
        assert!(parse_jakarta("2100-02-29 00:00:00").is_none());
        let feb28 = parse_jakarta("2024-02-28 12:00:00").unwrap();
        let mar01 = parse_jakarta("2024-03-01 12:00:00").unwrap();
        assert_eq!(mar01 - feb28, 2 * 24 * HOUR);
    }

    #[test]
    fn crossing_midnight_and_new_year_in_utc() {
        // 06:59:59 in Jakarta is still the previous day in UTC.
        let t = parse_jakarta("2025-01-01 06:59:59").unwrap();
        let u = parse_jakarta("2025-01-01 07:00:00").unwrap();
        assert_eq!(u - t, 1000);
        assert_eq!(u % (24 * HOUR), 0);
        assert_eq!(format_jakarta(t), "2025-01-01 06:59:59");
    }

    #[test]
    fn rejects_everything_but_the_exact_format() {
        for bad in [
            "",
            "2021-06-23",
            "2021-06-23T15:22:03",
            "2021-06-23 15:22:03Z",
            "2021-06-23 15:22:03+07:00",
            "2021-06-23 15:22:03.000",
            " 2021-06-23 15:22:03",
            "2021-06-23 15:22:03 ",
            "2021-6-23 15:22:03 ",
            "2021/06/23 15:22:03",
            "21-06-23 15:22:03",
            "+2021-06-23 15:22:0",
            "-021-06-23 15:22:03",
            "2021-00-23 15:22:03",
            "2021-13-23 15:22:03",
            "2021-06-00 15:22:03",
            "2021-06-31 15:22:03",
            "2021-04-31 15:22:03",
            "2021-06-23 24:00:00",
            "2021-06-23 23:60:00",
            "2021-06-23 23:59:60",
            "0000-01-01 00:00:00",
            "20210-06-23 15:22:03",
            "99999999-06-23 15:22:03",
            "2021-06-23 1５:22:03",
            "２021-06-23 15:22:03",
            "2021-06-23 15:22:0a",
            "2021-06-23\t15:22:03",
        ] {
            assert_eq!(parse_jakarta(bad), None, "accepted {bad:?}");
        }
    }

    #[test]
    fn extreme_years_round_trip() {
        for s in [
            "0001-01-01 00:00:00",
            "9999-12-31 23:59:59",
            "1969-12-31 23:59:59",
        ] {
            let ms = parse_jakarta(s).unwrap();
            assert_eq!(format_jakarta(ms), s);
        }
    }

    #[test]
    fn format_floors_sub_second_parts_even_before_1970() {
        assert_eq!(format_jakarta(999), "1970-01-01 07:00:00");
        assert_eq!(format_jakarta(-1), "1970-01-01 06:59:59");
        assert_eq!(format_jakarta(-7 * HOUR - 1), "1969-12-31 23:59:59");
    }

    #[test]
    fn format_does_not_panic_at_the_extremes() {
        assert!(!format_jakarta(i64::MAX).is_empty());
        assert!(!format_jakarta(i64::MIN).is_empty());
    }

    #[test]
    fn every_day_of_several_years_round_trips() {
        let start = days_from_civil(1999, 1, 1);
        let end = days_from_civil(2033, 1, 1);
        let mut expected = (1999, 1, 1);
        for days in start..end {
            let (y, m, d) = civil_from_days(days);
            assert_eq!((y, m, d), expected);
            assert_eq!(days_from_civil(y, m, d), days);
            // Advance the expected date by one day.
            expected = if d < days_in_month(y as u32, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }
}
