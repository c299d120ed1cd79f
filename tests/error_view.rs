//! The error view speaks to the shopper only: for every code a charge can be refused with, in
//! Indonesian and in English, the view says in the page's language that the payment cannot be
//! shown and what to do, and none of the developer's English reason (which goes to the page's
//! `gopay-error`). Rendered by the same components the browser mounts.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use gopay_widget::core::charge::ErrorCode::{self, *};
use gopay_widget::core::deeplink::Environment;
use gopay_widget::core::device::Device;
use gopay_widget::core::i18n::{self, Locale, Msg};
use gopay_widget::core::plan::{self, Mode, PlanInput};
use gopay_widget::core::qris::crc16;
use gopay_widget::core::qris::QrisError;
use gopay_widget::server::{render_view, RenderOptions};
use serde_json::{json, Value};

/// A QRIS payload from its fields, sealed with its CRC.
fn sealed(fields: &[(&str, &str)]) -> String {
    let mut s: String = fields
        .iter()
        .map(|(id, v)| format!("{id}{:02}{v}", v.len()))
        .collect();
    s.push_str("6304");
    let crc = crc16(s.as_bytes());
    s + &format!("{crc:04X}")
}

/// The fields of a dynamic QRIS code for the fixture's Rp789.000, with `extra` after the amount.
fn qris_fields<'a>(amount: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("00", "01"),
        ("01", "12"),
        ("51", "0014ID.CO.QRIS.WWW0215ID10200000000010303UKE"),
        ("53", "360"),
        ("54", amount),
    ];
    fields.extend_from_slice(extra);
    fields.extend([("58", "ID"), ("59", "Test"), ("60", "BANDUNG")]);
    fields
}

fn base() -> Value {
    serde_json::from_str(&support::fixture("qris-charge-docs-shape.json")).unwrap()
}

/// The fixture with `key` set to `value` (`Value::Null` removes it).
fn with(key: &str, value: Value) -> String {
    let mut charge = base();
    if value.is_null() {
        charge.as_object_mut().unwrap().remove(key);
    } else {
        charge[key] = value;
    }
    charge.to_string()
}

/// The fixture's QRIS charge with `qr_string` and no QR image to fall back on.
fn qris(qr_string: &str) -> String {
    let mut charge = base();
    charge["qr_string"] = json!(qr_string);
    charge["actions"] = json!([]);
    charge.to_string()
}

/// A GoPay charge whose deeplink and QR image are `deeplink` and `image`.
fn gopay(deeplink: &str, image: &str) -> String {
    let mut charge: Value =
        serde_json::from_str(&support::fixture("gopay-charge-current-shape.json")).unwrap();
    charge["actions"] = json!([
        { "name": "generate-qr-code", "method": "GET", "url": image },
        { "name": "deeplink-redirect", "method": "GET", "url": deeplink },
    ]);
    charge.to_string()
}

/// Every code a charge can be refused with, each with a charge (and the environment the page
/// names) that gets it.
fn refused_charges() -> Vec<(ErrorCode, Option<String>, Environment)> {
    let good = qris_fields("789000", &[]);
    let p = Environment::Production;
    let u = Environment::Unset;
    let tid = "7f1c1d2e-5a7b-4c3d-9e8f-0a1b2c3d4e5f";
    let sandbox_image = format!("https://api.sandbox.midtrans.com/v2/gopay/{tid}/qr-code");
    let cases = vec![
        (InvalidJson, Some("{not json".to_owned()), u),
        (DuplicateKey, Some(r#"{"a":1,"a":2}"#.to_owned()), u),
        (InputTooLarge, Some(" ".repeat(70 * 1024)), u),
        (MissingCharge, None, u),
        (NotAnObject, Some("[1,2,3]".to_owned()), u),
        (MissingField, Some(with("order_id", Value::Null)), u),
        (WrongType, Some(with("order_id", json!(12345))), u),
        (
            InvalidField,
            Some(with("transaction_status", json!("pa id"))),
            u,
        ),
        (InvalidAmount, Some(with("gross_amount", json!("0"))), u),
        (
            InvalidTime,
            Some(with("expiry_time", json!("2021-06-23 15:00:00"))),
            u,
        ),
        (
            UnsupportedPaymentType,
            Some(with("payment_type", json!("credit_card"))),
            u,
        ),
        (UnsupportedCurrency, Some(with("currency", json!("USD"))), u),
        (NoPaymentMethod, Some(qris_without_any_method()), u),
        // Hostile URLs, and a sandbox charge the page said was production's.
        (
            UrlNotAllowed,
            Some(gopay(
                "javascript:alert(1)",
                "https://evil.example/v2/gopay/x/qr-code",
            )),
            u,
        ),
        (
            UrlNotAllowed,
            Some(gopay(
                "https://simulator.sandbox.midtrans.com/v2/deeplink/index?tref=A1",
                &sandbox_image,
            )),
            p,
        ),
        (
            ChargeNotPending,
            Some(with("transaction_status", json!("settlement"))),
            u,
        ),
        (
            MidtransError { status_code: 401 },
            Some(support::fixture("charge-error-401.json")),
            u,
        ),
        (
            Qris(QrisError::Malformed),
            Some(qris(&sealed(&good)[..40])),
            u,
        ),
        (Qris(QrisError::CrcMismatch), Some(qris(&bad_crc())), u),
        (
            Qris(QrisError::NotPayment),
            Some(qris(&sealed(&[
                ("00", "01"),
                ("01", "12"),
                ("59", "X"),
                ("60", "Y"),
            ]))),
            u,
        ),
        (
            Qris(QrisError::InvalidField),
            Some(qris(&sealed(&qris_fields("12.50", &[])))),
            u,
        ),
        (
            Qris(QrisError::TipOrFee),
            Some(qris(&sealed(&qris_fields("789000", &[("55", "01")])))),
            u,
        ),
        (
            QrisAmountMismatch,
            Some(qris(&sealed(&qris_fields("1000", &[])))),
            u,
        ),
    ];
    // Every code has a charge above (a new one is listed in the support's exhaustive list).
    for code in support::every_error_code() {
        assert!(
            cases.iter().any(|(c, _, _)| c.as_str() == code.as_str()),
            "no refused charge for {}",
            code.as_str()
        );
    }
    cases
}

fn qris_without_any_method() -> String {
    let mut charge = base();
    charge.as_object_mut().unwrap().remove("qr_string");
    charge["actions"] = json!([]);
    charge.to_string()
}

fn bad_crc() -> String {
    let good = sealed(&qris_fields("789000", &[]));
    let last = if good.ends_with('0') { "1" } else { "0" };
    format!("{}{last}", &good[..good.len() - 1])
}

/// The text a reader sees in rendered HTML: tags dropped, entities of the view decoded.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Runs of four words of `message` found in `text`.
fn shared_phrases(message: &str, text: &str) -> Vec<String> {
    let words: Vec<&str> = message.split_whitespace().collect();
    words
        .windows(4)
        .map(|w| w.join(" "))
        .filter(|phrase| text.contains(phrase.as_str()))
        .collect()
}

#[test]
fn every_error_view_shows_only_shopper_words_in_the_page_language() {
    let cases = refused_charges();
    let mut seen = std::collections::BTreeSet::new();
    for (expected, charge, environment) in &cases {
        for locale in [Locale::Id, Locale::En] {
            let e = plan::plan(PlanInput {
                charge: charge.as_deref(),
                status_url: None,
                environment: *environment,
                page_origin: None,
                mode: Mode::Auto,
                device: Device::Desktop,
                locale,
                qr_in_page: None,
            })
            .expect_err("refused");
            assert_eq!(e.code, *expected, "{}", e.message);
            seen.insert(e.code.as_str());
            let (html, state) = render_view(&RenderOptions {
                charge: charge.as_deref(),
                locale: Some(locale.as_str()),
                environment: Some(environment.as_str()).filter(|s| !s.is_empty()),
                ..RenderOptions::default()
            });
            assert_eq!(state, "error");
            let text = visible_text(&html);
            let code = e.code.as_str();
            assert!(!text.contains(&e.message), "{code}: {text}");
            assert!(
                shared_phrases(&e.message, &text).is_empty(),
                "{code} shows {:?} of {:?}",
                shared_phrases(&e.message, &text),
                e.message
            );
            assert!(!text.contains(code), "{code}: {text}");
            for msg in [Msg::Title, Msg::Error, Msg::ErrorNext] {
                assert!(text.contains(i18n::t(locale, msg)), "{code}: {text}");
            }
            // The other language's words are not there either.
            let other = if locale == Locale::Id {
                Locale::En
            } else {
                Locale::Id
            };
            assert!(!text.contains(i18n::t(other, Msg::ErrorNext)), "{text}");
            assert!(html.contains(&format!("lang=\"{}\"", locale.as_str())));
            assert!(
                !html.contains("lang=\"en\"") || locale == Locale::En,
                "{html}"
            );
        }
    }
    assert_eq!(
        seen.len(),
        cases.len() - 1,
        "one code per case (two refuse URLs)"
    );
}

#[test]
fn the_midtrans_reason_and_the_environment_fix_reach_the_page_not_the_shopper() {
    let cases = refused_charges();
    let message = |code: ErrorCode, env: Environment| {
        let (_, charge, environment) = cases
            .iter()
            .find(|(c, _, e)| *c == code && *e == env)
            .unwrap();
        let e = plan::plan(PlanInput {
            charge: charge.as_deref(),
            status_url: None,
            environment: *environment,
            page_origin: None,
            mode: Mode::Auto,
            device: Device::Desktop,
            locale: Locale::Id,
            qr_in_page: None,
        })
        .unwrap_err();
        (e.message, e.warn)
    };
    let (midtrans, warn) = message(MidtransError { status_code: 401 }, Environment::Unset);
    assert!(
        midtrans.contains("cannot be authorized") && !warn,
        "{midtrans}"
    );
    let (fix, warn) = message(UrlNotAllowed, Environment::Production);
    assert!(
        fix.contains(r#"data-environment="sandbox""#) && warn,
        "{fix}"
    );
    let (hostile, warn) = message(UrlNotAllowed, Environment::Unset);
    assert!(!hostile.contains("data-environment") && !warn, "{hostile}");
}
