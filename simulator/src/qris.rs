//! QRIS payloads: EMVCo merchant-presented mode, tag-length-value with a trailing CRC.

use std::fmt;

/// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor), as EMVCo QR
/// uses; the `crc` crate calls it CRC-16/IBM-3740.
const EMV_CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740);

pub fn crc16(data: &[u8]) -> u16 {
    EMV_CRC.checksum(data)
}

/// What the simulator puts in a QR: a dynamic QRIS for one transaction.
pub struct Payment<'a> {
    pub merchant_id: &'a str,
    pub merchant_name: &'a str,
    pub city: &'a str,
    pub amount: u64,
    /// Carried in tag 62, sub-tag 50, where GoPay's payloads carry the transaction id, so a
    /// scanned payload finds its transaction.
    pub reference: &'a str,
}

/// Builds the payload string, CRC included.
pub fn build(payment: &Payment<'_>) -> String {
    let mut out = String::new();
    push(&mut out, "00", "01");
    // "12": dynamic QR, valid for one payment.
    push(&mut out, "01", "12");
    let mut gopay = String::new();
    push(&mut gopay, "00", "COM.GO-JEK.WWW");
    push(&mut gopay, "01", "936009140000000001");
    push(&mut gopay, "02", &ascii(payment.merchant_id, 20));
    push(&mut gopay, "03", "UKE");
    push(&mut out, "26", &gopay);
    let mut national = String::new();
    push(&mut national, "00", "ID.CO.QRIS.WWW");
    push(&mut national, "02", "ID1020000000001");
    push(&mut national, "03", "UKE");
    push(&mut out, "51", &national);
    push(&mut out, "52", "5999");
    push(&mut out, "53", "360");
    push(&mut out, "54", &format!("{}.00", payment.amount));
    push(&mut out, "58", "ID");
    push(&mut out, "59", &ascii(payment.merchant_name, 25));
    push(&mut out, "60", &ascii(payment.city, 15));
    push(&mut out, "61", "10110");
    let mut additional = String::new();
    push(&mut additional, "50", &ascii(payment.reference, 99));
    push(&mut additional, "07", "A01");
    push(&mut out, "62", &additional);
    out.push_str("6304");
    let crc = crc16(out.as_bytes());
    out.push_str(&format!("{crc:04X}"));
    out
}

fn push(out: &mut String, tag: &str, value: &str) {
    debug_assert!(value.len() < 100, "EMV values are at most 99 characters");
    out.push_str(tag);
    out.push_str(&format!("{:02}", value.len()));
    out.push_str(value);
}

/// Keeps printable ASCII only and cuts to the field's maximum length.
fn ascii(value: &str, max: usize) -> String {
    value
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(max)
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// A tag or length is not two digits, or a value runs past the end.
    Malformed,
    /// The last field is not a CRC (tag 63, length 04).
    NoCrc,
    /// The CRC does not match the payload.
    BadCrc,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::Malformed => "not a QRIS payload (its tag-length-value structure is broken)",
            Error::NoCrc => "not a QRIS payload (no CRC at the end)",
            Error::BadCrc => "the QRIS checksum does not match: the payload was altered",
        })
    }
}

/// Splits one level of tag-length-value fields.
pub fn fields(data: &str) -> Result<Vec<(&str, &str)>, Error> {
    let mut rest = data;
    let mut out = Vec::new();
    while !rest.is_empty() {
        if rest.len() < 4 || !rest.is_char_boundary(4) {
            return Err(Error::Malformed);
        }
        let (tag, len) = (&rest[..2], &rest[2..4]);
        if !tag.bytes().chain(len.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(Error::Malformed);
        }
        let len: usize = len.parse().map_err(|_| Error::Malformed)?;
        let end = 4 + len;
        if rest.len() < end || !rest.is_char_boundary(end) {
            return Err(Error::Malformed);
        }
        out.push((tag, &rest[4..end]));
        rest = &rest[end..];
    }
    Ok(out)
}

/// Checks structure and CRC of a whole payload.
pub fn verify(payload: &str) -> Result<Vec<(&str, &str)>, Error> {
    let payload = payload.trim();
    let parsed = fields(payload)?;
    match parsed.last() {
        Some(("63", crc)) if crc.len() == 4 => {
            let body = &payload[..payload.len() - 4];
            let expected = format!("{:04X}", crc16(body.as_bytes()));
            if crc.eq_ignore_ascii_case(&expected) {
                Ok(parsed)
            } else {
                Err(Error::BadCrc)
            }
        }
        _ => Err(Error::NoCrc),
    }
}

/// The transaction reference of a verified payload: tag 62, sub-tag 50 (GoPay's), else the
/// EMV reference label, sub-tag 05.
pub fn reference(payload: &str) -> Result<Option<String>, Error> {
    let parsed = verify(payload)?;
    let Some((_, additional)) = parsed.iter().find(|(tag, _)| *tag == "62") else {
        return Ok(None);
    };
    let additional = fields(additional)?;
    let find = |wanted: &str| {
        additional
            .iter()
            .find(|(tag, _)| *tag == wanted)
            .map(|(_, value)| value.to_string())
    };
    Ok(find("50").or_else(|| find("05")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE_QR: &str = "00020101021226620014COM.GO-JEK.WWW011993600914349052630340210G4905263030303UKE51440014ID.CO.QRIS.WWW0215AID0607336128660303UKE5204341453033605802ID5904Test6007BANDUNG6105402845409789000.0062475036c032f87c-f773-4619-aefa-675e1f06f9210703A016304A623";

    #[test]
    fn crc_check_value() {
        // The catalogued check value of CRC-16/CCITT-FALSE.
        assert_eq!(crc16(b"123456789"), 0x29B1);
    }

    #[test]
    fn fixture_payload_verifies_and_names_its_transaction() {
        assert!(verify(FIXTURE_QR).is_ok());
        assert_eq!(
            reference(FIXTURE_QR).unwrap().as_deref(),
            Some("c032f87c-f773-4619-aefa-675e1f06f921")
        );
    }

    #[test]
    fn altered_payload_fails_the_crc() {
        let altered = FIXTURE_QR.replace("789000.00", "189000.00");
        assert_eq!(verify(&altered).unwrap_err(), Error::BadCrc);
        assert_eq!(verify("hello").unwrap_err(), Error::Malformed);
        assert_eq!(verify("000201").unwrap_err(), Error::NoCrc);
        assert_eq!(verify("0002é1").unwrap_err(), Error::Malformed);
    }

    #[test]
    fn reference_label_is_the_fallback() {
        let mut payload = String::new();
        push(&mut payload, "00", "01");
        push(&mut payload, "62", "0505ABCDE0703A01");
        payload.push_str("6304");
        let crc = crc16(payload.as_bytes());
        payload.push_str(&format!("{crc:04X}"));
        assert_eq!(reference(&payload).unwrap().as_deref(), Some("ABCDE"));
    }

    #[test]
    fn built_payload_round_trips() {
        let payload = build(&Payment {
            merchant_id: "G000000001",
            merchant_name: "Toko Demo GoPay — Jakarta",
            city: "JAKARTA SELATAN PUSAT",
            amount: 149_500,
            reference: "7f1c1d2e-5a7b-4c3d-9e8f-0a1b2c3d4e5f",
        });
        let parsed = verify(&payload).unwrap();
        let get = |tag: &str| parsed.iter().find(|(t, _)| *t == tag).map(|(_, v)| *v);
        assert_eq!(get("00"), Some("01"));
        assert_eq!(get("01"), Some("12"));
        assert_eq!(get("53"), Some("360"));
        assert_eq!(get("54"), Some("149500.00"));
        assert_eq!(get("58"), Some("ID"));
        // Non-ASCII dropped, cut to the EMV maximum lengths.
        assert_eq!(get("59"), Some("Toko Demo GoPay  Jakarta"));
        assert_eq!(get("60"), Some("JAKARTA SELATAN"));
        assert!(get("26").unwrap().starts_with("0014COM.GO-JEK.WWW"));
        assert_eq!(
            reference(&payload).unwrap().as_deref(),
            Some("7f1c1d2e-5a7b-4c3d-9e8f-0a1b2c3d4e5f")
        );
        assert!(payload.is_ascii());
    }
}
