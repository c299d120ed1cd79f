//! Midtrans transaction statuses and the merchant status endpoint's reply.
//!
//! The reply is untrusted: it comes from the network through the merchant's
//! endpoint (and whatever proxies sit between), so every field is checked for
//! type and size before the lifecycle looks at it.

use super::json::{self, Value};

/// What a `transaction_status` means for the widget.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Waiting for the shopper (`pending`, and `authorize`, which is card-only).
    Pending,
    /// `settlement` or `capture`.
    Paid,
    /// `deny`, `cancel`, `failure`.
    Failed,
    /// `expire` (also spelled `expired`).
    Expired,
    /// Paid earlier, then refunded or charged back.
    Reversed,
    /// Anything else, as received; handled like `Pending`.
    Unknown(String),
}

impl Outcome {
    /// Terminal outcomes end the lifecycle; later replies never undo them.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Outcome::Paid | Outcome::Failed | Outcome::Expired | Outcome::Reversed
        )
    }

    /// Pending and unknown statuses both mean "keep checking".
    pub fn is_pending_like(&self) -> bool {
        matches!(self, Outcome::Pending | Outcome::Unknown(_))
    }
}

/// Classifies a `transaction_status`, ignoring ASCII case.
pub fn outcome(transaction_status: &str) -> Outcome {
    match transaction_status.to_ascii_lowercase().as_str() {
        "pending" | "authorize" => Outcome::Pending,
        "settlement" | "capture" => Outcome::Paid,
        "deny" | "cancel" | "failure" => Outcome::Failed,
        "expire" | "expired" => Outcome::Expired,
        "refund" | "partial_refund" | "chargeback" | "partial_chargeback" => Outcome::Reversed,
        _ => Outcome::Unknown(transaction_status.to_owned()),
    }
}

/// The spelling used in events: known statuses in Midtrans' lowercase form
/// (`expired` becomes `expire`), unknown ones exactly as received.
pub fn canonical_status(transaction_status: &str) -> String {
    let lower = transaction_status.to_ascii_lowercase();
    match outcome(&lower) {
        Outcome::Unknown(_) => transaction_status.to_owned(),
        Outcome::Expired => "expire".to_owned(),
        _ => lower,
    }
}

/// Longest `transaction_status` accepted; real ones are under 20 bytes.
pub const MAX_STATUS_LEN: usize = 64;
/// Longest identifier or amount accepted (Midtrans order ids are at most 50).
pub const MAX_FIELD_LEN: usize = 256;

/// The fields of a status response the widget uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReply {
    pub order_id: Option<String>,
    pub transaction_id: Option<String>,
    pub transaction_status: String,
    pub status_code: Option<String>,
    pub gross_amount: Option<String>,
    /// Midtrans' fraud review of a card `capture`: `accept`, `challenge` or `deny`.
    pub fraud_status: Option<String>,
}

impl StatusReply {
    /// What the answer means. A `capture` is a payment only once the fraud review accepted
    /// it: `deny` fails it, and `challenge` (or no review) keeps it waiting, as a
    /// settlement may still follow.
    pub fn outcome(&self) -> Outcome {
        let said = outcome(&self.transaction_status);
        if !self.transaction_status.eq_ignore_ascii_case("capture") {
            return said;
        }
        match self.fraud_status.as_deref() {
            Some(f) if f.eq_ignore_ascii_case("accept") => said,
            Some(f) if f.eq_ignore_ascii_case("deny") => Outcome::Failed,
            _ => Outcome::Pending,
        }
    }
}

/// Two rupiah amounts are the same value: `"25000.00"`, `"25000"` and `"25000.0"` are;
/// anything that is not digits with an optional fraction (`"Rp25.000"`, `"1e3"`, `""`)
/// is the same as nothing.
pub fn same_amount(a: &str, b: &str) -> bool {
    fn value(s: &str) -> Option<(u64, &str)> {
        let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
        if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // `parse` also refuses an empty or signed integer part.
        let int = int.parse().ok().filter(|_| !int.starts_with('+'))?;
        Some((int, frac.trim_end_matches('0')))
    }
    matches!((value(a), value(b)), (Some(x), Some(y)) if x == y)
}

/// Reads a status response body. Only `transaction_status` is required;
/// a present field of the wrong type or size rejects the whole reply, since a
/// half-understood answer must not move the payment state.
pub fn parse_status(body: &Value) -> Result<StatusReply, String> {
    if !matches!(body, Value::Object(_)) {
        return Err(format!("status reply is a {}, not an object", body.kind()));
    }
    let transaction_status = match body.get("transaction_status") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(format!(
                "transaction_status is a {}, not a string",
                other.kind()
            ))
        }
        None => return Err("transaction_status is missing".to_owned()),
    };
    if transaction_status.trim().is_empty() {
        return Err("transaction_status is empty".to_owned());
    }
    if transaction_status.len() > MAX_STATUS_LEN {
        return Err("transaction_status is too long".to_owned());
    }
    if transaction_status.chars().any(char::is_control) {
        return Err("transaction_status has control characters".to_owned());
    }
    Ok(StatusReply {
        order_id: optional_string(body, "order_id")?,
        transaction_id: optional_string(body, "transaction_id")?,
        transaction_status,
        status_code: status_code(body)?,
        gross_amount: gross_amount(body)?,
        fraud_status: optional_string(body, "fraud_status")?,
    })
}

/// A status answer's body, as the driver received it, read as a reply: decoded as the
/// browser's `text()` decodes (bytes that are not UTF-8 become U+FFFD, a leading BOM goes),
/// then the JSON reader and [`parse_status`]. `None` when it is no status reply, which the
/// machine counts as a failed request.
pub fn read_reply(body: &[u8]) -> Option<StatusReply> {
    let text = String::from_utf8_lossy(body);
    let value = json::from_str(text.strip_prefix('\u{feff}').unwrap_or(&text)).ok()?;
    parse_status(&value).ok()
}

fn optional_string(body: &Value, key: &str) -> Result<Option<String>, String> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() <= MAX_FIELD_LEN => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err(format!("{key} is too long")),
        Some(other) => Err(format!("{key} is a {}, not a string", other.kind())),
    }
}

/// Midtrans sends `"200"`; some merchant endpoints forward it as a number.
fn status_code(body: &Value) -> Result<Option<String>, String> {
    match body.get("status_code") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() <= 16 => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err("status_code is too long".to_owned()),
        Some(Value::Number(n)) if n.fract() == 0.0 && (0.0..=999.0).contains(n) => {
            Ok(Some(format!("{}", *n as u16)))
        }
        Some(Value::Number(_)) => Err("status_code is not a 3-digit code".to_owned()),
        Some(other) => Err(format!("status_code is a {}", other.kind())),
    }
}

/// Midtrans sends `"275000.00"`; a number is written back in that shape.
fn gross_amount(body: &Value) -> Result<Option<String>, String> {
    match body.get("gross_amount") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() <= 64 => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err("gross_amount is too long".to_owned()),
        Some(Value::Number(n)) if n.is_finite() && *n >= 0.0 && *n < 1e15 => {
            // Integer formatting only: float formatting would add ~15 KB to the wasm.
            let cents = (*n * 100.0).round() as u64;
            Ok(Some(format!("{}.{:02}", cents / 100, cents % 100)))
        }
        Some(Value::Number(_)) => Err("gross_amount is out of range".to_owned()),
        Some(other) => Err(format!("gross_amount is a {}", other.kind())),
    }
}

/// A status answer's `Content-Type` is JSON: `application/json` or a `+json` type, any
/// case, parameters allowed. Anything else (an HTML error or login page, a captive portal,
/// plain text) is not a status, whatever its body looks like.
pub fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let Some((kind, sub)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (sub.eq_ignore_ascii_case("json")
            || sub.len() > 5
                && sub.is_char_boundary(sub.len() - 5)
                && sub[sub.len() - 5..].eq_ignore_ascii_case("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<StatusReply, String> {
        parse_status(&json::from_str(text).unwrap())
    }

    #[test]
    fn classifies_every_documented_status_ignoring_case() {
        let table = [
            ("pending", Outcome::Pending),
            ("authorize", Outcome::Pending),
            ("settlement", Outcome::Paid),
            ("SETTLEMENT", Outcome::Paid),
            ("Capture", Outcome::Paid),
            ("deny", Outcome::Failed),
            ("cancel", Outcome::Failed),
            ("failure", Outcome::Failed),
            ("expire", Outcome::Expired),
            ("Expired", Outcome::Expired),
            ("refund", Outcome::Reversed),
            ("partial_refund", Outcome::Reversed),
            ("chargeback", Outcome::Reversed),
            ("partial_chargeback", Outcome::Reversed),
        ];
        for (s, want) in table {
            assert_eq!(outcome(s), want, "{s}");
        }
        assert_eq!(outcome("on_hold"), Outcome::Unknown("on_hold".into()));
        assert_eq!(
            outcome(" settlement"),
            Outcome::Unknown(" settlement".into())
        );
        assert!(outcome("weird").is_pending_like());
        assert!(!outcome("capture").is_pending_like());
        assert!(outcome("refund").is_terminal());
        assert!(!outcome("authorize").is_terminal());
    }

    #[test]
    fn canonical_spelling() {
        assert_eq!(canonical_status("EXPIRED"), "expire");
        assert_eq!(canonical_status("Settlement"), "settlement");
        assert_eq!(canonical_status("On_Hold"), "On_Hold");
    }

    #[test]
    fn reads_real_notification_shapes() {
        for (file, status) in [
            ("notification-settlement.json", "settlement"),
            ("notification-pending.json", "pending"),
            ("notification-expire.json", "expire"),
        ] {
            let path = format!(
                "{}/tests/fixtures/midtrans/{file}",
                env!("CARGO_MANIFEST_DIR")
            );
            let text = std::fs::read_to_string(&path).expect("fixture");
            let r = parse(&text).unwrap();
            assert_eq!(r.transaction_status, status);
            assert_eq!(r.order_id.as_deref(), Some("order03"));
            assert_eq!(r.gross_amount.as_deref(), Some("275000.00"));
            assert!(r.status_code.is_some());
        }
    }

    #[test]
    fn only_transaction_status_is_required() {
        let r = parse(r#"{"transaction_status":"pending"}"#).unwrap();
        assert_eq!(r.order_id, None);
        assert_eq!(r.status_code, None);
        let r = parse(r#"{"transaction_status":"pending","order_id":null}"#).unwrap();
        assert_eq!(r.order_id, None);
    }

    #[test]
    fn numbers_where_midtrans_sends_strings() {
        let r =
            parse(r#"{"transaction_status":"settlement","status_code":200,"gross_amount":275000}"#)
                .unwrap();
        assert_eq!(r.status_code.as_deref(), Some("200"));
        assert_eq!(r.gross_amount.as_deref(), Some("275000.00"));
        assert!(parse(r#"{"transaction_status":"pending","status_code":200.5}"#).is_err());
        assert!(parse(r#"{"transaction_status":"pending","status_code":-1}"#).is_err());
        assert!(parse(r#"{"transaction_status":"pending","gross_amount":-5}"#).is_err());
    }

    #[test]
    fn rejects_hostile_or_broken_replies() {
        let long = "x".repeat(MAX_FIELD_LEN + 1);
        let bad = [
            "[]".to_owned(),
            "\"settlement\"".to_owned(),
            "null".to_owned(),
            "{}".to_owned(),
            r#"{"transaction_status":""}"#.to_owned(),
            r#"{"transaction_status":"  "}"#.to_owned(),
            r#"{"transaction_status":5}"#.to_owned(),
            r#"{"transaction_status":["settlement"]}"#.to_owned(),
            r#"{"transaction_status":"settle\nment"}"#.to_owned(),
            format!(
                r#"{{"transaction_status":"{}"}}"#,
                "a".repeat(MAX_STATUS_LEN + 1)
            ),
            format!(r#"{{"transaction_status":"pending","order_id":"{long}"}}"#),
            r#"{"transaction_status":"pending","order_id":42}"#.to_owned(),
            r#"{"transaction_status":"pending","transaction_id":{}}"#.to_owned(),
            r#"{"transaction_status":"pending","status_code":true}"#.to_owned(),
            r#"{"transaction_status":"pending","gross_amount":[1]}"#.to_owned(),
        ];
        for text in bad {
            assert!(parse(&text).is_err(), "accepted {text}");
        }
    }

    #[test]
    fn a_body_is_read_as_the_browser_decodes_it() {
        let reply =
            read_reply(b"\xef\xbb\xbf{\"transaction_status\":\"pending\"}").expect("a BOM goes");
        assert_eq!(reply.transaction_status, "pending");
        let reply = read_reply(b"{\"transaction_status\":\"pending\",\"order_id\":\"A\xff\"}")
            .expect("bytes that are not UTF-8 are replaced");
        assert_eq!(reply.order_id.as_deref(), Some("A\u{fffd}"));
        assert_eq!(
            read_reply(b"{\"transaction_status\":\"settlement\",\"order_id\":\"A-1\"}"),
            parse("{\"transaction_status\":\"settlement\",\"order_id\":\"A-1\"}").ok()
        );
        for unreadable in [
            &b""[..],
            b"<html>settlement</html>",
            b"{\"transaction_status\":\"settlement\"",
            b"{\"transaction_status\":200}",
            b"[\"settlement\"]",
            b"\xef\xbb\xbf\xef\xbb\xbf{\"transaction_status\":\"settlement\"}",
        ] {
            assert_eq!(read_reply(unreadable), None, "{unreadable:?}");
        }
    }

    #[test]
    fn a_capture_is_paid_only_once_its_fraud_review_accepts_it() {
        let said = |text: &str| parse(text).unwrap().outcome();
        for (fraud, want) in [
            (r#","fraud_status":"accept""#, Outcome::Paid),
            (r#","fraud_status":"ACCEPT""#, Outcome::Paid),
            (r#","fraud_status":"deny""#, Outcome::Failed),
            (r#","fraud_status":"challenge""#, Outcome::Pending),
            (r#","fraud_status":"accepted""#, Outcome::Pending),
            (r#","fraud_status":null"#, Outcome::Pending),
            ("", Outcome::Pending),
        ] {
            let text = format!(r#"{{"transaction_status":"Capture"{fraud}}}"#);
            assert_eq!(said(&text), want, "{text}");
        }
        // Only a capture waits for the review: a settlement is paid whatever it says.
        assert_eq!(
            said(r#"{"transaction_status":"settlement","fraud_status":"challenge"}"#),
            Outcome::Paid
        );
        assert_eq!(
            said(r#"{"transaction_status":"pending","fraud_status":"accept"}"#),
            Outcome::Pending
        );
        assert!(parse(r#"{"transaction_status":"capture","fraud_status":1}"#).is_err());
    }

    #[test]
    fn amounts_are_compared_as_rupiah_values() {
        for (a, b) in [
            ("25000.00", "25000"),
            ("25000", "25000.0"),
            ("025000", "25000.00"),
            ("25000.50", "25000.5"),
            ("0", "0.00"),
        ] {
            assert!(same_amount(a, b), "{a} {b}");
            assert!(same_amount(b, a), "{b} {a}");
        }
        for (a, b) in [
            ("1.00", "25000.00"),
            ("25000.01", "25000"),
            ("250000", "25000"),
            ("25.000", "25000"),
            ("Rp25000", "25000"),
            ("25,000", "25000"),
            ("+25000", "25000"),
            ("-25000", "25000"),
            (" 25000", "25000"),
            ("25000.", "25000"),
            (".5", "0.5"),
            ("2.5e4", "25000"),
            ("", ""),
            ("99999999999999999999999", "99999999999999999999999"),
        ] {
            assert!(!same_amount(a, b), "{a:?} {b:?}");
        }
        // A number in the answer is written back with cents, and compares as the same value.
        let r = parse(r#"{"transaction_status":"settlement","gross_amount":25000}"#).unwrap();
        assert!(same_amount(r.gross_amount.as_deref().unwrap(), "25000"));
    }

    #[test]
    fn only_json_content_types_carry_a_status() {
        for t in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
            " application/json ",
            "application/problem+json",
            "application/vnd.shop.status+JSON",
        ] {
            assert!(is_json_media_type(t), "{t:?}");
        }
        for t in [
            "",
            "text/html",
            "text/html; charset=utf-8",
            "text/plain",
            "text/json",
            "application/javascript",
            "application/jsonp",
            "application/+json",
            "application/x-www-form-urlencoded",
            "json",
            "application",
            "multipart/form-data; boundary=application/json",
        ] {
            assert!(!is_json_media_type(t), "{t:?}");
        }
    }
}
