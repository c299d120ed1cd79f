//! Time left until the charge expires, on the server's clock.
//!
//! `expiry_ms` is the charge's `expiry_time` (Jakarta wall time, UTC+7)
//! already converted to Unix milliseconds. `skew_ms` is server time minus
//! local time, learnt from the status endpoint's `Date` header.

use super::i18n::Locale;

/// Milliseconds left, never negative: `expiry - (local now + skew)`.
pub fn remaining_ms(expiry_ms: i64, now_ms: i64, skew_ms: i64) -> i64 {
    expiry_ms
        .saturating_sub(now_ms.saturating_add(skew_ms))
        .max(0)
}

/// The countdown text. Seconds round up, so `00:00` shows only when time is
/// really up: `04:59`, then `1:02:03` from an hour, then
/// `2 hari 03:04:05` / `2 days 03:04:05` from a day (custom expiries reach 7 days).
pub fn format_remaining(ms: i64, locale: Locale) -> String {
    let secs = if ms <= 0 { 0 } else { (ms - 1) / 1000 + 1 };
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    if days > 0 {
        let unit = match (locale, days) {
            (Locale::Id, _) => "hari",
            (Locale::En, 1) => "day",
            (Locale::En, _) => "days",
        };
        format!("{days} {unit} {h:02}:{m:02}:{s:02}")
    } else if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// Moments worth announcing to screen readers; the ticking text itself is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Threshold {
    FiveMinutes,
    OneMinute,
    Expired,
}

const FIVE_MINUTES_MS: i64 = 5 * 60_000;
const ONE_MINUTE_MS: i64 = 60_000;

/// The threshold passed between two readings, the most urgent one if a
/// late tick (a sleeping laptop, a throttled tab) jumped over several.
pub fn crossed(prev_remaining_ms: i64, remaining_ms: i64) -> Option<Threshold> {
    if prev_remaining_ms > 0 && remaining_ms <= 0 {
        Some(Threshold::Expired)
    } else if prev_remaining_ms > ONE_MINUTE_MS && remaining_ms <= ONE_MINUTE_MS {
        Some(Threshold::OneMinute)
    } else if prev_remaining_ms > FIVE_MINUTES_MS && remaining_ms <= FIVE_MINUTES_MS {
        Some(Threshold::FiveMinutes)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_uses_server_time() {
        // Local clock 5 s behind the server: 5 s less left than it looks.
        assert_eq!(remaining_ms(100_000, 40_000, 5_000), 55_000);
        assert_eq!(remaining_ms(100_000, 40_000, -5_000), 65_000);
        assert_eq!(remaining_ms(100_000, 200_000, 0), 0);
        assert_eq!(remaining_ms(i64::MAX, i64::MIN, i64::MIN), i64::MAX);
        assert_eq!(remaining_ms(i64::MIN, i64::MAX, i64::MAX), 0);
    }

    #[test]
    fn rounds_up_to_the_next_second() {
        assert_eq!(format_remaining(0, Locale::En), "00:00");
        assert_eq!(format_remaining(-5, Locale::En), "00:00");
        assert_eq!(format_remaining(1, Locale::En), "00:01");
        assert_eq!(format_remaining(1000, Locale::En), "00:01");
        assert_eq!(format_remaining(1001, Locale::En), "00:02");
        assert_eq!(format_remaining(299_000, Locale::Id), "04:59");
        assert_eq!(format_remaining(900_000, Locale::Id), "15:00");
        assert_eq!(format_remaining(3_599_001, Locale::En), "1:00:00");
    }

    #[test]
    fn hours_and_days() {
        assert_eq!(format_remaining(3_723_000, Locale::En), "1:02:03");
        assert_eq!(format_remaining(86_399_000, Locale::En), "23:59:59");
        let two_days = 2 * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_000;
        assert_eq!(format_remaining(two_days, Locale::Id), "2 hari 03:04:05");
        assert_eq!(format_remaining(two_days, Locale::En), "2 days 03:04:05");
        assert_eq!(format_remaining(86_400_000, Locale::En), "1 day 00:00:00");
        assert_eq!(
            format_remaining(7 * 86_400_000, Locale::Id),
            "7 hari 00:00:00"
        );
    }

    #[test]
    fn thresholds_fire_once_each() {
        assert_eq!(crossed(300_001, 300_000), Some(Threshold::FiveMinutes));
        assert_eq!(crossed(300_000, 299_000), None);
        assert_eq!(crossed(61_000, 60_000), Some(Threshold::OneMinute));
        assert_eq!(crossed(1, 0), Some(Threshold::Expired));
        assert_eq!(crossed(0, 0), None);
        assert_eq!(crossed(400_000, 30_000), Some(Threshold::OneMinute));
        assert_eq!(crossed(400_000, 0), Some(Threshold::Expired));
        // A countdown that starts inside a window announces nothing until the next line.
        assert_eq!(crossed(200_000, 199_000), None);
        // Time moving back (skew corrected) is not a crossing.
        assert_eq!(crossed(0, 10_000), None);
    }

    #[test]
    fn walking_a_countdown_announces_three_times() {
        let mut prev = 16 * 60_000;
        let mut seen = Vec::new();
        let mut ms = prev;
        while ms > -2000 {
            ms -= 250;
            if let Some(t) = crossed(prev, ms) {
                seen.push(t);
            }
            prev = ms;
        }
        assert_eq!(
            seen,
            [
                Threshold::FiveMinutes,
                Threshold::OneMinute,
                Threshold::Expired
            ]
        );
    }
}
