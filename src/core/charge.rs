//! The charge response, parsed from untrusted JSON into a typed [`Charge`].
//!
//! The merchant page hands the widget whatever its backend got from Midtrans'
//! `POST /v2/charge` (or a subset of it). Nothing in it is trusted: every field
//! the widget uses is checked for type, length and format here, and any problem
//! becomes a [`ChargeError`] with a stable [`ErrorCode`] the merchant can act on.
//! URLs are only extracted here; whether they may be followed is decided by
//! [`crate::core::deeplink`], which knows the environment and the page origin.

use super::jakarta::parse_jakarta;
use super::json::{self, JsonError, Value};
use super::qris::QrisError;
use std::fmt;

/// Largest charge JSON accepted, in bytes (real responses are about 1.5 KB).
pub const MAX_CHARGE_BYTES: usize = 64 * 1024;
/// Midtrans' limit on `order_id`.
pub const MAX_ORDER_ID_CHARS: usize = 50;
pub const MAX_TRANSACTION_ID_CHARS: usize = 64;
/// Longest `qr_string` drawn; real QRIS payloads are about 250 characters.
pub const MAX_QR_STRING_CHARS: usize = 1000;
/// Longest action URL kept.
pub const MAX_URL_CHARS: usize = 4096;
/// Midtrans' default expiry when the response carries none.
pub const DEFAULT_EXPIRY_MS: i64 = 15 * 60 * 1000;
/// Midtrans' longest custom expiry.
pub const MAX_EXPIRY_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// How much of a Midtrans `status_message` is kept in an error.
pub const MAX_MIDTRANS_MESSAGE_CHARS: usize = 200;

const MAX_AMOUNT_DIGITS: usize = 15;
const MAX_STATUS_CHARS: usize = 32;

/// A checked charge: everything the widget needs to show the payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub order_id: String,
    pub transaction_id: String,
    /// As given (e.g. `"275000.00"`), echoed into events. A JSON number is
    /// written in Midtrans' own form, `"275000.00"`.
    pub gross_amount: String,
    /// Whole rupiah, always > 0.
    pub amount: u64,
    /// Always `"IDR"`.
    pub currency: String,
    pub payment_type: PaymentType,
    /// Lowercased; `"pending"` when the response has none.
    pub transaction_status: String,
    /// Three digits, when the response has one.
    pub status_code: Option<String>,
    pub transaction_time_ms: i64,
    /// After `transaction_time_ms`, by at most [`MAX_EXPIRY_MS`].
    pub expiry_ms: i64,
    pub qr: Option<QrSource>,
    /// Raw URL of the QR image action (`generate-qr-code-v2`, else `generate-qr-code`), not
    /// yet allowlisted: the QR when there is no `qr_string`, the fallback when the payload is
    /// refused.
    pub qr_image: Option<String>,
    /// Raw URL of the `deeplink-redirect` action, not yet allowlisted.
    pub deeplink: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentType {
    Gopay,
    Qris,
}

impl PaymentType {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentType::Gopay => "gopay",
            PaymentType::Qris => "qris",
        }
    }
}

/// What the QR view draws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrSource {
    /// The EMVCo/QRIS payload (`qr_string`), drawn as an inline SVG.
    Payload(String),
    /// A PNG URL from the `generate-qr-code-v2` (preferred) or `generate-qr-code` action.
    Image(String),
}

/// Why a charge cannot be shown. [`ErrorCode::as_str`] is the stable `code` of
/// the `gopay-error` event; `message` is readable English for the developer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeError {
    pub code: ErrorCode,
    /// Names the field at fault but never quotes its value (a Midtrans
    /// `status_message` is the one exception, cut to 200 characters). For the developer
    /// only: the shopper never sees it.
    pub message: String,
    /// The page's own setting stands in the way, and `message` names the fix: the browser
    /// also logs it (`console.warn`), where a developer looks first.
    pub warn: bool,
}

/// The error codes of the `gopay-error` event, as given by [`ErrorCode::as_str`]:
///
/// | code | meaning |
/// |---|---|
/// | `invalid_json` | the charge is not JSON |
/// | `duplicate_key` | an object in the charge names the same key twice |
/// | `input_too_large` | the charge JSON is over [`MAX_CHARGE_BYTES`] |
/// | `missing_charge` | no charge was given at all |
/// | `not_an_object` | the JSON is not an object |
/// | `missing_field` | a required field is absent or null |
/// | `wrong_type` | a field has the wrong JSON type |
/// | `invalid_field` | a field has the right type but an impossible value (length, characters) |
/// | `invalid_amount` | `gross_amount` is not a positive whole rupiah amount |
/// | `invalid_time` | a timestamp is malformed, or the expiry is not within 7 days after the transaction |
/// | `unsupported_payment_type` | `payment_type` is neither `gopay` nor `qris` |
/// | `unsupported_currency` | `currency` is not `IDR` |
/// | `no_payment_method` | the charge has neither a QR nor a deeplink |
/// | `url_not_allowed` | its QR image and deeplink URLs were all refused by the allowlist |
/// | `midtrans_error` | the response is a Midtrans error (`status_code` 4xx/5xx) |
/// | `qris_malformed`, `qris_crc_mismatch`, `qris_not_payment`, `qris_invalid_field` | the `qr_string` is not a payable QRIS code ([`QrisError`]) and the charge has no QR image to show instead |
/// | `qris_amount_mismatch` | the `qr_string` asks for another amount than `gross_amount` |
/// | `qris_tip_or_fee` | the `qr_string` prompts for a tip or adds a fee ([`QrisError::TipOrFee`]), whatever else the charge offers |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidJson,
    DuplicateKey,
    InputTooLarge,
    MissingCharge,
    NotAnObject,
    MissingField,
    WrongType,
    InvalidField,
    InvalidAmount,
    InvalidTime,
    UnsupportedPaymentType,
    UnsupportedCurrency,
    NoPaymentMethod,
    UrlNotAllowed,
    /// The charge says the transaction has already ended and there is no status endpoint
    /// to ask what became of it.
    ChargeNotPending,
    MidtransError {
        status_code: u16,
    },
    Qris(QrisError),
    QrisAmountMismatch,
}

impl ErrorCode {
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::DuplicateKey => "duplicate_key",
            ErrorCode::InputTooLarge => "input_too_large",
            ErrorCode::MissingCharge => "missing_charge",
            ErrorCode::NotAnObject => "not_an_object",
            ErrorCode::MissingField => "missing_field",
            ErrorCode::WrongType => "wrong_type",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::InvalidAmount => "invalid_amount",
            ErrorCode::InvalidTime => "invalid_time",
            ErrorCode::UnsupportedPaymentType => "unsupported_payment_type",
            ErrorCode::UnsupportedCurrency => "unsupported_currency",
            ErrorCode::NoPaymentMethod => "no_payment_method",
            ErrorCode::UrlNotAllowed => "url_not_allowed",
            ErrorCode::ChargeNotPending => "charge_not_pending",
            ErrorCode::MidtransError { .. } => "midtrans_error",
            ErrorCode::Qris(e) => e.code(),
            ErrorCode::QrisAmountMismatch => "qris_amount_mismatch",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ChargeError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ChargeError {
            code,
            message: message.into(),
            warn: false,
        }
    }

    /// The input is over [`MAX_CHARGE_BYTES`] (checked before parsing).
    pub fn too_large() -> Self {
        Self::new(
            ErrorCode::InputTooLarge,
            format!("the charge is larger than {} KB", MAX_CHARGE_BYTES / 1024),
        )
    }

    pub fn invalid_json() -> Self {
        Self::new(ErrorCode::InvalidJson, "the charge is not valid JSON")
    }

    pub fn missing_charge() -> Self {
        Self::new(
            ErrorCode::MissingCharge,
            "no charge was given (data-charge or the charge option)",
        )
    }

    /// The charge had a QR or deeplink, but the allowlist refused every URL.
    pub fn no_safe_method() -> Self {
        Self::new(
            ErrorCode::UrlNotAllowed,
            "the charge's QR image and deeplink URLs are not allowed in this environment",
        )
    }

    /// The allowlist refused the charge's URLs, and `sandbox` would admit them: a Midtrans
    /// sandbox charge shown with `production`, or a local simulator's shown without `sandbox`.
    pub fn needs_sandbox() -> Self {
        ChargeError {
            warn: true,
            ..Self::new(
                ErrorCode::UrlNotAllowed,
                "the charge's URLs are Midtrans sandbox (or local) ones, refused in production: set data-environment=\"sandbox\" (or environment: \"sandbox\") to show a sandbox charge",
            )
        }
    }

    /// A charge that does not say pending, shown without a status endpoint: only the
    /// endpoint may say what became of it, and the charge alone is never a success.
    pub fn not_pending(status: &str) -> Self {
        let shown: String = status.chars().take(40).collect();
        Self::new(
            ErrorCode::ChargeNotPending,
            format!(
                "the charge's transaction_status is {shown:?}, not pending, and there is no status endpoint to confirm it"
            ),
        )
    }

    fn missing(field: &str) -> Self {
        Self::new(ErrorCode::MissingField, format!("{field} is missing"))
    }

    fn wrong_type(field: &str, expected: &str, got: &Value) -> Self {
        Self::new(
            ErrorCode::WrongType,
            format!(
                "{field} must be {expected}, not {} {}",
                article(got.kind()),
                got.kind()
            ),
        )
    }

    fn invalid(field: &str, rule: &str) -> Self {
        Self::new(ErrorCode::InvalidField, format!("{field} {rule}"))
    }
}

fn article(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

impl fmt::Display for ChargeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for ChargeError {}

/// Reads and checks charge JSON text: the size cap, then the JSON reader, then [`parse_charge`].
pub fn parse_charge_json(text: &str) -> Result<Charge, ChargeError> {
    if text.len() > MAX_CHARGE_BYTES {
        return Err(ChargeError::too_large());
    }
    let value = json::from_str(text).map_err(|e| match e {
        JsonError::Syntax => ChargeError::invalid_json(),
        JsonError::DuplicateKey => ChargeError::new(
            ErrorCode::DuplicateKey,
            "an object in the charge names the same key twice",
        ),
    })?;
    parse_charge(&value)
}

/// Checks a charge response and extracts what the widget shows.
pub fn parse_charge(v: &Value) -> Result<Charge, ChargeError> {
    if !matches!(v, Value::Object(_)) {
        return Err(ChargeError::new(
            ErrorCode::NotAnObject,
            format!(
                "the charge must be a JSON object, not {} {}",
                article(v.kind()),
                v.kind()
            ),
        ));
    }
    // An error response has no order to show, so it is reported before anything else.
    let status_code = status_code(v)?;
    if let Some(code) = status_code.filter(|c| (400..=599).contains(c)) {
        return Err(midtrans_error(v, code));
    }

    let order_id = text_field(v, "order_id", MAX_ORDER_ID_CHARS)?;
    let transaction_id = text_field(v, "transaction_id", MAX_TRANSACTION_ID_CHARS)?;
    let (gross_amount, amount) = gross_amount(v)?;

    if let Some(currency) = opt_str(v, "currency")? {
        if !currency.eq_ignore_ascii_case("IDR") {
            return Err(ChargeError::new(
                ErrorCode::UnsupportedCurrency,
                "currency must be IDR",
            ));
        }
    }

    let payment_type = match req_str(v, "payment_type")? {
        t if t.eq_ignore_ascii_case("gopay") => PaymentType::Gopay,
        t if t.eq_ignore_ascii_case("qris") => PaymentType::Qris,
        _ => {
            return Err(ChargeError::new(
                ErrorCode::UnsupportedPaymentType,
                "payment_type must be \"gopay\" or \"qris\"",
            ))
        }
    };

    let transaction_status = match opt_str(v, "transaction_status")? {
        None => "pending".to_owned(),
        Some(s) => {
            let ok = !s.is_empty()
                && s.len() <= MAX_STATUS_CHARS
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !ok {
                return Err(ChargeError::invalid(
                    "transaction_status",
                    "must be a short status word such as \"pending\"",
                ));
            }
            s.to_ascii_lowercase()
        }
    };

    let transaction_time_ms = time_field(v, "transaction_time")?
        .ok_or_else(|| ChargeError::missing("transaction_time"))?;
    let expiry_ms = match time_field(v, "expiry_time")? {
        Some(t) => t,
        None => time_field(v, "expire_time")?.unwrap_or(transaction_time_ms + DEFAULT_EXPIRY_MS),
    };
    let lifetime = expiry_ms - transaction_time_ms;
    if lifetime <= 0 || lifetime > MAX_EXPIRY_MS {
        return Err(ChargeError::new(
            ErrorCode::InvalidTime,
            "the expiry must be after transaction_time and at most 7 days later",
        ));
    }

    let actions = actions(v)?;
    let qr_image = actions.qr_v2.or(actions.qr_v1).map(str::to_owned);
    let qr = match qr_string(v)? {
        Some(payload) => Some(QrSource::Payload(payload.to_owned())),
        None => qr_image.clone().map(QrSource::Image),
    };
    let deeplink = actions.deeplink.map(str::to_owned);
    if qr.is_none() && deeplink.is_none() {
        return Err(ChargeError::new(
            ErrorCode::NoPaymentMethod,
            "the charge has no qr_string, QR code action or deeplink-redirect action",
        ));
    }

    Ok(Charge {
        order_id: order_id.to_owned(),
        transaction_id: transaction_id.to_owned(),
        gross_amount,
        amount,
        currency: "IDR".to_owned(),
        payment_type,
        transaction_status,
        status_code: status_code.map(|c| c.to_string()),
        transaction_time_ms,
        expiry_ms,
        qr,
        qr_image,
        deeplink,
    })
}

/// A field's value; JSON `null` counts as absent, as many backends write absent fields so.
fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.get(name).filter(|f| !matches!(f, Value::Null))
}

fn opt_str<'a>(v: &'a Value, name: &str) -> Result<Option<&'a str>, ChargeError> {
    match field(v, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ChargeError::wrong_type(name, "a string", other)),
    }
}

fn req_str<'a>(v: &'a Value, name: &str) -> Result<&'a str, ChargeError> {
    opt_str(v, name)?.ok_or_else(|| ChargeError::missing(name))
}

/// A required identifier: 1..=`max` characters, none of them control characters.
fn text_field<'a>(v: &'a Value, name: &str, max: usize) -> Result<&'a str, ChargeError> {
    let s = req_str(v, name)?;
    // The byte length bounds the character count from above: a cheap first cut for huge input.
    let ok = !s.is_empty()
        && s.len() <= 4 * max
        && s.chars().count() <= max
        && !s.chars().any(char::is_control);
    if ok {
        Ok(s)
    } else {
        Err(ChargeError::invalid(
            name,
            &format!("must be 1 to {max} characters without control characters"),
        ))
    }
}

/// `status_code` as a number, when present: three digits, as a string or a JSON number.
fn status_code(v: &Value) -> Result<Option<u16>, ChargeError> {
    const RULE: &str = "must be a three-digit code such as \"201\"";
    match field(v, "status_code") {
        None => Ok(None),
        Some(Value::String(s)) => {
            if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0') {
                Ok(s.parse().ok())
            } else {
                Err(ChargeError::invalid("status_code", RULE))
            }
        }
        Some(Value::Number(n)) => {
            if (100.0..=999.0).contains(n) && n.fract() == 0.0 {
                Ok(Some(*n as u16))
            } else {
                Err(ChargeError::invalid("status_code", RULE))
            }
        }
        Some(other) => Err(ChargeError::wrong_type("status_code", "a string", other)),
    }
}

fn midtrans_error(v: &Value, code: u16) -> ChargeError {
    let said: String = v
        .get("status_message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .chars()
        .filter(|c| !matches!(c, '<' | '>'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_MIDTRANS_MESSAGE_CHARS)
        .collect();
    let said = said.trim();
    let message = if said.is_empty() {
        format!("Midtrans refused the charge with status {code}")
    } else {
        format!("Midtrans {code}: {said}")
    };
    ChargeError::new(ErrorCode::MidtransError { status_code: code }, message)
}

/// `gross_amount` as given (or in Midtrans' form for a number) and in whole rupiah.
fn gross_amount(v: &Value) -> Result<(String, u64), ChargeError> {
    let invalid = || {
        ChargeError::new(
            ErrorCode::InvalidAmount,
            "gross_amount must be a positive whole rupiah amount such as \"275000.00\"",
        )
    };
    let max = 10f64.powi(MAX_AMOUNT_DIGITS as i32);
    match field(v, "gross_amount") {
        None => Err(ChargeError::missing("gross_amount")),
        Some(Value::String(s)) => match parse_amount(s) {
            Some(amount) if amount > 0 => Ok((s.clone(), amount)),
            _ => Err(invalid()),
        },
        // f64 is exact for integers below 2^53, so 15 digits stay exact.
        Some(Value::Number(n)) if *n >= 1.0 && *n < max && n.fract() == 0.0 => {
            let amount = *n as u64;
            Ok((format!("{amount}.00"), amount))
        }
        Some(Value::Number(_)) => Err(invalid()),
        Some(other) => Err(ChargeError::wrong_type("gross_amount", "a string", other)),
    }
}

/// Digits with an optional `.00` (IDR has no minor unit), at most 15 integer digits.
fn parse_amount(s: &str) -> Option<u64> {
    let (int, frac) = match s.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (s, None),
    };
    if int.is_empty()
        || int.len() > MAX_AMOUNT_DIGITS
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.is_some_and(|f| f != "00")
    {
        return None;
    }
    int.parse().ok()
}

fn time_field(v: &Value, name: &str) -> Result<Option<i64>, ChargeError> {
    match opt_str(v, name)? {
        None => Ok(None),
        Some(s) => parse_jakarta(s).map(Some).ok_or_else(|| {
            ChargeError::new(
                ErrorCode::InvalidTime,
                format!("{name} must be \"YYYY-MM-DD HH:MM:SS\" (Asia/Jakarta)"),
            )
        }),
    }
}

/// A non-empty `qr_string`, when present.
fn qr_string(v: &Value) -> Result<Option<&str>, ChargeError> {
    match opt_str(v, "qr_string")? {
        None | Some("") => Ok(None),
        Some(s)
            if s.len() <= MAX_QR_STRING_CHARS && s.bytes().all(|b| (0x20..0x7f).contains(&b)) =>
        {
            Ok(Some(s))
        }
        Some(_) => Err(ChargeError::invalid(
            "qr_string",
            &format!("must be at most {MAX_QR_STRING_CHARS} printable ASCII characters"),
        )),
    }
}

/// The URLs of the actions the widget uses (first of each name wins).
#[derive(Default)]
struct Actions<'a> {
    qr_v2: Option<&'a str>,
    qr_v1: Option<&'a str>,
    deeplink: Option<&'a str>,
}

fn actions(v: &Value) -> Result<Actions<'_>, ChargeError> {
    let mut found = Actions::default();
    let items = match field(v, "actions") {
        None => return Ok(found),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(ChargeError::wrong_type(
                "actions",
                "an array of objects",
                other,
            ))
        }
    };
    for item in items {
        if !matches!(item, Value::Object(_)) {
            return Err(ChargeError::wrong_type(
                "each entry of actions",
                "an object",
                item,
            ));
        }
        let (Some(name), Some(url)) = (
            item.get("name").and_then(Value::as_str),
            item.get("url").and_then(Value::as_str),
        ) else {
            continue;
        };
        let slot = if name.eq_ignore_ascii_case("generate-qr-code-v2") {
            &mut found.qr_v2
        } else if name.eq_ignore_ascii_case("generate-qr-code") {
            &mut found.qr_v1
        } else if name.eq_ignore_ascii_case("deeplink-redirect") {
            &mut found.deeplink
        } else {
            continue;
        };
        if url.is_empty() || slot.is_some() {
            continue;
        }
        if url.len() > MAX_URL_CHARS {
            return Err(ChargeError::invalid(
                "the url of an action",
                &format!("must be at most {MAX_URL_CHARS} characters"),
            ));
        }
        *slot = Some(url);
    }
    Ok(found)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::json;

    const QRIS: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/midtrans/qris-charge-docs-shape.json"
    ));
    const GOPAY_SEED: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/midtrans/gopay-charge-seed.json"
    ));

    fn with(base: &str, key: &str, value: Value) -> Value {
        let mut v = json::from_str(base).unwrap();
        if let Value::Object(entries) = &mut v {
            entries.retain(|(k, _)| k != key);
            entries.push((key.to_owned(), value));
        }
        v
    }

    fn without(base: &str, key: &str) -> Value {
        let mut v = json::from_str(base).unwrap();
        if let Value::Object(entries) = &mut v {
            entries.retain(|(k, _)| k != key);
        }
        v
    }

    fn code(r: Result<Charge, ChargeError>) -> ErrorCode {
        r.expect_err("expected an error").code
    }

    fn s(x: &str) -> Value {
        Value::String(x.to_owned())
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("275000.00"), Some(275_000));
        assert_eq!(parse_amount("275000"), Some(275_000));
        assert_eq!(parse_amount("999999999999999"), Some(999_999_999_999_999));
        for bad in [
            "",
            "-1",
            "+1",
            "1e5",
            "NaN",
            " 1",
            "1 ",
            "1,000",
            "1.000",
            "0.5",
            "1.5",
            "1.0",
            "1.",
            ".00",
            "1.001",
            "1000000000000000",
            "1_000",
            "١٢٣",
            "0x10",
        ] {
            assert_eq!(parse_amount(bad), None, "accepted {bad:?}");
        }
    }

    #[test]
    fn zero_amount_is_invalid() {
        for zero in [s("0"), s("0.00"), Value::Number(0.0)] {
            let r = parse_charge(&with(QRIS, "gross_amount", zero));
            assert_eq!(code(r), ErrorCode::InvalidAmount);
        }
    }

    #[test]
    fn numeric_amounts_take_midtrans_form() {
        let c = parse_charge(&with(QRIS, "gross_amount", Value::Number(275000.0))).unwrap();
        assert_eq!((c.amount, c.gross_amount.as_str()), (275_000, "275000.00"));
        for bad in [-1.0, 0.5, 1e15, f64::NAN, f64::INFINITY] {
            let r = parse_charge(&with(QRIS, "gross_amount", Value::Number(bad)));
            assert_eq!(code(r), ErrorCode::InvalidAmount, "{bad}");
        }
    }

    #[test]
    fn status_code_as_number_is_kept_as_digits() {
        let c = parse_charge(&with(QRIS, "status_code", Value::Number(201.0))).unwrap();
        assert_eq!(c.status_code.as_deref(), Some("201"));
        let c = parse_charge(&without(QRIS, "status_code")).unwrap();
        assert_eq!(c.status_code, None);
        for bad in [s("2010"), s("20"), s("abc"), s("020"), Value::Number(201.5)] {
            let r = parse_charge(&with(QRIS, "status_code", bad));
            assert_eq!(code(r), ErrorCode::InvalidField);
        }
    }

    #[test]
    fn midtrans_error_message_is_sanitised_and_cut() {
        let long = format!("<b>bad</b>\n{}", "x".repeat(1000));
        let v = json::from_str(&format!(
            r#"{{"status_code":500,"status_message":{}}}"#,
            serde_json::to_string(&long).unwrap()
        ))
        .unwrap();
        let e = parse_charge(&v).unwrap_err();
        assert_eq!(e.code, ErrorCode::MidtransError { status_code: 500 });
        assert!(!e.message.contains('<') && !e.message.contains('\n'));
        assert!(e.message.chars().count() <= MAX_MIDTRANS_MESSAGE_CHARS + 20);
        assert!(e.message.starts_with("Midtrans 500: bbad/b x"));
    }

    #[test]
    fn midtrans_error_without_message() {
        let v = json::from_str(r#"{"status_code":"404"}"#).unwrap();
        let e = parse_charge(&v).unwrap_err();
        assert_eq!(e.code, ErrorCode::MidtransError { status_code: 404 });
        assert!(e.message.contains("404"));
    }

    #[test]
    fn expire_time_spelling_and_default_expiry() {
        let tx = parse_jakarta("2021-06-23 15:22:03").unwrap();
        let v = without(QRIS, "expiry_time");
        assert_eq!(parse_charge(&v).unwrap().expiry_ms, tx + DEFAULT_EXPIRY_MS);
        let mut v = without(QRIS, "expiry_time");
        if let Value::Object(e) = &mut v {
            e.push(("expire_time".into(), s("2021-06-23 16:22:03")));
        }
        assert_eq!(parse_charge(&v).unwrap().expiry_ms, tx + 3_600_000);
        // expiry_time wins over expire_time.
        if let Value::Object(e) = &mut v {
            e.push(("expiry_time".into(), s("2021-06-23 15:23:03")));
        }
        assert_eq!(parse_charge(&v).unwrap().expiry_ms, tx + 60_000);
        // A null expiry_time falls back to the default.
        let v = with(QRIS, "expiry_time", Value::Null);
        assert_eq!(parse_charge(&v).unwrap().expiry_ms, tx + DEFAULT_EXPIRY_MS);
    }

    #[test]
    fn expiry_window() {
        let ok = |t: &str| parse_charge(&with(QRIS, "expiry_time", s(t)));
        assert!(ok("2021-06-23 15:22:04").is_ok());
        assert!(ok("2021-06-30 15:22:03").is_ok());
        assert_eq!(code(ok("2021-06-30 15:22:04")), ErrorCode::InvalidTime);
        assert_eq!(code(ok("2021-06-23 15:22:03")), ErrorCode::InvalidTime);
        assert_eq!(code(ok("2021-06-23 15:22:02")), ErrorCode::InvalidTime);
        assert_eq!(code(ok("2021-06-23T15:37:03")), ErrorCode::InvalidTime);
    }

    #[test]
    fn identifiers_are_bounded() {
        let r = parse_charge(&with(QRIS, "order_id", s(&"a".repeat(50))));
        assert_eq!(r.unwrap().order_id.len(), 50);
        for bad in [s(""), s(&"a".repeat(51)), s("a\u{0}b"), s("a\nb")] {
            assert_eq!(
                code(parse_charge(&with(QRIS, "order_id", bad))),
                ErrorCode::InvalidField
            );
        }
        let r = parse_charge(&with(QRIS, "transaction_id", s(&"é".repeat(64))));
        assert!(r.is_ok());
        let r = parse_charge(&with(QRIS, "transaction_id", s(&"é".repeat(65))));
        assert_eq!(code(r), ErrorCode::InvalidField);
    }

    #[test]
    fn html_in_ids_is_data_not_error() {
        let c = parse_charge(&with(QRIS, "order_id", s("<img src=x onerror=alert(1)>"))).unwrap();
        assert_eq!(c.order_id, "<img src=x onerror=alert(1)>");
    }

    #[test]
    fn transaction_status_is_lowercased_and_defaults_to_pending() {
        let c = parse_charge(&with(QRIS, "transaction_status", s("SETTLEMENT"))).unwrap();
        assert_eq!(c.transaction_status, "settlement");
        let c = parse_charge(&without(QRIS, "transaction_status")).unwrap();
        assert_eq!(c.transaction_status, "pending");
        for bad in [s(""), s("pend ing"), s(&"a".repeat(33))] {
            let r = parse_charge(&with(QRIS, "transaction_status", bad));
            assert_eq!(code(r), ErrorCode::InvalidField);
        }
    }

    #[test]
    fn qr_string_rules() {
        let c = parse_charge(&with(QRIS, "qr_string", s(""))).unwrap();
        assert!(
            matches!(c.qr, Some(QrSource::Image(_))),
            "empty qr_string falls back"
        );
        for bad in [
            s(&"1".repeat(1001)),
            s("abc\u{7f}"),
            s("abc\tdef"),
            s("qris·"),
        ] {
            let r = parse_charge(&with(QRIS, "qr_string", bad));
            assert_eq!(code(r), ErrorCode::InvalidField);
        }
        let r = parse_charge(&with(QRIS, "qr_string", Value::Number(1.0)));
        assert_eq!(code(r), ErrorCode::WrongType);
    }

    #[test]
    fn actions_rules() {
        // A bare string entry is not an object.
        let r = parse_charge(&with(GOPAY_SEED, "actions", Value::Array(vec![s("x")])));
        assert_eq!(code(r), ErrorCode::WrongType);
        let r = parse_charge(&with(GOPAY_SEED, "actions", Value::TooDeep));
        assert_eq!(code(r), ErrorCode::WrongType);
        // Malformed entries are skipped, the first well-formed one of a name wins.
        let actions = json::from_str(
            r#"[{"name":"deeplink-redirect","url":5},
                {"name":"deeplink-redirect"},
                {"name":"DEEPLINK-REDIRECT","url":"gojek://gopay/first"},
                {"name":"deeplink-redirect","url":"gojek://gopay/second"}]"#,
        )
        .unwrap();
        let c = parse_charge(&with(GOPAY_SEED, "actions", actions)).unwrap();
        assert_eq!(c.deeplink.as_deref(), Some("gojek://gopay/first"));
        assert_eq!(c.qr, None);
        let huge = Value::Array(vec![Value::Object(vec![
            ("name".into(), s("generate-qr-code")),
            (
                "url".into(),
                s(&format!("https://a.b/{}", "x".repeat(5000))),
            ),
        ])]);
        let r = parse_charge(&with(GOPAY_SEED, "actions", huge));
        assert_eq!(code(r), ErrorCode::InvalidField);
    }

    #[test]
    fn error_messages_never_quote_hostile_values() {
        let hostile = format!("<script>{}</script>", "A".repeat(1_000_000));
        for key in [
            "order_id",
            "transaction_id",
            "gross_amount",
            "currency",
            "payment_type",
            "transaction_status",
            "transaction_time",
            "expiry_time",
            "qr_string",
            "status_code",
        ] {
            let e = parse_charge(&with(QRIS, key, s(&hostile))).unwrap_err();
            assert!(!e.message.contains("<script"), "{key}: {}", e.message);
            assert!(e.message.len() < 200, "{key}: {}", e.message);
            assert!(
                e.message.contains(key) || key == "currency" || key == "payment_type",
                "{key}: {}",
                e.message
            );
        }
    }

    #[test]
    fn display_joins_code_and_message() {
        let e = parse_charge_json("[]").unwrap_err();
        assert_eq!(e.code, ErrorCode::NotAnObject);
        assert_eq!(
            e.to_string(),
            "not_an_object: the charge must be a JSON object, not an array"
        );
    }
}
