//! A QRIS payload (`qr_string`) read as EMVCo merchant-presented data, so the
//! widget never draws a code a banking app would refuse.
//!
//! The payload is a list of data objects: a two-digit ID, a two-digit length,
//! then that many characters of value. ID `00` (payload format, `"01"`) comes
//! first; ID `63` (the CRC, four characters) comes last, and its value is the
//! uppercase hex CRC-16/CCITT-FALSE of everything before it, `6304` included
//! ([`qr::qris_crc_ok`]). IDs 26–51 (merchant account information) and 62
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

use super::qr::qris_crc_ok;
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
    if !qris_crc_ok(payload) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marks_view_box_is_its_box() {
        assert_eq!(MARK_VIEW_BOX, format!("0 0 {MARK_WIDTH} {MARK_HEIGHT}"));
    }
    use crate::core::qr::crc16;

    const FIXTURE: &str = "00020101021226620014COM.GO-JEK.WWW011993600914349052630340210G4905263030303UKE51440014ID.CO.QRIS.WWW0215AID0607336128660303UKE5204341453033605802ID5904Test6007BANDUNG6105402845409789000.0062475036c032f87c-f773-4619-aefa-675e1f06f9210703A016304A623";

    /// One data object, its length counted in characters.
    fn tlv(id: &str, value: &str) -> String {
        format!("{id}{:02}{value}", value.chars().count())
    }

    /// `body` (without ID 63) closed with its CRC.
    fn seal(body: &str) -> String {
        let mut s = format!("{body}6304");
        let crc = crc16(s.as_bytes());
        s.push_str(&format!("{crc:04X}"));
        s
    }

    /// A dynamic QRIS code with the given merchant name, city and amount.
    fn payload(name: &str, city: &str, amount: Option<&str>) -> String {
        let mut s = tlv("00", "01") + &tlv("01", "12");
        s += &tlv(
            "26",
            &(tlv("00", "COM.GO-JEK.WWW") + &tlv("01", "936009140000000001")),
        );
        s += &tlv(
            "51",
            &(tlv("00", QRIS_GUID) + &tlv("02", "ID1020000000001")),
        );
        s += &tlv("52", "5999");
        s += &tlv("53", "360");
        if let Some(a) = amount {
            s += &tlv("54", a);
        }
        s += &tlv("58", "ID");
        s += &tlv("59", name);
        s += &tlv("60", city);
        s += &tlv("62", &tlv("07", "A01"));
        seal(&s)
    }

    #[test]
    fn the_fixture_reads() {
        let q = read(FIXTURE).unwrap();
        assert_eq!(
            q,
            Qris {
                initiation: Initiation::Dynamic,
                merchant_name: "Test".into(),
                merchant_city: "BANDUNG".into(),
                nmid: "AID060733612866".into(),
                amount: Some(789_000),
                currency: "360".into(),
                country: "ID".into(),
            }
        );
    }

    #[test]
    fn a_built_payload_reads() {
        let q = read(&payload("Warung Sate", "JAKARTA", Some("15000"))).unwrap();
        assert_eq!(q.merchant_name, "Warung Sate");
        assert_eq!(q.merchant_city, "JAKARTA");
        assert_eq!(q.nmid, "ID1020000000001");
        assert_eq!(q.amount, Some(15_000));
        let q = read(&payload("A", "B", None)).unwrap();
        assert_eq!(q.amount, None);
        let static_code = payload("A", "B", None).replacen("010212", "010211", 1);
        let static_code = seal(static_code.get(..static_code.len() - 8).unwrap());
        assert_eq!(read(&static_code).unwrap().initiation, Initiation::Static);
    }

    #[test]
    fn a_wrong_crc_is_a_mismatch() {
        assert_eq!(
            read(&FIXTURE.replace("A623", "A624")),
            Err(QrisError::CrcMismatch)
        );
        assert_eq!(
            read(&FIXTURE.replace("A623", "a623")),
            Err(QrisError::CrcMismatch)
        );
        assert_eq!(
            read(&FIXTURE.replace("BANDUNG", "BANDUNX")),
            Err(QrisError::CrcMismatch)
        );
        assert_eq!(
            read(&FIXTURE.replace("789000", "189000")),
            Err(QrisError::CrcMismatch)
        );
    }

    #[test]
    fn truncation_and_overruns_are_malformed() {
        for cut in 0..FIXTURE.len() {
            let r = read(FIXTURE.get(..cut).unwrap());
            assert!(
                matches!(r, Err(QrisError::Malformed | QrisError::CrcMismatch)),
                "{cut}"
            );
        }
        // A length that runs past the end, at the top and inside a template.
        assert_eq!(read("000201019912"), Err(QrisError::Malformed));
        assert_eq!(read(&seal("0002012604009912")), Err(QrisError::Malformed));
        // Not digits.
        assert_eq!(read("0002010A0212"), Err(QrisError::Malformed));
        assert_eq!(read(""), Err(QrisError::Malformed));
        assert_eq!(read("hello"), Err(QrisError::Malformed));
    }

    #[test]
    fn the_frame_fields_are_checked() {
        // 00 not first, or not "01".
        assert_eq!(read(&seal("01021200020101")), Err(QrisError::Malformed));
        assert_eq!(read(&seal("000202")), Err(QrisError::Malformed));
        // 63 not last, or not four long.
        let body = "0002010102126304ABCD5802ID";
        assert_eq!(read(body), Err(QrisError::Malformed));
        assert_eq!(read("0002016303ABC"), Err(QrisError::Malformed));
        // No 63 at all.
        assert_eq!(read("000201010212"), Err(QrisError::Malformed));
        // An ID twice.
        let twice = FIXTURE.replace("5904Test", "5904Test5904Test");
        assert_eq!(
            read(&seal(&twice[..twice.len() - 8])),
            Err(QrisError::Malformed)
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        // 10,000 templates, each inside the one before: no length can hold them.
        let mut deep = String::from("000201");
        for _ in 0..10_000 {
            deep.push_str("2699");
        }
        assert_eq!(read(&deep), Err(QrisError::Malformed));
        // As deep as two-digit lengths allow, well formed: an opaque value below the first level.
        let mut inner = String::new();
        for _ in 0..23 {
            inner = tlv("26", &inner);
        }
        let p = payload("A", "B", None);
        let body = p
            .get(..p.len() - 8)
            .unwrap()
            .replacen("6207", &(tlv("80", &inner) + "6207"), 1);
        assert!(read(&seal(&body)).is_ok());
        let body = p
            .get(..p.len() - 8)
            .unwrap()
            .replacen("5204", &(tlv("27", &inner) + "5204"), 1);
        assert!(read(&seal(&body)).is_ok());
    }

    #[test]
    fn not_a_qris_payment() {
        assert!(read(&payload("A", "B", None)).is_ok());
        let p = payload("A", "B", None);
        let body = p.get(..p.len() - 8).unwrap();
        for (from, to) in [
            ("ID.CO.QRIS.WWW", "ID.CO.XXXX.WWW"),
            ("0215ID1020000000001", "0315ID1020000000001"),
            ("5303360", "5303840"),
            ("5802ID", "5802SG"),
            ("010212", "010213"),
            ("010212", ""),
            ("5901A", ""),
            ("6001B", ""),
        ] {
            assert_eq!(
                read(&seal(&body.replacen(from, to, 1))),
                Err(QrisError::NotPayment),
                "{to}"
            );
        }
        // A valid EMVCo code of another scheme only.
        assert_eq!(read(&seal("000201010211")), Err(QrisError::NotPayment));
    }

    #[test]
    fn names_are_plain_text() {
        let q = read(&payload("<b>Toko</b>&amp;\"'", "<script>", None)).unwrap();
        assert_eq!(q.merchant_name, "<b>Toko</b>&amp;\"'");
        assert_eq!(q.merchant_city, "<script>");
        // Non-ASCII: lengths count characters.
        let q = read(&payload("Café Ñusa 東京", "Bandung ☕", None)).unwrap();
        assert_eq!(q.merchant_name, "Café Ñusa 東京");
        assert_eq!(q.merchant_city, "Bandung ☕");
        // A length that counts bytes instead would split the value.
        let p = payload("Café", "B", None).replacen("5904Café", "5905Café", 1);
        assert!(read(&p).is_err());
    }

    #[test]
    fn control_characters_and_empty_names_are_refused() {
        for name in ["Toko\u{0}", "Toko\nBaru", "\u{7f}", "\u{9b}x", ""] {
            assert_eq!(
                read(&payload(name, "B", None)),
                Err(QrisError::InvalidField),
                "{name:?}"
            );
            assert_eq!(
                read(&payload("A", name, None)),
                Err(QrisError::InvalidField),
                "{name:?}"
            );
        }
    }

    #[test]
    fn amounts() {
        for (given, want) in [
            ("1", 1),
            ("275000", 275_000),
            ("275000.00", 275_000),
            ("5.0", 5),
        ] {
            assert_eq!(
                read(&payload("A", "B", Some(given))).unwrap().amount,
                Some(want)
            );
        }
        for bad in [
            "0",
            "0.00",
            "",
            "12.50",
            "1e3",
            "-5",
            "+5",
            ".00",
            "5.",
            "99999999999999999999999",
        ] {
            assert_eq!(
                read(&payload("A", "B", Some(bad))),
                Err(QrisError::InvalidField),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_tip_prompt_or_a_fee_is_refused() {
        // `extra` (IDs 55 to 57) between the amount and the country, sealed.
        let with = |amount: Option<&str>, extra: &[(&str, &str)]| {
            let p = payload("TOKO KOPI", "JAKARTA", amount);
            let fields: String = extra.iter().map(|(id, v)| tlv(id, v)).collect();
            seal(&p[..p.len() - 8].replacen("5802ID", &(fields + "5802ID"), 1))
        };
        assert!(read(&with(Some("25000"), &[])).is_ok());
        for extra in [
            // The payer's app prompts for a tip.
            &[("55", "01")][..],
            // A fixed convenience fee of Rp2.500: the payer pays 27,500.
            &[("55", "02"), ("56", "2500")],
            // A percentage convenience fee.
            &[("55", "03"), ("57", "5")],
            &[("55", "03"), ("57", "2.5")],
            // Combinations the spec does not define: the app's reading is anyone's guess.
            &[("55", "02")],
            &[("55", "03")],
            &[("56", "2500")],
            &[("57", "5")],
            &[("55", "01"), ("56", "2500")],
            &[("55", "02"), ("56", "2500"), ("57", "5")],
            &[("55", "02"), ("57", "5")],
            &[("55", "03"), ("56", "2500")],
            &[("55", "04")],
            &[("55", "00")],
            &[("55", "1")],
            &[("55", "")],
            &[("56", "")],
            &[("56", "abc")],
            &[("57", "-5")],
        ] {
            assert_eq!(
                read(&with(Some("25000"), extra)),
                Err(QrisError::TipOrFee),
                "{extra:?}"
            );
            // With no amount at all (the payer types one) as well.
            assert_eq!(
                read(&with(None, extra)),
                Err(QrisError::TipOrFee),
                "{extra:?}"
            );
        }
        assert_eq!(QrisError::TipOrFee.code(), "qris_tip_or_fee");
        // The checksum and the structure come first: an altered code is still called so.
        let altered = with(Some("25000"), &[("55", "01")]).replace("550201", "550202");
        assert_eq!(read(&altered), Err(QrisError::CrcMismatch));
        // A sub-ID 55 inside a template (ID 62's payment-system-specific range) is no tip.
        let p = payload("TOKO KOPI", "JAKARTA", Some("25000"));
        let inside = p[..p.len() - 8].replacen(
            "62070703A01",
            &tlv("62", &(tlv("07", "A01") + &tlv("55", "01"))),
            1,
        );
        assert!(read(&seal(&inside)).is_ok());
    }

    #[test]
    fn codes_are_stable() {
        use QrisError::*;
        let codes =
            [Malformed, CrcMismatch, NotPayment, InvalidField, TipOrFee].map(QrisError::code);
        assert_eq!(
            codes,
            [
                "qris_malformed",
                "qris_crc_mismatch",
                "qris_not_payment",
                "qris_invalid_field",
                "qris_tip_or_fee"
            ]
        );
        assert!(CrcMismatch.to_string().contains("checksum"));
    }
}
