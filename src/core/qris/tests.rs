//! The QRIS reader's tests: the fixture, built payloads, every refusal, and the CRC.

use super::*;

#[test]
fn the_marks_view_box_is_its_box() {
    assert_eq!(MARK_VIEW_BOX, format!("0 0 {MARK_WIDTH} {MARK_HEIGHT}"));
}

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
    let codes = [Malformed, CrcMismatch, NotPayment, InvalidField, TipOrFee].map(QrisError::code);
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

#[test]
fn crc() {
    let fixture = "00020101021226620014COM.GO-JEK.WWW011993600914349052630340210G4905263030303UKE51440014ID.CO.QRIS.WWW0215AID0607336128660303UKE5204341453033605802ID5904Test6007BANDUNG6105402845409789000.0062475036c032f87c-f773-4619-aefa-675e1f06f9210703A016304A623";
    assert!(crc_ok(fixture));
    assert!(!crc_ok(&fixture.replace("A623", "A624")));
    assert!(!crc_ok(&fixture.replace("BANDUNG", "BANDUNX")));
    // "123456789" is the standard check input: 0x29B1.
    assert_eq!(crc16(b"123456789"), 0x29B1);
    assert!(crc_ok("12345678929B1"));
    assert!(!crc_ok("29b1x"));
    assert!(!crc_ok("abc"));
    assert!(!crc_ok("aé1234"));
}
