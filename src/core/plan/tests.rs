//! The plan's tests: each view chosen from a charge, device, mode and environment, and what is refused.

use super::*;
use crate::core::machine::{Command, Input, Machine};

/// A moment during the test charges' transactions (2026-12-03 10:00 in Jakarta).
const T0: i64 = 1_796_266_800_000;

/// A QRIS payload from its fields, sealed with its CRC.
fn sealed(fields: &[(&str, &str)]) -> String {
    let mut s: String = fields
        .iter()
        .map(|(id, v)| format!("{id}{:02}{v}", v.len()))
        .collect();
    s.push_str("6304");
    let crc = qris::crc16(s.as_bytes());
    s + &format!("{crc:04X}")
}

/// A dynamic QRIS code for Rp275.000 at `name`.
fn payload(name: &str, amount: &str) -> String {
    sealed(&[
        ("00", "01"),
        ("01", "12"),
        ("26", "0014COM.GO-JEK.WWW01189360091400000000010303UKE"),
        ("51", "0014ID.CO.QRIS.WWW0215ID10200000000010303UKE"),
        ("52", "5999"),
        ("53", "360"),
        ("54", amount),
        ("58", "ID"),
        ("59", name),
        ("60", "JAKARTA"),
    ])
}

/// The Rp275.000 code for TOKO KOPI with `extra` fields after the amount.
fn payload_with(extra: &[(&str, &str)]) -> String {
    let mut fields = vec![
        ("00", "01"),
        ("01", "12"),
        ("51", "0014ID.CO.QRIS.WWW0215ID10200000000010303UKE"),
        ("53", "360"),
        ("54", "275000"),
    ];
    fields.extend_from_slice(extra);
    fields.extend([("58", "ID"), ("59", "TOKO KOPI"), ("60", "JAKARTA")]);
    sealed(&fields)
}

fn payload_without_amount(initiation: &str) -> String {
    sealed(&[
        ("00", "01"),
        ("01", initiation),
        ("51", "0014ID.CO.QRIS.WWW0215ID10200000000010303UKE"),
        ("53", "360"),
        ("58", "ID"),
        ("59", "TOKO KOPI"),
        ("60", "JAKARTA"),
    ])
}

/// `good` with its CRC's last digit changed.
fn bad_crc_of(good: &str) -> String {
    let last = if good.ends_with('0') { "1" } else { "0" };
    format!("{}{last}", &good[..good.len() - 1])
}

fn qris_charge(qr_string: &str) -> String {
    format!(
        r#"{{"status_code":"201","transaction_id":"t1","order_id":"A-1","gross_amount":"275000.00","currency":"IDR","payment_type":"qris","transaction_time":"2026-12-03 10:00:00","transaction_status":"pending","expiry_time":"2026-12-03 10:15:00","qr_string":"{qr_string}","actions":[{{"name":"generate-qr-code","method":"GET","url":"https://api.midtrans.com/v2/qris/t1/qr-code"}}]}}"#
    )
}

static QRIS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| qris_charge(&payload("TOKO KOPI", "275000.00")));
const GOPAY: &str = r#"{"status_code":"201","transaction_id":"t2","order_id":"A-2","gross_amount":"10000.00","currency":"IDR","payment_type":"gopay","transaction_time":"2026-12-03 10:00:00","transaction_status":"pending","actions":[{"name":"generate-qr-code","method":"GET","url":"https://api.midtrans.com/v2/gopay/t2/qr-code"},{"name":"deeplink-redirect","method":"GET","url":"https://gopay.co.id/app/merchanttransfer?tref=X"}]}"#;

fn input(charge: &str) -> PlanInput<'_> {
    PlanInput {
        charge: Some(charge),
        status_url: None,
        environment: Environment::Production,
        page_origin: Some("https://shop.example"),
        mode: Mode::Auto,
        device: Device::Desktop,
        locale: Locale::En,
        qr_in_page: None,
    }
}

#[test]
fn modes_parse_like_the_other_options() {
    assert_eq!(Mode::parse(" QR "), Some(Mode::Qr));
    assert_eq!(Mode::parse("deeplink"), Some(Mode::Deeplink));
    assert_eq!(Mode::parse("Auto"), Some(Mode::Auto));
    assert_eq!(Mode::parse("app"), None);
    for m in [Mode::Auto, Mode::Qr, Mode::Deeplink] {
        assert_eq!(Mode::parse(m.as_str()), Some(m));
    }
}

#[test]
fn a_qris_charge_on_a_desktop_is_a_drawn_qr() {
    let p = plan(input(&QRIS)).unwrap();
    assert!(matches!(p.qr, Some(QrPicture::Svg { size, .. }) if size > 21));
    assert!(p.can_save_qr());
    assert_eq!(p.deeplink, None);
    assert!(!p.app_first);
    assert_eq!(p.amount_text, "IDR 275,000");
    assert!(p.qr_label.contains("IDR 275,000") && p.qr_label.contains("A-1"));
    assert!(p.dropped.is_empty());
}

#[test]
fn the_app_comes_first_on_phones_and_when_asked() {
    let by = |device, mode| {
        plan(PlanInput {
            device,
            mode,
            ..input(GOPAY)
        })
        .unwrap()
        .app_first
    };
    assert!(by(Device::Phone, Mode::Auto));
    assert!(!by(Device::Tablet, Mode::Auto));
    assert!(!by(Device::Desktop, Mode::Auto));
    assert!(by(Device::Desktop, Mode::Deeplink));
    assert!(!by(Device::Phone, Mode::Qr));
    let p = plan(input(GOPAY)).unwrap();
    assert!(matches!(p.qr, Some(QrPicture::Image { .. })));
    assert!(!p.can_save_qr());
    // A QRIS charge has no deeplink: the QR, whatever the mode.
    let p = plan(PlanInput {
        device: Device::Phone,
        mode: Mode::Deeplink,
        ..input(&QRIS)
    })
    .unwrap();
    assert!(!p.app_first);
}

#[test]
fn refused_urls_are_dropped_with_their_reason() {
    let bad_link = GOPAY.replace("https://gopay.co.id/app/", "https://evil.example/app/");
    let p = plan(input(&bad_link)).unwrap();
    assert_eq!(p.deeplink, None);
    assert!(
        !plan(PlanInput {
            device: Device::Phone,
            ..input(&bad_link)
        })
        .unwrap()
        .app_first
    );
    assert_eq!(
        p.dropped,
        [Dropped::Deeplink(DeeplinkError::HostNotAllowed)]
    );
    let neither = bad_link.replace("https://api.midtrans.com", "http://api.midtrans.com");
    let e = plan(input(&neither)).unwrap_err();
    assert_eq!(e.code, ErrorCode::UrlNotAllowed);
    // The sandbox admits the page's own origin.
    let local = neither.replace("http://api.midtrans.com", "https://shop.example");
    let p = plan(PlanInput {
        environment: Environment::Sandbox,
        ..input(&local)
    })
    .unwrap();
    assert!(matches!(p.qr, Some(QrPicture::Image { .. })));
}

/// The GoPay charge as Midtrans' sandbox makes it: its URLs on the sandbox hosts.
fn sandbox_gopay() -> String {
    GOPAY
        .replace(
            "https://api.midtrans.com/",
            "https://api.sandbox.midtrans.com/",
        )
        .replace(
            "https://gopay.co.id/app/merchanttransfer",
            "https://simulator.sandbox.midtrans.com/v2/deeplink/index",
        )
}

#[test]
fn a_sandbox_charge_is_shown_when_the_page_names_no_environment() {
    let charge = sandbox_gopay();
    let unset = |charge| PlanInput {
        environment: Environment::Unset,
        device: Device::Phone,
        ..input(charge)
    };
    let p = plan(unset(&charge)).unwrap();
    assert_eq!(p.allowlist, Allowlist::MidtransSandbox);
    assert!(p.dropped.is_empty(), "{:?}", p.dropped);
    assert!(p.app_first);
    assert!(p
        .deeplink
        .as_deref()
        .is_some_and(|d| d.starts_with("https://simulator.sandbox.midtrans.com/")));
    assert!(
        matches!(&p.qr, Some(QrPicture::Image { url }) if url.starts_with("https://api.sandbox.midtrans.com/v2/gopay/t2/"))
    );
    // A production charge is production's, as before.
    let p = plan(unset(GOPAY)).unwrap();
    assert_eq!(p.allowlist, Allowlist::Production);
    assert!(p.dropped.is_empty() && p.deeplink.is_some());
    // Named sandbox: the same charge, with the page's origin and loopback admitted too.
    let p = plan(PlanInput {
        environment: Environment::Sandbox,
        ..input(&charge)
    })
    .unwrap();
    assert_eq!(p.allowlist, Allowlist::Sandbox);
    // A charge with one URL elsewhere is no sandbox charge: its sandbox URL is dropped.
    let mixed = GOPAY.replace(
        "https://gopay.co.id/app/merchanttransfer",
        "https://simulator.sandbox.midtrans.com/v2/deeplink/index",
    );
    let p = plan(unset(&mixed)).unwrap();
    assert_eq!(p.allowlist, Allowlist::Production);
    assert_eq!(p.deeplink, None);
    assert_eq!(
        p.dropped,
        [Dropped::Deeplink(DeeplinkError::HostNotAllowed)]
    );
}

#[test]
fn a_sandbox_charge_in_production_is_refused_with_the_fix_named() {
    let e = plan(input(&sandbox_gopay())).unwrap_err();
    assert_eq!(e.code, ErrorCode::UrlNotAllowed);
    assert_eq!(e.code.as_str(), "url_not_allowed");
    assert!(e.warn);
    assert!(
        e.message.contains(r#"data-environment="sandbox""#)
            && e.message.contains(r#"environment: "sandbox""#),
        "{}",
        e.message
    );
    // A local simulator's charge needs `sandbox` named, whether the page named
    // production or nothing; the message says so.
    let local = GOPAY
        .replace("https://api.midtrans.com/", "http://127.0.0.1:8081/")
        .replace("https://gopay.co.id/app/", "http://127.0.0.1:8081/app/");
    for environment in [Environment::Production, Environment::Unset] {
        let e = plan(PlanInput {
            environment,
            ..input(&local)
        })
        .unwrap_err();
        assert_eq!((e.code, e.warn), (ErrorCode::UrlNotAllowed, true));
    }
    // Hostile URLs are refused in every environment, and no setting is suggested.
    let hostile = GOPAY
        .replace("https://api.midtrans.com/", "https://evil.example/")
        .replace("https://gopay.co.id/app/", "https://evil.example/app/");
    for environment in [
        Environment::Production,
        Environment::Unset,
        Environment::Sandbox,
    ] {
        let e = plan(PlanInput {
            environment,
            ..input(&hostile)
        })
        .unwrap_err();
        assert_eq!(e, ChargeError::no_safe_method());
        assert!(!e.warn && !e.message.contains("data-environment"));
    }
    // A sandbox charge whose image is another transaction's: sandbox would refuse it too.
    let other = sandbox_gopay()
        .replace("/v2/gopay/t2/", "/v2/gopay/t9/")
        .replace(
            r#",{"name":"deeplink-redirect","method":"GET","url":"https://simulator.sandbox.midtrans.com/v2/deeplink/index?tref=X"}"#,
            "",
        );
    assert!(!other.contains("deeplink-redirect"));
    let e = plan(PlanInput {
        environment: Environment::Unset,
        ..input(&other)
    })
    .unwrap_err();
    assert_eq!(e, ChargeError::no_safe_method());
}

#[test]
fn the_app_opens_by_itself_only_where_the_page_leaves_it_on() {
    for (text, on) in [
        (None, true),
        (Some("true"), true),
        (Some(""), true),
        (Some("no"), true),
        (Some("0"), true),
        (Some("false"), false),
        (Some(" FALSE "), false),
        (Some("False"), false),
    ] {
        assert_eq!(auto_open(text), on, "{text:?}");
    }
    let phone = PlanInput {
        device: Device::Phone,
        status_url: Some("/status/{order_id}"),
        ..input(GOPAY)
    };
    let opened = |plan: &Plan| {
        let mut m = Machine::new(plan.machine_config(1, true, None), None, T0);
        (0..10)
            .flat_map(|i| {
                let input = if i == 0 { Input::Start } else { Input::Tick };
                m.handle(input, T0 + i * 100)
            })
            .filter(|c| *c == Command::OpenApp)
            .count()
    };
    let mut p = plan(phone).unwrap();
    assert!(p.app_first && p.auto_open);
    assert!(p.machine_config(1, true, None).app_first);
    assert_eq!(opened(&p), 1);
    // Turned off: the Open GoPay button still comes first, the app never opens by itself.
    p.auto_open = false;
    assert!(p.app_first && p.deeplink.is_some());
    assert!(!p.machine_config(1, true, None).app_first);
    assert_eq!(opened(&p), 0);
}

#[test]
fn no_charge_bad_json_and_repeated_keys_have_their_codes() {
    let none = PlanInput {
        charge: None,
        ..input("")
    };
    assert_eq!(plan(none).unwrap_err().code, ErrorCode::MissingCharge);
    assert_eq!(plan(input("{")).unwrap_err().code, ErrorCode::InvalidJson);
    let twice = QRIS.replacen(
        r#""transaction_status":"pending""#,
        r#""transaction_status":"pending","transaction_status":"settlement""#,
        1,
    );
    assert_eq!(
        plan(input(&twice)).unwrap_err().code,
        ErrorCode::DuplicateKey
    );
    let big = format!("{}{}", &*QRIS, " ".repeat(charge::MAX_CHARGE_BYTES));
    assert_eq!(
        plan(input(&big)).unwrap_err().code,
        ErrorCode::InputTooLarge
    );
}

#[test]
fn a_qr_the_page_already_shows_for_this_order_is_taken_over() {
    let p = plan(PlanInput {
        qr_in_page: Some("A-1"),
        ..input(&QRIS)
    })
    .unwrap();
    assert_eq!(p.qr, Some(QrPicture::InPage));
    assert!(p.can_save_qr());
    // Another order's QR is not this one's.
    let p = plan(PlanInput {
        qr_in_page: Some("A-0"),
        ..input(&QRIS)
    })
    .unwrap();
    assert!(matches!(p.qr, Some(QrPicture::Svg { .. })));
    // A PNG QR is never "in page" as a drawing.
    let p = plan(PlanInput {
        qr_in_page: Some("A-2"),
        ..input(GOPAY)
    })
    .unwrap();
    assert!(matches!(p.qr, Some(QrPicture::Image { .. })));
}

#[test]
fn a_drawn_qris_code_carries_its_merchant_for_the_frame_and_the_label() {
    let p = plan(input(&QRIS)).unwrap();
    let q = p.qris.as_ref().expect("read");
    assert_eq!(
        (
            q.merchant_name.as_str(),
            q.merchant_city.as_str(),
            q.nmid.as_str()
        ),
        ("TOKO KOPI", "JAKARTA", "ID1020000000001")
    );
    assert_eq!(
        p.qr_label,
        "QRIS code to pay IDR 275,000 to TOKO KOPI, JAKARTA (NMID ID1020000000001) for order A-1"
    );
    let id = plan(PlanInput {
        locale: Locale::Id,
        ..input(&QRIS)
    })
    .unwrap();
    assert!(id
        .qr_label
        .starts_with("Kode QRIS untuk membayar Rp275.000 ke TOKO KOPI, JAKARTA"));
    // A name with markup is text: the view inserts it as such.
    let p = plan(input(&qris_charge(&payload("<b>KOPI</b>", "275000")))).unwrap();
    assert_eq!(p.qris.unwrap().merchant_name, "<b>KOPI</b>");
    // A PNG has no frame of ours (Midtrans draws its own).
    assert_eq!(plan(input(GOPAY)).unwrap().qris, None);
}

#[test]
fn an_unpayable_qris_code_is_never_drawn() {
    let good = payload("TOKO KOPI", "275000.00");
    let bad_crc = bad_crc_of(&good);
    let cut = format!("{}{}", &good[..40], &good[good.len() - 8..]);
    let not_qris = sealed(&[("00", "01"), ("01", "12"), ("59", "X"), ("60", "Y")]);
    let cases = [
        (bad_crc, "qris_crc_mismatch"),
        (cut, "qris_malformed"),
        (not_qris, "qris_not_payment"),
        (payload("TOKO KOPI", "27500.00"), "qris_amount_mismatch"),
        // No amount at all, dynamic or static: the payer would type any.
        (payload_without_amount("12"), "qris_amount_mismatch"),
        (payload_without_amount("11"), "qris_amount_mismatch"),
        // A tip prompt, a fixed fee, a percentage fee: the payer would pay more.
        (payload_with(&[("55", "01")]), "qris_tip_or_fee"),
        (
            payload_with(&[("55", "02"), ("56", "2500")]),
            "qris_tip_or_fee",
        ),
        (
            payload_with(&[("55", "03"), ("57", "5")]),
            "qris_tip_or_fee",
        ),
    ];
    for (qr_string, code) in cases {
        // Midtrans' QR image of the transaction is shown instead, the reason kept; but a
        // charge at odds with its own code is refused whatever it offers.
        match plan(input(&qris_charge(&qr_string))) {
            Ok(p) => {
                let another_sum = matches!(code, "qris_amount_mismatch" | "qris_tip_or_fee");
                assert!(!another_sum, "{code}: shown through the image");
                assert!(matches!(p.qr, Some(QrPicture::Image { .. })), "{code}");
                assert!(matches!(p.dropped[..], [Dropped::Qris(e)] if e.code() == code));
                assert_eq!(p.qris, None);
            }
            Err(e) => {
                assert_eq!(e.code.as_str(), code);
                assert!(matches!(code, "qris_amount_mismatch" | "qris_tip_or_fee"));
            }
        }
        // Without an image: the error state, with the stable code.
        let bare = qris_charge(&qr_string).replace(
            r#"{"name":"generate-qr-code","method":"GET","url":"https://api.midtrans.com/v2/qris/t1/qr-code"}"#,
            r#"{"name":"deeplink-redirect","method":"GET","url":"https://gopay.co.id/app/merchanttransfer?tref=X"}"#,
        );
        let e = plan(input(&bare)).unwrap_err();
        assert_eq!(e.code.as_str(), code);
        assert!(!e.message.contains(&qr_string[..10]), "{}", e.message);
    }
    // The fallback image must draw this very transaction: another one's would pay
    // someone else. Refused, the payload's fault is the reason given.
    let crc = qris_charge(&bad_crc_of(&payload("TOKO KOPI", "275000.00")));
    let other = crc.replace("/v2/qris/t1/qr-code", "/v2/qris/t9/qr-code");
    let e = plan(input(&other)).unwrap_err();
    assert_eq!(e.code.as_str(), "qris_crc_mismatch");
    assert!(matches!(
        plan(input(&crc)).unwrap().qr,
        Some(QrPicture::Image { .. })
    ));
}

#[test]
fn the_status_url_names_the_order_encoded() {
    let p = plan(PlanInput {
        status_url: Some("/api/orders/{order_id}/status?o={order_id}"),
        ..input(&QRIS)
    })
    .unwrap();
    assert_eq!(
        p.status_url.as_deref(),
        Some("/api/orders/A-1/status?o=A-1")
    );
    assert_eq!(plan(input(&QRIS)).unwrap().status_url, None);
}

#[test]
fn a_charge_that_has_ended_needs_a_status_endpoint() {
    for status in [
        "settlement",
        "capture",
        "expire",
        "deny",
        "cancel",
        "refund",
    ] {
        let charge = QRIS.replace(
            r#""transaction_status":"pending""#,
            &format!(r#""transaction_status":"{status}""#),
        );
        let e = plan(input(&charge)).unwrap_err();
        assert_eq!(e.code, ErrorCode::ChargeNotPending, "{status}");
        assert_eq!(e.code.as_str(), "charge_not_pending");
        assert!(
            e.message.contains(&format!("is \"{status}\", not pending")),
            "{}",
            e.message
        );
        // With an endpoint the widget asks it (and only it decides the outcome).
        let polled = plan(PlanInput {
            status_url: Some("/status/{order_id}"),
            ..input(&charge)
        });
        assert!(polled.is_ok(), "{status}");
    }
    // Pending and pending-like statuses display as before.
    for status in ["pending", "PENDING", "authorize", "weird"] {
        let charge = QRIS.replace(
            r#""transaction_status":"pending""#,
            &format!(r#""transaction_status":"{status}""#),
        );
        assert!(plan(input(&charge)).is_ok(), "{status}");
    }
}

#[test]
fn the_locale_comes_from_the_first_source_that_names_one_of_ours() {
    assert_eq!(pick_locale(Some("en"), Some("id"), None), Locale::En);
    assert_eq!(
        pick_locale(Some("fr"), Some("en-GB"), Some("id")),
        Locale::En
    );
    assert_eq!(pick_locale(None, None, Some("en-US")), Locale::En);
    assert_eq!(pick_locale(None, Some("ja"), Some("de")), Locale::Id);
}
