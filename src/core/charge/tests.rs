//! The charge reader's tests: amounts, times, identifiers, QR and actions, and what errors say.

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
