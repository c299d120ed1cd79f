//! Midtrans timestamps: `YYYY-MM-DD HH:MM:SS` in Asia/Jakarta (UTC+7, no daylight saving).

use std::time::{SystemTime, UNIX_EPOCH};

const JAKARTA_OFFSET_SECS: i64 = 7 * 3600;

/// Milliseconds since the Unix epoch, from the system clock.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Formats Unix seconds as Midtrans does: Jakarta wall-clock time without an offset.
pub fn format(unix_secs: u64) -> String {
    let local = unix_secs as i64 + JAKARTA_OFFSET_SECS;
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (days-from-civil, inverted).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
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

    #[test]
    fn epoch_is_seven_in_the_morning_in_jakarta() {
        assert_eq!(format(0), "1970-01-01 07:00:00");
    }

    #[test]
    fn known_instants() {
        // 2021-06-23 08:22:03 UTC, the qris fixture's transaction_time in Jakarta.
        assert_eq!(format(1_624_436_523), "2021-06-23 15:22:03");
        // Crosses midnight and a leap day: 2024-02-28 17:30:00 UTC.
        assert_eq!(format(1_709_141_400), "2024-02-29 00:30:00");
        // 2025-12-31 17:00:00 UTC is already new year in Jakarta.
        assert_eq!(format(1_767_200_400 - 1), "2025-12-31 23:59:59");
        assert_eq!(format(1_767_200_400), "2026-01-01 00:00:00");
    }
}
