//! The QRIS reader on the shared fixtures, on generated payloads and on hostile
//! input: it never panics, reads back what a generator wrote, and notices a
//! changed character or a cut.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use gopay_widget::core::json;
use gopay_widget::core::qris::crc16;
use gopay_widget::core::qris::{read, Initiation, Qris, QrisError, QRIS_GUID};
use proptest::prelude::*;
use support::{fixture, fixture_names};

/// One data object, its length counted in characters.
fn tlv(id: u8, value: &str) -> String {
    format!("{id:02}{:02}{value}", value.chars().count())
}

/// `00` first, then `fields`, then the CRC.
fn seal(fields: &[String]) -> String {
    let mut s = tlv(0, "01");
    for f in fields {
        s.push_str(f);
    }
    s.push_str("6304");
    let crc = crc16(s.as_bytes());
    s + &format!("{crc:04X}")
}

/// What a generated payload holds, and what reading it must give.
#[derive(Debug, Clone)]
struct Spec {
    qris: Qris,
    /// The amount as written in ID 54.
    amount_text: Option<String>,
    /// Other data objects (other templates, opaque values), in any order.
    extra: Vec<String>,
}

fn build(spec: &Spec) -> String {
    let q = &spec.qris;
    let mut fields = vec![
        tlv(
            1,
            match q.initiation {
                Initiation::Static => "11",
                Initiation::Dynamic => "12",
            },
        ),
        tlv(51, &(tlv(0, QRIS_GUID) + &tlv(2, &q.nmid) + &tlv(3, "UMI"))),
        tlv(53, &q.currency),
        tlv(58, &q.country),
        tlv(59, &q.merchant_name),
        tlv(60, &q.merchant_city),
    ];
    if let Some(a) = &spec.amount_text {
        fields.push(tlv(54, a));
    }
    fields.extend(spec.extra.iter().cloned());
    // Order the middle by the extra fields' count, so generated orders vary.
    let turn = spec.extra.len() % fields.len();
    fields.rotate_left(turn);
    seal(&fields)
}

/// Printable text without control characters, some of it beyond ASCII.
fn shown_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            8 => proptest::char::range(' ', '~'),
            1 => prop::sample::select(vec!['é', 'Ñ', '東', '☕', '😀', '<', '&', '"']),
        ],
        1..=max,
    )
    .prop_map(|c| c.into_iter().collect())
}

/// Any opaque value an unrelated data object may hold (printable ASCII).
fn opaque(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::char::range(' ', '~'), 0..=max)
        .prop_map(|c| c.into_iter().collect())
}

/// A template: sub-objects with distinct IDs.
fn template() -> impl Strategy<Value = String> {
    proptest::collection::btree_map(0u8..100, opaque(12), 0..5).prop_map(|m| {
        let mut s = String::new();
        for (id, v) in m {
            s.push_str(&tlv(id, &v));
        }
        s
    })
}

fn spec() -> impl Strategy<Value = Spec> {
    let amount = prop_oneof![
        Just(None),
        (
            1u64..1_000_000_000_000,
            prop::sample::select(vec!["", ".0", ".00"])
        )
            .prop_map(|(n, tail)| Some((n, format!("{n}{tail}")))),
    ];
    // Other account templates (26-50), additional data (62) and opaque IDs.
    let extra = (
        proptest::collection::btree_map(26u8..51, template(), 0..3),
        proptest::option::of(template()),
        proptest::collection::btree_map(
            // Not 55 to 57 (a tip or a fee): those are refused, below.
            prop::sample::select(vec![52u8, 61, 64, 80, 91, 99]),
            opaque(40),
            0..4,
        ),
    )
        .prop_map(|(accounts, additional, others)| {
            let mut v: Vec<String> = accounts.iter().map(|(id, t)| tlv(*id, t)).collect();
            v.extend(additional.map(|t| tlv(62, &t)));
            v.extend(others.iter().map(|(id, t)| tlv(*id, t)));
            v
        });
    (
        any::<bool>(),
        shown_text(25),
        shown_text(15),
        "[A-Z0-9]{1,20}",
        amount,
        extra,
    )
        .prop_map(|(dynamic, name, city, nmid, amount, extra)| Spec {
            qris: Qris {
                initiation: if dynamic {
                    Initiation::Dynamic
                } else {
                    Initiation::Static
                },
                merchant_name: name,
                merchant_city: city,
                nmid,
                amount: amount.as_ref().map(|(n, _)| *n),
                currency: "360".into(),
                country: "ID".into(),
            },
            amount_text: amount.map(|(_, t)| t),
            extra,
        })
}

/// A valid payload and a character position in it that is ASCII.
fn payload_and_ascii_index() -> impl Strategy<Value = (String, usize)> {
    spec().prop_flat_map(|s| {
        let p = build(&s);
        let ascii: Vec<usize> = p
            .char_indices()
            .filter(|(_, c)| c.is_ascii())
            .map(|(i, _)| i)
            .collect();
        (Just(p), prop::sample::select(ascii))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_any_string(s in any::<String>()) {
        let _ = read(&s);
    }

    #[test]
    fn never_panics_on_digit_heavy_strings(s in "[0-9]{0,6}([0-9]{4}[0-9A-Za-z.é]{0,12}){0,40}") {
        let _ = read(&s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn generated_payloads_read_back(s in spec()) {
        let p = build(&s);
        prop_assert_eq!(read(&p), Ok(s.qris));
    }

    /// A tip or convenience indicator (55), a fixed fee (56) or a percentage fee (57), with
    /// any value, anywhere in the top level: the payer's app would ask for more.
    #[test]
    fn a_tip_or_fee_field_is_refused(
        mut s in spec(),
        fields in proptest::collection::btree_map(55u8..=57, opaque(20), 1..=3),
    ) {
        s.extra.extend(fields.iter().map(|(id, v)| tlv(*id, v)));
        prop_assert_eq!(read(&build(&s)), Err(QrisError::TipOrFee));
    }

    #[test]
    fn one_changed_character_is_noticed(
        (p, i) in payload_and_ascii_index(),
        with in proptest::char::range(' ', '~'),
    ) {
        let old = p[i..].chars().next().unwrap();
        prop_assume!(old != with);
        let mut changed = p.clone();
        changed.replace_range(i..i + 1, with.encode_utf8(&mut [0; 4]));
        prop_assert!(read(&changed).is_err(), "{} -> {}", p, changed);
    }

    #[test]
    fn every_cut_is_noticed(s in spec(), keep in 0.0f64..1.0) {
        let p = build(&s);
        let ends: Vec<usize> = p.char_indices().map(|(i, _)| i).collect();
        let end = ends[(keep * ends.len() as f64) as usize];
        prop_assert!(read(&p[..end]).is_err());
        // And anything after the CRC.
        prop_assert_eq!(read(&(p.clone() + "0")), Err(QrisError::Malformed));
    }
}

/// The `qr_string` of every shared fixture and of the demo's sample charge.
fn fixture_qr_strings() -> Vec<(String, String)> {
    let mut texts: Vec<(String, String)> = fixture_names()
        .into_iter()
        .map(|name| (fixture(&name), name))
        .collect();
    texts.push((
        include_str!("../www/samples/qris-charge.json").to_owned(),
        "www/samples/qris-charge.json".to_owned(),
    ));
    texts
        .into_iter()
        .filter_map(|(text, name)| {
            let v = json::from_str(&text).unwrap();
            let qr = v.get("qr_string")?.as_str()?.to_owned();
            Some((name, qr))
        })
        .collect()
}

#[test]
fn fixtures_read_with_their_merchant() {
    let all = fixture_qr_strings();
    assert!(all.len() >= 2, "{all:?}");
    for (name, qr) in all {
        let q = read(&qr).unwrap_or_else(|e| panic!("{name}: {}", e.code()));
        assert_eq!(q.merchant_name, "Test", "{name}");
        assert_eq!(q.merchant_city, "BANDUNG", "{name}");
        assert_eq!(q.nmid, "AID060733612866", "{name}");
        assert_eq!(q.amount, Some(789_000), "{name}");
        assert_eq!(q.initiation, Initiation::Dynamic, "{name}");
        assert_eq!((q.currency.as_str(), q.country.as_str()), ("360", "ID"));
    }
}

#[test]
fn hostile_payloads_have_a_clear_state() {
    let base = [
        tlv(1, "12"),
        tlv(51, &(tlv(0, QRIS_GUID) + &tlv(2, "ID1020000000001"))),
        tlv(53, "360"),
        tlv(58, "ID"),
    ];
    let with = |name: &str| {
        let mut f = base.to_vec();
        f.push(tlv(59, name));
        f.push(tlv(60, "JAKARTA"));
        seal(&f)
    };
    let good = with("Toko");
    assert!(read(&good).is_ok());

    let mut nested = String::from("000201");
    nested.push_str(&"2699".repeat(10_000));
    let cases: Vec<(&str, String, QrisError)> = vec![
        (
            "wrong CRC",
            good.replace(&good[good.len() - 4..], "0000"),
            QrisError::CrcMismatch,
        ),
        (
            "truncated",
            good[..good.len() - 10].to_owned(),
            QrisError::Malformed,
        ),
        (
            "length past the end",
            "000201599912".to_owned(),
            QrisError::Malformed,
        ),
        ("10,000 nested templates", nested, QrisError::Malformed),
        (
            "control character",
            with("To\u{1b}ko"),
            QrisError::InvalidField,
        ),
        (
            "no QRIS template",
            seal(&[tlv(53, "360"), tlv(58, "ID"), tlv(59, "A"), tlv(60, "B")]),
            QrisError::NotPayment,
        ),
    ];
    for (what, payload, want) in cases {
        assert_eq!(read(&payload), Err(want), "{what}");
        // Every state has a stable code and English text that never quotes the payload.
        assert!(want.code().starts_with("qris_"));
        assert!(!want.message().is_empty());
    }

    // Markup and non-ASCII names come back as the same text, for the view to escape.
    for name in [
        "<img src=x onerror=alert(1)>",
        "Kopi & Teh \"Ñ\"",
        "東京 ☕",
    ] {
        assert_eq!(read(&with(name)).unwrap().merchant_name, name);
    }
}

#[test]
fn the_qr_size_samples_are_payable_qris_codes() {
    for len in [100, 250, 500] {
        let payload = support::qris_like(len, len as u32);
        assert_eq!(payload.len(), len);
        let q = read(&payload).unwrap_or_else(|e| panic!("{len}: {e}"));
        assert_eq!(q.amount, Some(789_000), "{len}: fits the fixture's charge");
    }
}
