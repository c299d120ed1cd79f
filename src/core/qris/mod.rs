//! A QRIS payload (`qr_string`) read as EMVCo merchant-presented data, so the
//! widget never draws a code a banking app would refuse.
//!
//! The payload is a list of data objects: a two-digit ID, a two-digit length,
//! then that many characters of value. ID `00` (payload format, `"01"`) comes
//! first; ID `63` (the CRC, four characters) comes last, and its value is the
//! uppercase hex CRC-16/CCITT-FALSE of everything before it, `6304` included
//! ([`crc_ok`]). IDs 26–51 (merchant account information) and 62
//! (additional data) are templates: their values are lists of data objects in
//! turn. Only that one level is read; a template inside a template is an
//! opaque value, so no input makes the reader recurse.
//!
//! **Lengths** count characters (Unicode scalar values), as EMVCo does for its
//! string format. QRIS fields are ASCII, where that is also the byte count.
//!
//! **Bounded work on any input.** A value is at most 99 characters and an ID may
//! appear only once at each level, so the top level is at most 100 fields and
//! about 10,300 characters: the walk stops at the first fault, and the CRC is
//! only computed over a payload whose structure is whole.
//!
//! **Text.** The merchant name and city are returned as the plain text the
//! payload holds (`<b>` stays `<b>`): the view must insert them as text, never
//! as markup. A name, city or NMID that is empty or holds a control character
//! is refused ([`QrisError::InvalidField`]) rather than cleaned: the code would
//! show something else in the payer's app than on the page.

mod crc;
#[cfg(test)]
mod tests;

pub use crc::{crc16, crc_ok};
use std::fmt;

/// The globally unique identifier of the QRIS national template (ID 51).
pub const QRIS_GUID: &str = "ID.CO.QRIS.WWW";

/// The QRIS wordmark of the frame around a drawn code: the four letters as one path, stroked
/// [`MARK_STROKE`] wide with round caps and joins in a [`MARK_WIDTH`] by [`MARK_HEIGHT`] box.
/// Our own drawing, used by the view and the saved PNG alike.
pub const MARK_PATH: &str = "M6.5 2a4.5 5 0 1 1 0 10a4.5 5 0 1 1 0-10zM8.5 9.5l3 3M15 12V2h3.5a2.75 2.75 0 0 1 0 5.5H15m3.5 0l3 4.5M25 2v10M35 3.5c-.8-1.3-2.2-1.6-3.3-1.5c-1.5.1-2.7 1-2.7 2.5c0 3 6 2 6 5c0 1.6-1.4 2.5-3 2.5c-1.4 0-2.6-.5-3.3-1.5";
pub const MARK_WIDTH: u32 = 38;
pub const MARK_HEIGHT: u32 = 14;
/// The view's `viewBox` of the mark: `0 0` [`MARK_WIDTH`] [`MARK_HEIGHT`], as text.
pub const MARK_VIEW_BOX: &str = "0 0 38 14";
/// As the view writes it (an `f64` attribute would bring float formatting into the wasm).
pub const MARK_STROKE: f64 = 2.2;

/// A QRIS payment code, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qris {
    /// ID 01.
    pub initiation: Initiation,
    /// ID 59, as written (not escaped).
    pub merchant_name: String,
    /// ID 60, as written (not escaped).
    pub merchant_city: String,
    /// The National Merchant ID: sub-ID 02 of the template (ID 51) whose
    /// sub-ID 00 is [`QRIS_GUID`].
    pub nmid: String,
    /// ID 54 in whole rupiah, when the code carries an amount (always > 0).
    pub amount: Option<u64>,
    /// ID 53: always `"360"` (IDR).
    pub currency: String,
    /// ID 58: always `"ID"`.
    pub country: String,
}

/// ID 01, the point of initiation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Initiation {
    /// `"11"`: the same code for every payment; the payer types the amount.
    Static,
    /// `"12"`: a code for one transaction.
    Dynamic,
}

/// Why a `qr_string` is not drawn. [`QrisError::code`] is stable:
///
/// | code | meaning |
/// |---|---|
/// | `qris_malformed` | not EMVCo data: an ID or length that is not two digits, a value that runs past the end, a template (IDs 26–51, 62) whose value is not data objects, an ID twice at one level, ID 00 not first or not `"01"`, no ID 63 of length 4 at the end |
/// | `qris_crc_mismatch` | well formed, but the CRC (ID 63) is not the checksum of the rest: the payload was altered or cut |
/// | `qris_not_payment` | well formed and checked, but not a rupiah QRIS payment code: no QRIS template (ID 51) with an NMID, no merchant name (59) or city (60), ID 01 not `"11"`/`"12"`, currency (53) not `"360"`, country (58) not `"ID"` |
/// | `qris_invalid_field` | the merchant name, city or NMID is empty or holds a control character, or the amount (54) is not a positive whole rupiah number such as `"275000"` or `"275000.00"` |
/// | `qris_tip_or_fee` | the code has a tip or convenience indicator (55) or a fee (56 fixed, 57 percentage), well formed or not: the payer's app would ask for a tip or add a fee, so the payer would pay more than the amount |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrisError {
    Malformed,
    CrcMismatch,
    NotPayment,
    InvalidField,
    TipOrFee,
}

impl QrisError {
    /// The stable code, e.g. `"qris_crc_mismatch"`.
    pub fn code(self) -> &'static str {
        match self {
            QrisError::Malformed => "qris_malformed",
            QrisError::CrcMismatch => "qris_crc_mismatch",
            QrisError::NotPayment => "qris_not_payment",
            QrisError::InvalidField => "qris_invalid_field",
            QrisError::TipOrFee => "qris_tip_or_fee",
        }
    }

    /// Readable English for the developer; it never quotes the payload.
    pub fn message(self) -> &'static str {
        match self {
            QrisError::Malformed => {
                "the QR payload is not EMVCo data (broken ID, length or template)"
            }
            QrisError::CrcMismatch => {
                "the QR payload's checksum does not match: it was altered or cut"
            }
            QrisError::NotPayment => "the QR payload is not a QRIS payment code in rupiah",
            QrisError::InvalidField => {
                "the QR payload's merchant name, city, NMID or amount cannot be shown"
            }
            QrisError::TipOrFee => {
                "the QR payload asks for a tip or adds a fee: the payer would pay more than the amount"
            }
        }
    }
}

impl fmt::Display for QrisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for QrisError {}

/// Reads and checks a QRIS payload. Never panics; the work is bounded whatever
/// the input (see the module's notes).
pub fn read(payload: &str) -> Result<Qris, QrisError> {
    use QrisError::*;
    let mut initiation = None;
    let (mut name, mut city, mut nmid, mut amount) = (None, None, None, None);
    let (mut currency, mut country) = (None, None);
    let mut first = true;
    let mut crc = false;
    let mut tip_or_fee = false;
    walk(payload, &mut |id, value, rest| {
        if first && (id != 0 || value != "01") {
            return Err(Malformed);
        }
        first = false;
        match id {
            1 => initiation = Some(value),
            26..=51 | 62 => {
                // Every template is checked; only ID 51 is read.
                let guid = sub(value, 0)?;
                let id_nmid = sub(value, 2)?;
                if id == 51 && guid.is_some_and(|g| g.eq_ignore_ascii_case(QRIS_GUID)) {
                    nmid = id_nmid;
                }
            }
            53 => currency = Some(value),
            54 => amount = Some(value),
            // Tip or convenience indicator, fixed fee, percentage fee: whatever the values say
            // (a prompt, a fee, or a combination the payer's app reads its own way), the app
            // may ask for more than ID 54.
            55..=57 => tip_or_fee = true,
            58 => country = Some(value),
            59 => name = Some(value),
            60 => city = Some(value),
            63 if rest.is_empty() && value.len() == 4 => crc = true,
            63 => return Err(Malformed),
            _ => {}
        }
        Ok(())
    })?;
    if !crc {
        return Err(Malformed);
    }
    if !crc_ok(payload) {
        return Err(CrcMismatch);
    }
    let initiation = match initiation {
        Some("11") => Initiation::Static,
        Some("12") => Initiation::Dynamic,
        _ => return Err(NotPayment),
    };
    let (Some(name), Some(city), Some(nmid), Some("360"), Some("ID")) =
        (name, city, nmid, currency, country)
    else {
        return Err(NotPayment);
    };
    let amount = match amount {
        None => None,
        Some(a) => Some(rupiah(a).ok_or(InvalidField)?),
    };
    if tip_or_fee {
        return Err(TipOrFee);
    }
    Ok(Qris {
        initiation,
        merchant_name: text(name)?,
        merchant_city: text(city)?,
        nmid: text(nmid)?,
        amount,
        currency: "360".into(),
        country: "ID".into(),
    })
}

/// Walks one level of data objects, calling `each(id, value, rest)` for each
/// in order. A broken object or an ID seen twice is [`QrisError::Malformed`].
fn walk<'a>(
    mut s: &'a str,
    each: &mut dyn FnMut(u8, &'a str, &'a str) -> Result<(), QrisError>,
) -> Result<(), QrisError> {
    let mut seen: u128 = 0;
    while !s.is_empty() {
        let (id, value, rest) = object(s).ok_or(QrisError::Malformed)?;
        // id < 100, so the shift stays inside the u128.
        let bit = 1u128 << id;
        if seen & bit != 0 {
            return Err(QrisError::Malformed);
        }
        seen |= bit;
        each(id, value, rest)?;
        s = rest;
    }
    Ok(())
}

/// The value of sub-ID `want` in the template `value`, after checking that the
/// whole template is data objects.
fn sub(value: &str, want: u8) -> Result<Option<&str>, QrisError> {
    let mut found = None;
    walk(value, &mut |id, v, _| {
        if id == want {
            found = Some(v);
        }
        Ok(())
    })?;
    Ok(found)
}

/// The first data object of `s`: its ID, its value and what follows it.
fn object(s: &str) -> Option<(u8, &str, &str)> {
    let id = two_digits(s.get(0..2)?)?;
    let len = two_digits(s.get(2..4)?)?;
    let body = s.get(4..)?;
    let mut end = 0;
    for _ in 0..len {
        end += body.get(end..)?.chars().next()?.len_utf8();
    }
    Some((id, body.get(..end)?, body.get(end..)?))
}

fn two_digits(s: &str) -> Option<u8> {
    let mut n = 0;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (b - b'0');
    }
    Some(n)
}

/// A shown field: not empty, no control characters.
fn text(s: &str) -> Result<String, QrisError> {
    if s.is_empty() || s.chars().any(char::is_control) {
        return Err(QrisError::InvalidField);
    }
    Ok(s.into())
}

/// ID 54 in whole rupiah: digits, optionally a dot and zeros (`"275000.00"`),
/// above zero.
fn rupiah(s: &str) -> Option<u64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    if int.is_empty() || frac.is_empty() || frac.bytes().any(|b| b != b'0') {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    int.parse().ok().filter(|&n| n > 0)
}
