//! The charge response, parsed from untrusted JSON into a typed [`Charge`].
//!
//! The merchant page hands the widget whatever its backend got from Midtrans'
//! `POST /v2/charge` (or a subset of it). Nothing in it is trusted: every field
//! the widget uses is checked for type, length and format here, and any problem
//! becomes a [`ChargeError`] with a stable [`ErrorCode`] the merchant can act on.
//! URLs are only extracted here; whether they may be followed is decided by
//! [`crate::core::deeplink`], which knows the environment and the page origin.

mod error;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

pub use error::{ChargeError, ErrorCode};

use super::jakarta::parse_jakarta;
use super::json::{self, JsonError, Value};
use error::article;

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
