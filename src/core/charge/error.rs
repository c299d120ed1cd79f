//! Why a charge cannot be shown: the stable codes of `gopay-error` and the developer's
//! message, which names the field at fault but never quotes its value.

use super::MAX_CHARGE_BYTES;
use crate::core::json::Value;
use crate::core::qris::QrisError;
use std::fmt;

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
        // The charge's reader lets only a short word of [A-Za-z0-9_-] through as the status,
        // so it is quoted as it is (Debug's escaping would link the Unicode tables for it).
        Self::new(
            ErrorCode::ChargeNotPending,
            format!(
                "the charge's transaction_status is \"{status}\", not pending, and there is no status endpoint to confirm it"
            ),
        )
    }

    pub(super) fn missing(field: &str) -> Self {
        Self::new(ErrorCode::MissingField, format!("{field} is missing"))
    }

    pub(super) fn wrong_type(field: &str, expected: &str, got: &Value) -> Self {
        Self::new(
            ErrorCode::WrongType,
            format!(
                "{field} must be {expected}, not {} {}",
                article(got.kind()),
                got.kind()
            ),
        )
    }

    pub(super) fn invalid(field: &str, rule: &str) -> Self {
        Self::new(ErrorCode::InvalidField, format!("{field} {rule}"))
    }
}

pub(super) fn article(kind: &str) -> &'static str {
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
