//! Midtrans timestamps: `YYYY-MM-DD HH:MM:SS` in Asia/Jakarta (UTC+7, no daylight saving).

use std::time::{SystemTime, UNIX_EPOCH};

use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Milliseconds since the Unix epoch, from the system clock.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Formats Unix seconds as Midtrans does: Jakarta wall-clock time without an offset.
pub fn format(unix_secs: u64) -> String {
    let jakarta = UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC);
    // Past year 9999 (never a Midtrans time) the clock is shown at its last second.
    let time = i64::try_from(unix_secs)
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .unwrap_or(PrimitiveDateTime::MAX.assume_utc())
        .to_offset(jakarta);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    )
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
