//! The snapshot of one order kept across page reloads, and its text form.
//!
//! The text is a short `&`-separated, percent-encoded line for sessionStorage;
//! [`Snapshot::decode`] takes nothing it did not write itself: malformed,
//! inconsistent or other orders' snapshots are refused and the widget starts fresh.

/// The snapshot's fields are the machine's vocabulary; this module is its text form.
pub use super::machine::vocabulary::Snapshot;

use super::machine::vocabulary::State;
use super::percent;
use super::status::{self, Outcome, MAX_STATUS_LEN};

const SNAPSHOT_TAG: &str = "gpw1";
const MAX_SNAPSHOT_LEN: usize = 2048;
/// Larger skews are treated as nonsense rather than a wrong clock.
pub(super) const MAX_SKEW_MS: i64 = 10 * 365 * 86_400_000;
/// JavaScript's `Date` range either side of 1970: a start outside it was never written by us.
pub(super) const MAX_TIME_MS: i64 = 8_640_000_000_000_000;

impl Snapshot {
    /// `gpw1&o=..&s=..&t=..[&c=..]&f=..&k=..&b=..`, values percent-encoded.
    pub fn encode(&self) -> String {
        let mut flags = String::new();
        for (on, c) in [
            (self.confirmed, 'c'),
            (self.app_open_attempted, 'a'),
            (self.unreachable_reported, 'u'),
            (self.mismatch_reported, 'm'),
        ] {
            if on {
                flags.push(c);
            }
        }
        let mut out = format!(
            "{SNAPSHOT_TAG}&o={}&s={}&t={}",
            percent::encode(&self.order_id),
            self.state.as_str(),
            percent::encode(&self.transaction_status)
        );
        if let Some(code) = &self.status_code {
            out.push_str("&c=");
            out.push_str(&percent::encode(code));
        }
        out.push_str(&format!(
            "&f={flags}&k={}&b={}",
            self.skew_ms, self.started_ms
        ));
        out
    }

    /// Reads a stored snapshot for `order_id`; anything malformed, inconsistent
    /// or for another order is `None` (the widget then starts fresh).
    pub fn decode(s: &str, order_id: &str) -> Option<Snapshot> {
        if s.len() > MAX_SNAPSHOT_LEN {
            return None;
        }
        let mut parts = s.split('&');
        if parts.next()? != SNAPSHOT_TAG {
            return None;
        }
        let mut fields: [Option<&str>; 7] = [None; 7];
        for part in parts {
            let (key, value) = part.split_once('=')?;
            let slot = "ostcfkb".find(key).filter(|_| key.len() == 1)?;
            if fields[slot].replace(value).is_some() {
                return None;
            }
        }
        let [o, s, t, c, f, k, b] = fields;
        let snap_order = percent::decode(o?)?;
        if snap_order != order_id {
            return None;
        }
        let state = State::parse(s?)?;
        let transaction_status = percent::decode(t?)?;
        if transaction_status.len() > MAX_STATUS_LEN
            || transaction_status.chars().any(char::is_control)
        {
            return None;
        }
        let status_code = match c {
            Some(c) => Some(percent::decode(c)?).filter(|c| c.len() <= 16),
            None => None,
        };
        if c.is_some() && status_code.is_none() {
            return None;
        }
        let flags = f?;
        if flags.chars().any(|ch| !"camu".contains(ch))
            || (1..flags.len()).any(|i| flags[i..].contains(&flags[i - 1..i]))
        {
            return None;
        }
        let skew_ms: i64 = parse_int(k?)?;
        let started_ms: i64 = parse_int(b?)?;
        // `i64::MIN` has no absolute value: a range, not `abs()`.
        if !(-MAX_SKEW_MS..=MAX_SKEW_MS).contains(&skew_ms)
            || !(-MAX_TIME_MS..=MAX_TIME_MS).contains(&started_ms)
        {
            return None;
        }
        let snap = Snapshot {
            order_id: snap_order,
            state,
            transaction_status,
            status_code,
            confirmed: flags.contains('c'),
            app_open_attempted: flags.contains('a'),
            unreachable_reported: flags.contains('u'),
            mismatch_reported: flags.contains('m'),
            skew_ms,
            started_ms,
        };
        snap.is_consistent().then_some(snap)
    }

    /// A terminal state must match its status (or, for an error, its reason); a confirmed live state must be pending-like.
    /// A `capture` also ends in failure (its fraud review denied it) or waits (under review).
    pub(super) fn is_consistent(&self) -> bool {
        let outcome = status::outcome(&self.transaction_status);
        let capture = self.transaction_status == "capture";
        match self.state {
            State::Success => outcome == Outcome::Paid,
            State::Failure => outcome == Outcome::Failed || capture,
            State::Expire => outcome == Outcome::Expired,
            State::Reversed => outcome == Outcome::Reversed,
            // Stopped for good: after an answer at odds with the charge, or an endpoint that never
            // confirmed anything (both recorded as reported).
            State::Error => self.mismatch_reported || self.unreachable_reported,
            State::Loading | State::Pending | State::Confirming => {
                !self.confirmed || outcome.is_pending_like() || capture
            }
        }
    }
}

fn parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_text_is_small_and_escaped() {
        let s = Snapshot {
            order_id: "A&B=C D".into(),
            state: State::Pending,
            transaction_status: "pending".into(),
            status_code: None,
            confirmed: false,
            app_open_attempted: true,
            unreachable_reported: false,
            mismatch_reported: false,
            skew_ms: 0,
            started_ms: 5,
        };
        assert_eq!(
            s.encode(),
            "gpw1&o=A%26B%3DC%20D&s=pending&t=pending&f=a&k=0&b=5"
        );
        assert_eq!(Snapshot::decode(&s.encode(), "A&B=C D"), Some(s.clone()));
        // `!*'()` were escaped by earlier versions and are written plain now: both read.
        let earlier = "gpw1&o=A%21(1)&s=pending&t=pending&f=a&k=0&b=5";
        let now = Snapshot {
            order_id: "A!(1)".into(),
            ..s
        };
        assert_eq!(now.encode(), "gpw1&o=A!(1)&s=pending&t=pending&f=a&k=0&b=5");
        assert_eq!(Snapshot::decode(earlier, "A!(1)").as_ref(), Some(&now));
        assert_eq!(Snapshot::decode(&now.encode(), "A!(1)"), Some(now));
        assert_eq!(parse_int("-12"), Some(-12));
        assert_eq!(parse_int("+12"), None);
        assert_eq!(parse_int("-"), None);
        assert_eq!(parse_int("99999999999999999999"), None);
    }
}
