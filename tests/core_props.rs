//! Property tests of the pure core: the charge parser never panics and only
//! accepts what keeps its invariants, every drawn QR scans back, and the URL
//! allowlist never admits a scheme it should not.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use gopay_widget::core::charge::{
    parse_charge, parse_charge_json, Charge, QrSource, MAX_EXPIRY_MS,
};
use gopay_widget::core::deeplink::{check_deeplink, check_qr_image_url, Environment};
use gopay_widget::core::jakarta::{format_jakarta, parse_jakarta};
use gopay_widget::core::json::{self, Value};
use gopay_widget::core::qr::qr_svg;
use proptest::prelude::*;
use support::{fixture, scan};

const PAYABLE: [&str; 3] = [
    "qris-charge-docs-shape.json",
    "gopay-charge-seed.json",
    "gopay-charge-current-shape.json",
];

const KEYS: [&str; 16] = [
    "order_id",
    "transaction_id",
    "gross_amount",
    "currency",
    "payment_type",
    "transaction_status",
    "status_code",
    "status_message",
    "transaction_time",
    "expiry_time",
    "expire_time",
    "qr_string",
    "actions",
    "name",
    "url",
    "extra",
];

/// What every accepted charge must satisfy.
fn assert_invariants(c: &Charge) {
    assert!(c.amount > 0 && c.amount < 1_000_000_000_000_000);
    assert!(!c.gross_amount.is_empty() && c.gross_amount.len() <= 18);
    let order_chars = c.order_id.chars().count();
    assert!((1..=50).contains(&order_chars));
    assert!((1..=64).contains(&c.transaction_id.chars().count()));
    assert!(!c.order_id.chars().any(char::is_control));
    assert_eq!(c.currency, "IDR");
    assert!(c.expiry_ms > c.transaction_time_ms);
    assert!(c.expiry_ms - c.transaction_time_ms <= MAX_EXPIRY_MS);
    assert_eq!(
        parse_jakarta(&format_jakarta(c.transaction_time_ms)),
        Some(c.transaction_time_ms)
    );
    assert_eq!(
        c.transaction_status,
        c.transaction_status.to_ascii_lowercase()
    );
    assert!(!c.transaction_status.is_empty() && c.transaction_status.len() <= 32);
    if let Some(code) = &c.status_code {
        assert!(code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()));
        assert!(!code.starts_with('4') && !code.starts_with('5'));
    }
    assert!(c.qr.is_some() || c.deeplink.is_some());
    match &c.qr {
        Some(QrSource::Payload(p)) => {
            assert!(!p.is_empty() && p.len() <= 1000);
            assert!(p.bytes().all(|b| (0x20..0x7f).contains(&b)));
        }
        Some(QrSource::Image(url)) => assert!(!url.is_empty() && url.len() <= 4096),
        None => {}
    }
    if let Some(link) = &c.deeplink {
        assert!(!link.is_empty() && link.len() <= 4096);
    }
}

fn check(v: &Value) {
    if let Ok(c) = parse_charge(v) {
        assert_invariants(&c);
    }
}

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,12}",
        "[ -~]{0,80}",
        "[0-9]{1,20}(\\.[0-9]{0,3})?",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9]",
        prop::sample::select(vec![
            "gopay",
            "qris",
            "GOPAY",
            "IDR",
            "usd",
            "pending",
            "201",
            "404",
            "500",
            "generate-qr-code",
            "generate-qr-code-v2",
            "deeplink-redirect",
            "gojek://gopay/x",
            "javascript:alert(1)",
            "<img src=x onerror=alert(1)>",
            "275000.00",
            "0.00",
            "-1",
            "1e5",
        ])
        .prop_map(str::to_owned),
        (
            0usize..4,
            prop::sample::select(vec![0usize, 1, 50, 51, 64, 65, 1000, 1001, 200_000])
        )
            .prop_map(|(c, n)| ["x", "9", "é", "\u{0}"][c].repeat(n)),
    ]
}

fn arb_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        (0u64..2_000_000).prop_map(|n| n as f64),
        prop::sample::select(vec![
            0.0,
            -0.0,
            0.5,
            -1.0,
            201.0,
            404.0,
            1e15,
            1e15 - 1.0,
            9.007e15,
            1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
        ]),
    ]
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(Value::TooDeep),
        any::<bool>().prop_map(Value::Bool),
        arb_number().prop_map(Value::Number),
        arb_string().prop_map(Value::String),
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
                        "[a-z_]{0,8}"
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(Value::Object),
        ]
    })
}

/// A payable fixture with one field replaced, possibly inside an action.
fn mutated_fixture() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(PAYABLE.to_vec()),
        prop::sample::select(KEYS.to_vec()),
        arb_value(),
        any::<bool>(),
        0usize..5,
    )
        .prop_map(|(name, key, value, in_action, index)| {
            let mut v = json::from_str(&fixture(name)).unwrap();
            let target = if in_action {
                match v.get("actions") {
                    Some(Value::Array(items)) if !items.is_empty() => {
                        let i = index % items.len();
                        let Value::Object(entries) = &mut v else {
                            unreachable!()
                        };
                        let actions =
                            &mut entries.iter_mut().find(|(k, _)| k == "actions").unwrap().1;
                        let Value::Array(items) = actions else {
                            unreachable!()
                        };
                        &mut items[i]
                    }
                    _ => &mut v,
                }
            } else {
                &mut v
            };
            if let Value::Object(entries) = target {
                match entries.iter_mut().find(|(k, _)| k == key) {
                    Some(slot) => slot.1 = value,
                    None => entries.push((key.to_owned(), value)),
                }
            }
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn parser_survives_arbitrary_json_trees(v in arb_value()) {
        check(&v);
    }

    #[test]
    fn parser_survives_mutated_fixtures(v in mutated_fixture()) {
        check(&v);
    }

    #[test]
    fn parser_survives_arbitrary_text(text in prop_oneof![
        ".{0,200}",
        "[\\[\\]{}\",:0-9a-z_ .\\-]{0,200}",
    ]) {
        if let Ok(c) = parse_charge_json(&text) {
            assert_invariants(&c);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Every accepted charge with a replaced field still describes the same order
    /// when the replaced field is one the parser does not read.
    #[test]
    fn extra_fields_are_ignored(
        name in prop::sample::select(PAYABLE.to_vec()),
        key in "x_[a-z]{1,8}",
        value in arb_value(),
    ) {
        let base = parse_charge_json(&fixture(name)).unwrap();
        let mut v = json::from_str(&fixture(name)).unwrap();
        if let Value::Object(entries) = &mut v {
            entries.push((key, value));
        }
        prop_assert_eq!(parse_charge(&v).unwrap(), base);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_drawn_qr_scans_back(payload in "[ -~]{1,300}") {
        let svg = qr_svg(&payload).unwrap();
        prop_assert_eq!(scan(&svg), vec![payload]);
    }
}

/// The scheme and host of `url` read independently of the checker's splitter.
fn scheme_and_host(url: &str) -> (String, String) {
    let (scheme, rest) = url.split_once(':').unwrap_or(("", url));
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    (scheme.to_ascii_lowercase(), host.to_ascii_lowercase())
}

fn arb_url() -> impl Strategy<Value = String> {
    // Weighted towards the allowed shapes so both outcomes are exercised.
    let scheme = prop_oneof![
        3 => prop::sample::select(vec!["gojek", "https", "http", "HTTPS", "Http"]),
        2 => prop::sample::select(vec![
            "javascript", "JavaScript", "data", "vbscript", "file", "ftp", "ws", "intent",
            "gojek+x", "", " https", "java\tscript", "blob:https",
        ]),
    ];
    let sep = prop_oneof![
        4 => Just("://"),
        1 => prop::sample::select(vec![":", ":/", ":///", "//", "", ":\\\\", "://@", ":// "]),
    ];
    let host = prop_oneof![
        3 => prop::sample::select(vec![
            "gopay", "gojek.link", "gopay.co.id", "simulator.sandbox.midtrans.com", "localhost",
            "127.0.0.1", "[::1]", "shop.example", "LOCALHOST", "api.midtrans.com",
            "api.sandbox.midtrans.com",
        ]),
        2 => prop::sample::select(vec![
            "evil.com", "gojek.link.evil.com", "evil.com@gojek.link", "gojek.link@evil.com",
            "gojek.link%2eevil.com", "127.0.0.1.nip.io", "[::ffff:127.0.0.1]", "", "gojek.link.",
            "localhost.evil.com", "shop.example.evil", "[::1",
            "api.midtrans.com.evil.example", "api.midtrans.com@evil.example", "api.midtrans.com.",
        ]),
    ]
    .prop_map(str::to_owned);
    let host = prop_oneof![4 => host, 1 => "[a-z0-9.\\-@:\\[\\]%]{0,20}"];
    let port = prop_oneof![
        3 => Just(""),
        1 => prop::sample::select(vec![":", ":80", ":443", ":8080", ":65536", ":x"]),
    ];
    let path = prop_oneof![
        3 => prop::sample::select(vec![
            "/", "/gopay/x", "/gopay", "/app/x", "/app", "/v2/deeplink/x", "/x?y=javascript:alert(1)",
            "/gopay/x#f", "", "/v2/gopay/x/qr-code", "/v2/qris/x/qr-code?s=1",
        ])
        .prop_map(str::to_owned),
        1 => prop::sample::select(vec!["/gopay/../x", "/app/%2e%2e/x", "?a=b", "#f", "/gopay/ x", "\\x"])
            .prop_map(str::to_owned),
        1 => "[ -~]{0,20}",
    ];
    // Allowed URLs with one character inserted, replaced or not at all.
    let near_miss = (
        prop::sample::select(vec![
            "gojek://gopay/merchanttransfer?tref=1",
            "https://gojek.link/gopay/x",
            "https://gopay.co.id/app/x?y=1",
            "https://simulator.sandbox.midtrans.com/v2/deeplink/x",
            "http://localhost:8080/x",
            "https://shop.example/x",
            "http://[::1]/x",
            "https://api.midtrans.com/v2/gopay/x/qr-code",
            "https://api.midtrans.com/v2/qris/x/qr-code",
        ]),
        0usize..4,
        any::<prop::sample::Index>(),
        prop::sample::select(vec![
            ' ', '\\', '@', ':', '/', '.', '%', '#', '?', '[', ']', 'x', '\t', 'é', '\u{0}',
        ]),
    )
        .prop_map(|(base, how, at, c)| {
            let mut u: Vec<char> = base.chars().collect();
            let i = at.index(u.len());
            match how {
                0 => {}
                1 => u.insert(i, c),
                2 => u[i] = c,
                // Another scheme in front of an allowed rest.
                _ => {
                    let colon = base.find(':').unwrap_or(0);
                    let other = ["javascript", "data", "vbscript", "http"][i % 4];
                    u = format!("{other}{}", &base[colon..]).chars().collect();
                }
            }
            u.into_iter().collect::<String>()
        });
    prop_oneof![
        6 => near_miss,
        6 => (scheme, sep, host, port, path)
            .prop_map(|(s, sep, h, p, path)| format!("{s}{sep}{h}{p}{path}")),
        1 => ".{0,40}",
        1 => "[ -~]{0,60}",
    ]
}

/// The generators above must reach both outcomes, or the properties prove little.
#[test]
fn generators_reach_accepted_and_refused_inputs() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let n = 1000;
    let mut charges_ok = 0;
    for _ in 0..n {
        let v = mutated_fixture().new_tree(&mut runner).unwrap().current();
        charges_ok += usize::from(parse_charge(&v).is_ok());
    }
    assert!(
        charges_ok > n / 4 && charges_ok < n * 9 / 10,
        "accepted charges: {charges_ok}/{n}"
    );
    let (mut prod, mut sandbox, mut images) = (0, 0, 0);
    for _ in 0..n {
        let u = arb_url().new_tree(&mut runner).unwrap().current();
        prod += usize::from(check_deeplink(&u, Environment::Production, None).is_ok());
        sandbox += usize::from(
            check_deeplink(&u, Environment::Sandbox, Some("https://shop.example")).is_ok(),
        );
        images += usize::from(check_qr_image_url(&u, Environment::Production, None).is_ok());
    }
    assert!(prod > n / 50, "admitted in production: {prod}/{n}");
    assert!(sandbox > prod, "admitted in sandbox: {sandbox}/{n}");
    assert!(
        images > n / 50 && images < n / 2,
        "admitted images: {images}/{n}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn allowlist_never_admits_other_schemes(
        url in arb_url(),
        sandbox in any::<bool>(),
        origin in prop::sample::select(vec![None, Some("https://shop.example"), Some("http://localhost:8080"), Some("null")]),
    ) {
        let env = if sandbox { Environment::Sandbox } else { Environment::Production };
        let (scheme, host) = scheme_and_host(&url);
        let origin_host = origin.map(|o| scheme_and_host(o).1);
        let local_http = sandbox
            && scheme == "http"
            && (["localhost", "127.0.0.1", "[::1]"].contains(&host.as_str())
                || origin_host.as_deref() == Some(host.as_str()));
        let clean = url.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'\\');

        if let Ok(admitted) = check_deeplink(&url, env, origin) {
            prop_assert_eq!(&admitted, &url);
            prop_assert!(clean);
            prop_assert!(scheme == "gojek" || scheme == "https" || local_http, "{}", url);
            prop_assert!(url[scheme.len()..].starts_with("://"), "{}", url);
            if !sandbox {
                prop_assert!(["gopay", "gojek.link", "gopay.co.id"].contains(&host.as_str()), "{}", url);
            }
        }
        if let Ok(admitted) = check_qr_image_url(&url, env, origin) {
            prop_assert_eq!(&admitted, &url);
            prop_assert!(clean);
            prop_assert!(scheme == "https" || local_http, "{}", url);
            if !sandbox {
                prop_assert_eq!(host.as_str(), "api.midtrans.com", "{}", url);
            }
        }
    }
}
