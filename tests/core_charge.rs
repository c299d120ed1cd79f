//! The charge parser on the shared Midtrans fixtures and on hostile variations of them.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use gopay_widget::core::charge::{
    parse_charge, parse_charge_json, Charge, ChargeError, ErrorCode, PaymentType, QrSource,
    MAX_CHARGE_BYTES,
};
use gopay_widget::core::deeplink::{check_deeplink, check_qr_image_url, Environment};
use gopay_widget::core::jakarta::parse_jakarta;
use gopay_widget::core::json::{self, Value};
use gopay_widget::core::qr::qr_svg;
use support::{fixture, fixture_names, scan};

const MIN: i64 = 60_000;

fn parse(name: &str) -> Result<Charge, ChargeError> {
    parse_charge_json(&fixture(name))
}

fn jkt(s: &str) -> i64 {
    parse_jakarta(s).unwrap()
}

/// The fixture with `key` set to `value` (or removed when `None`).
fn variant(name: &str, key: &str, value: Option<Value>) -> Value {
    let mut v = json::from_str(&fixture(name)).unwrap();
    if let Value::Object(entries) = &mut v {
        entries.retain(|(k, _)| k != key);
        if let Some(value) = value {
            entries.push((key.to_owned(), value));
        }
    }
    v
}

#[test]
fn qris_fixture() {
    let c = parse("qris-charge-docs-shape.json").unwrap();
    let qr_string = "00020101021226620014COM.GO-JEK.WWW011993600914349052630340210G4905263030303UKE51440014ID.CO.QRIS.WWW0215AID0607336128660303UKE5204341453033605802ID5904Test6007BANDUNG6105402845409789000.0062475036c032f87c-f773-4619-aefa-675e1f06f9210703A016304A623";
    assert_eq!(
        c,
        Charge {
            order_id: "order102".into(),
            transaction_id: "c032f87c-f773-4619-aefa-675e1f06f921".into(),
            gross_amount: "789000.00".into(),
            amount: 789_000,
            currency: "IDR".into(),
            payment_type: PaymentType::Qris,
            transaction_status: "pending".into(),
            status_code: Some("201".into()),
            transaction_time_ms: jkt("2021-06-23 15:22:03"),
            expiry_ms: jkt("2021-06-23 15:37:03"),
            qr: Some(QrSource::Payload(qr_string.into())),
            qr_image: Some(
                "https://api.sandbox.midtrans.com/v2/qris/c032f87c-f773-4619-aefa-675e1f06f921/qr-code"
                    .into()
            ),
            deeplink: None,
        }
    );
    // The qr_string wins over the PNG action, and what is drawn scans back to it.
    let svg = qr_svg(qr_string).unwrap();
    assert_eq!(scan(&svg), vec![qr_string.to_owned()]);
}

#[test]
fn gopay_seed_fixture() {
    let c = parse("gopay-charge-seed.json").unwrap();
    assert_eq!(c.order_id, "SAMPLE-ORDER-ID-01");
    assert_eq!(c.transaction_id, "e48447d1-cfa9-4b02-b163-2e915d4417ac");
    assert_eq!((c.gross_amount.as_str(), c.amount), ("10000.00", 10_000));
    assert_eq!(c.payment_type, PaymentType::Gopay);
    assert_eq!(c.transaction_status, "pending");
    // No expiry in the response: Midtrans' default of 15 minutes.
    assert_eq!(c.transaction_time_ms, jkt("2017-10-04 12:00:00"));
    assert_eq!(c.expiry_ms - c.transaction_time_ms, 15 * MIN);
    assert_eq!(
        c.qr,
        Some(QrSource::Image(
            "https://api.midtrans.com/v2/gopay/e48447d1-cfa9-4b02-b163-2e915d4417ac/qr-code".into()
        ))
    );
    let deeplink = c.deeplink.unwrap();
    assert!(deeplink.starts_with("gojek://gopay/merchanttransfer?tref="));
    assert_eq!(
        check_deeplink(&deeplink, Environment::Production, None),
        Ok(deeplink)
    );
}

#[test]
fn gopay_current_shape_fixture() {
    let c = parse("gopay-charge-current-shape.json").unwrap();
    assert_eq!(c.order_id, "INV-2026-000731");
    assert_eq!(c.amount, 149_500);
    assert_eq!(c.expiry_ms, jkt("2026-11-25 14:18:11"));
    // generate-qr-code-v2 is preferred, although listed first here anyway...
    assert_eq!(
        c.qr,
        Some(QrSource::Image(
            "https://api.sandbox.midtrans.com/v2/qris/7f1c1d2e-5a7b-4c3d-9e8f-0a1b2c3d4e5f/qr-code"
                .into()
        ))
    );
    // ...and also when listed after the older action.
    let mut v = json::from_str(&fixture("gopay-charge-current-shape.json")).unwrap();
    if let Value::Object(entries) = &mut v {
        for (k, val) in entries.iter_mut() {
            if k == "actions" {
                if let Value::Array(items) = val {
                    items.swap(0, 1);
                }
            }
        }
    }
    assert_eq!(parse_charge(&v).unwrap().qr, c.qr);

    let deeplink = c.deeplink.clone().unwrap();
    assert!(check_deeplink(&deeplink, Environment::Sandbox, None).is_ok());
    assert!(check_deeplink(&deeplink, Environment::Production, None).is_err());
    let Some(QrSource::Image(url)) = &c.qr else {
        unreachable!()
    };
    // A sandbox charge's PNG comes from the sandbox API host: admitted there only.
    assert!(check_qr_image_url(url, Environment::Sandbox, None).is_ok());
    assert!(check_qr_image_url(url, Environment::Production, None).is_err());
}

#[test]
fn midtrans_error_fixtures() {
    let e = parse("charge-error-401.json").unwrap_err();
    assert_eq!(e.code, ErrorCode::MidtransError { status_code: 401 });
    assert_eq!(e.code.as_str(), "midtrans_error");
    assert_eq!(
        e.message,
        "Midtrans 401: Transaction cannot be authorized with the current client/server key."
    );
    let e = parse("charge-error-406.json").unwrap_err();
    assert_eq!(e.code, ErrorCode::MidtransError { status_code: 406 });
    assert!(e
        .message
        .starts_with("Midtrans 406: The request could not be completed"));
    assert!(e.to_string().starts_with("midtrans_error: Midtrans 406"));
}

#[test]
fn notifications_are_not_payable_charges() {
    for name in [
        "notification-pending.json",
        "notification-settlement.json",
        "notification-expire.json",
    ] {
        let e = parse(name).unwrap_err();
        assert_eq!(e.code, ErrorCode::NoPaymentMethod, "{name}");
    }
}

#[test]
fn every_fixture_gives_the_expected_outcome() {
    let mut seen = 0;
    for name in fixture_names() {
        let result = parse(&name);
        let expected_ok = !name.starts_with("charge-error") && !name.starts_with("notification");
        assert_eq!(result.is_ok(), expected_ok, "{name}: {result:?}");
        seen += 1;
    }
    assert!(seen >= 8, "fixtures found: {seen}");
}

#[test]
fn size_limit_applies_before_parsing() {
    let base = fixture("qris-charge-docs-shape.json");
    let padded = format!("{base}{}", " ".repeat(MAX_CHARGE_BYTES - base.len()));
    assert_eq!(padded.len(), MAX_CHARGE_BYTES);
    assert!(parse_charge_json(&padded).is_ok());
    let over = format!("{padded} ");
    assert_eq!(
        parse_charge_json(&over).unwrap_err().code,
        ErrorCode::InputTooLarge
    );
    // Not even looked at: garbage over the limit is "too large", not "invalid JSON".
    let garbage = "x".repeat(MAX_CHARGE_BYTES + 1);
    let e = parse_charge_json(&garbage).unwrap_err();
    assert_eq!(e.code.as_str(), "input_too_large");
}

#[test]
fn not_json_or_not_an_object() {
    for text in [
        "",
        "not json",
        "{",
        "{\"order_id\":}",
        "{} {}",
        "\u{feff}{}",
        "NaN",
    ] {
        let e = parse_charge_json(text).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidJson, "{text:?}");
        assert_eq!(e.code.as_str(), "invalid_json");
    }
    for text in [
        "null",
        "[]",
        "\"charge\"",
        "42",
        "true",
        "[{\"order_id\":\"x\"}]",
    ] {
        let e = parse_charge_json(text).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotAnObject, "{text:?}");
    }
    let e = parse_charge_json("{}").unwrap_err();
    assert_eq!(e.code, ErrorCode::MissingField);
    assert_eq!(e.message, "order_id is missing");
}

#[test]
fn wrong_types_name_the_field() {
    let wrong = [
        Value::Number(1.0),
        Value::Bool(true),
        Value::Array(vec![Value::String("order102".into())]),
        Value::Object(vec![]),
        Value::TooDeep,
    ];
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
        "actions",
    ] {
        for w in &wrong {
            let numeric_ok = matches!(w, Value::Number(_))
                && matches!(key, "gross_amount" | "status_code" | "actions");
            if numeric_ok {
                continue;
            }
            let v = variant("qris-charge-docs-shape.json", key, Some(w.clone()));
            let e = parse_charge(&v).unwrap_err();
            assert_eq!(e.code, ErrorCode::WrongType, "{key} = {w:?}: {e}");
            assert!(e.message.contains(key), "{key}: {}", e.message);
            // An array is the right type for actions; its string entry is not an object.
            let entry_of_actions = key == "actions" && matches!(w, Value::Array(_));
            let named = if entry_of_actions { "string" } else { w.kind() };
            assert!(e.message.contains(named), "{key}: {}", e.message);
        }
    }
}

#[test]
fn required_fields() {
    for key in [
        "order_id",
        "transaction_id",
        "gross_amount",
        "payment_type",
        "transaction_time",
    ] {
        for absent in [None, Some(Value::Null)] {
            let e = parse_charge(&variant("qris-charge-docs-shape.json", key, absent)).unwrap_err();
            assert_eq!(e.code, ErrorCode::MissingField, "{key}");
            assert_eq!(e.message, format!("{key} is missing"));
        }
    }
    // Optional ones.
    for key in [
        "currency",
        "status_code",
        "transaction_status",
        "expiry_time",
        "actions",
    ] {
        assert!(
            parse_charge(&variant("qris-charge-docs-shape.json", key, None)).is_ok(),
            "{key}"
        );
    }
}

#[test]
fn payment_type_and_currency() {
    let with = |k: &str, s: &str| {
        parse_charge(&variant(
            "qris-charge-docs-shape.json",
            k,
            Some(Value::String(s.into())),
        ))
    };
    assert_eq!(
        with("payment_type", "GoPay").unwrap().payment_type,
        PaymentType::Gopay
    );
    assert_eq!(
        with("payment_type", "QRIS").unwrap().payment_type,
        PaymentType::Qris
    );
    for bad in ["credit_card", "shopeepay", "", "gopay ", "qris\u{0}"] {
        assert_eq!(
            with("payment_type", bad).unwrap_err().code,
            ErrorCode::UnsupportedPaymentType,
            "{bad:?}"
        );
    }
    assert_eq!(with("currency", "idr").unwrap().currency, "IDR");
    for bad in ["USD", "", "IDR ", "Rp"] {
        assert_eq!(
            with("currency", bad).unwrap_err().code,
            ErrorCode::UnsupportedCurrency,
            "{bad:?}"
        );
    }
}

#[test]
fn amounts_from_the_brief() {
    for bad in [
        "-1", "1e5", "NaN", " 1", "1,000", "", "0.5", "0", "0.00", "1.50", "abc",
    ] {
        let v = variant(
            "qris-charge-docs-shape.json",
            "gross_amount",
            Some(Value::String(bad.into())),
        );
        assert_eq!(
            parse_charge(&v).unwrap_err().code,
            ErrorCode::InvalidAmount,
            "{bad:?}"
        );
    }
}

#[test]
fn only_a_payment_method_makes_a_charge() {
    let v = variant("qris-charge-docs-shape.json", "qr_string", None);
    let v = match v {
        Value::Object(mut e) => {
            e.retain(|(k, _)| k != "actions");
            Value::Object(e)
        }
        other => other,
    };
    let e = parse_charge(&v).unwrap_err();
    assert_eq!(e.code, ErrorCode::NoPaymentMethod);
    assert_eq!(e.code.as_str(), "no_payment_method");
    // A deeplink alone is enough (phones).
    let only_deeplink = json::from_str(
        r#"[{"name":"deeplink-redirect","method":"GET","url":"https://gojek.link/gopay/x"}]"#,
    )
    .unwrap();
    let c = parse_charge(&variant(
        "gopay-charge-seed.json",
        "actions",
        Some(only_deeplink),
    ))
    .unwrap();
    assert_eq!(
        (c.qr, c.deeplink.as_deref()),
        (None, Some("https://gojek.link/gopay/x"))
    );
}

#[test]
fn hostile_charges_fail_cleanly() {
    let megabyte = "<script>alert(1)</script>".repeat(40_000);
    for key in ["order_id", "gross_amount", "transaction_time", "qr_string"] {
        let v = variant(
            "gopay-charge-seed.json",
            key,
            Some(Value::String(megabyte.clone())),
        );
        let e = parse_charge(&v).unwrap_err();
        assert!(e.message.len() < 120 && !e.message.contains('<'), "{e}");
    }
    // A javascript: deeplink parses (it is only data here) but never passes the allowlist.
    let actions = json::from_str(
        r#"[{"name":"deeplink-redirect","url":"javascript:alert(document.cookie)"}]"#,
    )
    .unwrap();
    let c = parse_charge(&variant("gopay-charge-seed.json", "actions", Some(actions))).unwrap();
    let link = c.deeplink.unwrap();
    assert!(check_deeplink(&link, Environment::Sandbox, Some("https://shop.example")).is_err());
    // Deep nesting is cut by the JSON reader, not recursed into.
    let deep = format!(
        r#"{{"order_id":"a","actions":{}{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(parse_charge_json(&deep).is_err());
}
