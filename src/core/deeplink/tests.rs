//! The allowlists' tests: the URL splitter, every documented shape admitted, every hostile one refused, in each environment.

use super::*;
use DeeplinkError::*;

#[test]
fn a_midtrans_qr_image_names_its_transaction() {
    use Environment::{Production as P, Sandbox as S};
    let of = |url, env, id| check_qr_image_of(url, env, None, id).is_ok();
    let url = "https://api.midtrans.com/v2/gopay/e48447d1-cfa9/qr-code";
    assert!(of(url, P, "e48447d1-cfa9"));
    assert_eq!(
        check_qr_image_of(url, P, None, "e48447d1-cfa8"),
        Err(DeeplinkError::PathNotAllowed)
    );
    assert!(!of(url, P, "e48447d1"));
    let sandbox = "https://API.sandbox.midtrans.com/v2/qris/T1/qr-code";
    assert!(of(sandbox, S, "T1"));
    // A UUID in another case is the same transaction.
    assert!(of(sandbox, S, "t1"));
    assert!(!of(sandbox, S, "t2"));
    assert!(of(
        "https://api.midtrans.com/v2/gopay/E48447D1-CFA9/qr-code",
        P,
        "e48447d1-cfa9"
    ));
    // A local simulator's URL is not Midtrans': not read.
    assert!(of("http://127.0.0.1:8081/v2/qris/X/qr-code", S, "T1"));
    assert!(!of("not a url", S, "T1"));
}
use Environment::{Production as P, Sandbox as S};

const SEED_DEEPLINK: &str = "gojek://gopay/merchanttransfer?tref=1509110800474199656LMVO&amount=10000&activity=GP:RR&callback_url=someapps://callback?order_id=SAMPLE-ORDER-ID-01";
const SIMULATOR: &str = "https://simulator.sandbox.midtrans.com/v2/deeplink/index?tref=A120261125070311abcDEF&callback_url=https%3A%2F%2Fshop.example%2Fpay%2Ffinish%3Forder_id%3DINV-2026-000731";
const ORIGIN: Option<&str> = Some("https://shop.example");

fn dl(url: &str, allow: impl Into<Allowlist>) -> Result<String, DeeplinkError> {
    check_deeplink(url, allow, ORIGIN)
}

/// A charge recognised as a sandbox one: Midtrans' sandbox hosts, nothing local.
const R: Allowlist = Allowlist::MidtransSandbox;

#[test]
fn environment_parse() {
    assert_eq!(Environment::parse("production"), Some(P));
    assert_eq!(Environment::parse(" Sandbox "), Some(S));
    assert_eq!(Environment::parse("SANDBOX"), Some(S));
    assert_eq!(Environment::parse("prod"), None);
    assert_eq!(Environment::parse(""), None);
    assert_eq!(Environment::parse("unset"), None);
    // Not named: the charge decides; a URL check alone reads it as production.
    assert_eq!(Environment::default(), Environment::Unset);
    assert_eq!(Allowlist::from(Environment::Unset), Allowlist::Production);
    for env in [P, S] {
        assert_eq!(Environment::parse(env.as_str()), Some(env));
    }
}

#[test]
fn a_charge_with_every_url_on_midtrans_sandbox_hosts_is_a_sandbox_charge() {
    use Environment::Unset as U;
    let image = "https://api.sandbox.midtrans.com/v2/gopay/t1/qr-code";
    let for_charge = |env, urls: &[&str]| Allowlist::for_charge(env, urls.iter().copied());
    assert_eq!(for_charge(U, &[SIMULATOR, image]), R);
    assert_eq!(for_charge(U, &[image]), R);
    assert_eq!(
        for_charge(U, &["https://SIMULATOR.Sandbox.midtrans.com/x"]),
        R
    );
    // What the page names wins.
    assert_eq!(for_charge(P, &[SIMULATOR, image]), Allowlist::Production);
    assert_eq!(for_charge(S, &[SIMULATOR, image]), Allowlist::Sandbox);
    // No URL, or any URL elsewhere (production, loopback, the page's origin, lookalikes,
    // what the splitter refuses): production.
    for urls in [
        &[][..],
        &[SIMULATOR, "https://api.midtrans.com/v2/gopay/t1/qr-code"],
        &[SEED_DEEPLINK, image],
        &["http://127.0.0.1:8081/v2/deeplink", image],
        &["https://shop.example/pay", image],
        &["https://simulator.sandbox.midtrans.com.evil.com/x"],
        &["https://evil.com/simulator.sandbox.midtrans.com/x"],
        &["https://u@api.sandbox.midtrans.com/v2/gopay/t1/qr-code"],
        &["https://api.sandbox.midtrans.com./v2/gopay/t1/qr-code"],
        &["https://app.sandbox.midtrans.com/x"],
        &["api.sandbox.midtrans.com/v2/gopay/t1/qr-code"],
        // Not a web scheme: a browser keeps such a host as written (found by fuzzing).
        &["httpsA://api.sanDbox.midtrans.com/v2/gopay/t1/qr-code"],
        &["gojek://simulator.sandbox.midtrans.com/x"],
    ] {
        assert_eq!(for_charge(U, urls), Allowlist::Production, "{urls:?}");
    }
}

#[test]
fn a_recognised_sandbox_charge_admits_midtrans_sandbox_hosts_and_nothing_local() {
    for url in [
        SIMULATOR,
        "https://SIMULATOR.sandbox.midtrans.com/v2/deeplink/x",
    ] {
        assert_eq!(dl(url, R).as_deref(), Ok(url));
    }
    let image = "https://api.sandbox.midtrans.com/v2/qris/7f1c1d2e/qr-code";
    assert_eq!(check_qr_image_url(image, R, ORIGIN).as_deref(), Ok(image));
    assert!(check_qr_image_of(image, R, ORIGIN, "7f1c1d2e").is_ok());
    assert_eq!(
        check_qr_image_of(image, R, ORIGIN, "other"),
        Err(PathNotAllowed)
    );
    // The production shapes stay admitted.
    assert!(dl(SEED_DEEPLINK, R).is_ok());
    // Loopback and the page's own origin still need `sandbox` named by the page.
    for url in [
        "https://shop.example/pay/simulate?x=1",
        "http://localhost:8080/deeplink?x=1",
        "http://127.0.0.1:3000/x",
        "http://[::1]:9/x",
        "https://localhost/x",
        "http://simulator.sandbox.midtrans.com/x",
        "https://simulator.sandbox.midtrans.com:8443/x",
    ] {
        assert!(dl(url, R).is_err(), "{url:?}");
        assert!(check_qr_image_url(url, R, ORIGIN).is_err(), "{url:?}");
    }
    for url in [
        "http://api.sandbox.midtrans.com/v2/qris/x/qr-code",
        "https://api.sandbox.midtrans.com:8443/v2/qris/x/qr-code",
        "https://api.sandbox.midtrans.com/x.png",
        "https://simulator.sandbox.midtrans.com/v2/qris/x/qr-code",
    ] {
        assert!(check_qr_image_url(url, R, ORIGIN).is_err(), "{url:?}");
    }
}

#[test]
fn split_url_parts() {
    let p = split_url("https://Gojek.Link:8443/gopay/x?a=b#c").unwrap();
    assert_eq!(
        (p.scheme, p.host, p.port, p.path, p.rest),
        ("https", "Gojek.Link", Some(8443), "/gopay/x", "?a=b#c")
    );
    let p = split_url("http://[::1]:3000").unwrap();
    assert_eq!(
        (p.host, p.port, p.path, p.rest),
        ("[::1]", Some(3000), "", "")
    );
    let p = split_url("https://a.b?x/y#z").unwrap();
    assert_eq!((p.host, p.path, p.rest), ("a.b", "", "?x/y#z"));
    for bad in [
        "https://",
        "https:///x",
        "https://a..b/",
        "https://a.b./",
        "https://.a.b/",
        "https://a.b:/",
        "https://a.b:65536/",
        "https://a.b:123456/",
        "https://a.b:-1/",
        "https://a.b:1:2/",
        "https://[::1/",
        "https://[]/",
        "https://[::1]x/",
        "https://[evil.com]/",
        "https://a_b.c/",
        "https://a%2eb/",
        "https://u@a.b/",
        "https:a.b/",
        "https:/a.b/",
    ] {
        assert!(split_url(bad).is_err(), "split {bad:?}");
    }
}

#[test]
fn production_admits_the_documented_shapes_unchanged() {
    for url in [
        SEED_DEEPLINK,
        "gojek://gopay/merchanttransfer",
        "https://gojek.link/gopay/merchanttransfer?tref=abc",
        "https://gojek.link/gopay",
        "https://gopay.co.id/app/merchanttransfer?tref=abc&callback_url=https%3A%2F%2Fx",
        "https://gopay.co.id/app?x=1",
        "HTTPS://GOJEK.LINK/gopay/x",
        "https://gojek.link/gopay/x#frag",
    ] {
        assert_eq!(dl(url, P).as_deref(), Ok(url));
        assert_eq!(dl(url, S).as_deref(), Ok(url), "sandbox extends production");
    }
}

#[test]
fn hostile_urls_are_refused_in_both_environments() {
    let cases: &[(&str, DeeplinkError)] = &[
        ("", Empty),
        ("javascript:alert(1)", SchemeNotAllowed),
        ("JaVaScRiPt:alert(1)", SchemeNotAllowed),
        ("java\tscript:alert(1)", BadCharacter),
        ("java\nscript:alert(1)", BadCharacter),
        (" javascript:alert(1)", BadCharacter),
        ("\u{0}javascript:alert(1)", BadCharacter),
        ("data:text/html,<script>alert(1)</script>", SchemeNotAllowed),
        ("vbscript:msgbox(1)", SchemeNotAllowed),
        ("file:///etc/passwd", SchemeNotAllowed),
        ("blob:https://gojek.link/x", SchemeNotAllowed),
        ("//gojek.link/gopay/x", NotAbsolute),
        ("/gopay/x", NotAbsolute),
        ("gopay/x", NotAbsolute),
        ("gojek.link/gopay/x", NotAbsolute),
        ("1https://gojek.link/gopay/", NotAbsolute),
        ("https://gojek.link.evil.com/gopay/x", HostNotAllowed),
        ("https://evil.com/gojek.link/gopay/x", HostNotAllowed),
        ("https://evilgojek.link/gopay/x", HostNotAllowed),
        ("https://gojek.lnk/gopay/x", HostNotAllowed),
        ("https://gopay.co.id.evil.com/app/x", HostNotAllowed),
        ("https://www.gopay.co.id/app/x", HostNotAllowed),
        ("https://evil.com?@gojek.link/gopay/", HostNotAllowed),
        ("https://evil.com#@gojek.link/gopay/", HostNotAllowed),
        ("https://gojek.link@evil.com/gopay/x", Malformed),
        ("https://gojek.link:@evil.com/gopay/x", Malformed),
        ("https://user:pass@gojek.link/gopay/x", Malformed),
        ("https://gojek.link%2F@evil.com/gopay/", Malformed),
        ("https://gojek.link%2eevil.com/gopay/", Malformed),
        ("https://gojek.link./gopay/x", Malformed),
        ("https://gojek.link\\@evil.com/gopay/", BadCharacter),
        ("https:\\\\evil.com/gopay/", BadCharacter),
        ("https:gojek.link/gopay/x", Malformed),
        ("https:/gojek.link/gopay/x", Malformed),
        ("https:///gojek.link/gopay/x", Malformed),
        ("https://gojek.link:443/gopay/x", HostNotAllowed),
        ("https://gojek.link/gopa/x", PathNotAllowed),
        ("https://gojek.link/gopayx", PathNotAllowed),
        ("https://gojek.link/", PathNotAllowed),
        ("https://gojek.link", PathNotAllowed),
        ("https://gojek.link?/gopay/", PathNotAllowed),
        ("https://gojek.link/gopay/../evil", PathNotAllowed),
        ("https://gojek.link/gopay/%2e%2e/evil", PathNotAllowed),
        ("https://gojek.link/gopay/.%2E/evil", PathNotAllowed),
        ("https://gopay.co.id/application", PathNotAllowed),
        ("https://gopay.co.id/", PathNotAllowed),
        ("http://gojek.link/gopay/x", SchemeNotAllowed),
        ("http://gopay.co.id/app/x", SchemeNotAllowed),
        ("gojek://evil/merchanttransfer", HostNotAllowed),
        ("gojek://gopay.evil.com/x", HostNotAllowed),
        ("gojek://gopay:1/x", HostNotAllowed),
        ("gojek://gopay", PathNotAllowed),
        ("gojek://gopay?x=1", PathNotAllowed),
        ("gojek:gopay/x", Malformed),
        ("gojek://u@gopay/x", Malformed),
        ("https://gojek.link/gopay/ x", BadCharacter),
        ("https://gojek.link/gopay/\u{202e}x", BadCharacter),
        ("https://gоjek.link/gopay/x", BadCharacter), // Cyrillic o
        ("https://xn--gjek-9za.link/gopay/x", HostNotAllowed),
    ];
    for &(url, err) in cases {
        for allow in [P.into(), R, S.into()] {
            assert_eq!(dl(url, allow), Err(err), "{url:?} in {allow:?}");
        }
    }
    let long = format!("https://gojek.link/gopay/{}", "a".repeat(MAX_URL_LEN));
    assert_eq!(dl(&long, P), Err(TooLong));
}

#[test]
fn sandbox_admits_simulator_own_origin_and_loopback_only_there() {
    let sandbox_only = [
        SIMULATOR,
        "https://SIMULATOR.sandbox.midtrans.com/v2/deeplink/x",
        "https://shop.example/pay/simulate?x=1",
        "https://shop.example:443/pay",
        "http://localhost:8080/deeplink?x=1",
        "https://localhost/x",
        "http://localhost",
        "http://127.0.0.1:3000/x",
        "http://[::1]:9/x",
        "http://LocalHost:1/x",
    ];
    for url in sandbox_only {
        assert_eq!(dl(url, S).as_deref(), Ok(url), "sandbox {url:?}");
        assert!(dl(url, P).is_err(), "production {url:?}");
        assert!(dl(url, Environment::Unset).is_err(), "unset {url:?}");
    }
}

#[test]
fn sandbox_still_refuses_lookalike_local_hosts() {
    for url in [
        "https://simulator.sandbox.midtrans.com.evil.com/x",
        "https://simulator.sandbox.midtrans.com:8443/x",
        "http://simulator.sandbox.midtrans.com/x",
        "http://localhost.evil.com/x",
        "http://127.0.0.1.nip.io/x",
        "http://127.0.0.2/x",
        "http://2130706433/x",
        "http://0x7f000001/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://evil.com/x",
        "http://shop.example/x",       // own origin is https
        "https://shop.example:8443/x", // other port
        "https://shop.example.evil/x", // lookalike
        "https://evil.com/x",
        "ws://localhost/x",
        "ftp://localhost/x",
        "javascript://localhost/%0aalert(1)",
    ] {
        assert!(dl(url, S).is_err(), "{url:?}");
        assert!(dl(url, R).is_err(), "{url:?}");
    }
}

#[test]
fn own_origin_needs_a_real_origin() {
    let url = "http://shop.test:8080/pay";
    assert!(check_deeplink(url, S, Some("http://shop.test:8080")).is_ok());
    assert!(check_deeplink(url, S, Some("http://SHOP.test:8080/")).is_ok());
    assert!(check_deeplink("http://shop.test/pay", S, Some("http://shop.test:80")).is_ok());
    for origin in [
        None,
        Some("null"),
        Some(""),
        Some("file://"),
        Some("http://shop.test:8081"),
        Some("https://shop.test:8080"),
        Some("http://shop.test:8080/path"),
        Some("http://evil@shop.test:8080"),
        Some("gojek://shop.test:8080"),
    ] {
        assert!(check_deeplink(url, S, origin).is_err(), "{origin:?}");
    }
}

#[test]
fn qr_images_production_only_from_midtrans_qr_paths() {
    let origin = Some("http://shop.example");
    for url in [
        "https://api.midtrans.com/v2/gopay/e48447d1-cfa9-4b02-b163-2e915d4417ac/qr-code",
        "https://api.midtrans.com/v2/qris/7f1c1d2e/qr-code",
        "https://API.Midtrans.COM/v2/qris/7f1c1d2e/qr-code",
        "HTTPS://api.midtrans.com/v2/qris/7f1c1d2e/qr-code?size=300",
    ] {
        assert_eq!(check_qr_image_url(url, P, origin).as_deref(), Ok(url));
        assert_eq!(check_qr_image_url(url, S, origin).as_deref(), Ok(url));
    }
    let refused: &[(&str, DeeplinkError)] = &[
        (
            "http://api.midtrans.com/v2/gopay/x/qr-code",
            SchemeNotAllowed,
        ),
        ("data:image/png;base64,AAAA", SchemeNotAllowed),
        ("javascript:alert(1)", SchemeNotAllowed),
        ("//api.midtrans.com/v2/gopay/x/qr-code", NotAbsolute),
        ("/qr.png", NotAbsolute),
        ("https://evil.example/qr.png", HostNotAllowed),
        (
            "https://api.midtrans.com.evil.example/v2/gopay/x/qr-code",
            HostNotAllowed,
        ),
        (
            "https://evil.example/api.midtrans.com/v2/gopay/x/qr-code",
            HostNotAllowed,
        ),
        ("https://evil.example/v2/gopay/x/qr-code", HostNotAllowed),
        (
            "https://evilapi.midtrans.com/v2/gopay/x/qr-code",
            HostNotAllowed,
        ),
        (
            "https://app.midtrans.com/v2/gopay/x/qr-code",
            HostNotAllowed,
        ),
        (
            "https://api.sandbox.midtrans.com/v2/qris/x/qr-code",
            HostNotAllowed,
        ),
        (
            "https://api.midtrans.com:443/v2/gopay/x/qr-code",
            HostNotAllowed,
        ),
        (
            "https://api.midtrans.com:8443/v2/gopay/x/qr-code",
            HostNotAllowed,
        ),
        ("https://api.midtrans.com@evil.example/", Malformed),
        (
            "https://api.midtrans.com@evil.example/v2/gopay/x/qr-code",
            Malformed,
        ),
        ("https://u@api.midtrans.com/v2/gopay/x/qr-code", Malformed),
        ("https://api.midtrans.com./v2/gopay/x/qr-code", Malformed),
        (
            "https://api.midtrans.com%2eevil.example/v2/gopay/x/qr-code",
            Malformed,
        ),
        ("https://api.midtrans.com\\@evil.example/", BadCharacter),
        ("https://api.midtrans.com?@evil.example/", PathNotAllowed),
        ("https://api.midtrans.com/", PathNotAllowed),
        ("https://api.midtrans.com/x.png", PathNotAllowed),
        ("https://api.midtrans.com/v2/x/qr-code", PathNotAllowed),
        ("https://api.midtrans.com/v2/gopay/qr-code", PathNotAllowed),
        ("https://api.midtrans.com/v2/gopay//qr-code", PathNotAllowed),
        ("https://api.midtrans.com/v2/gopay/x/status", PathNotAllowed),
        (
            "https://api.midtrans.com/v2/gopay/x/qr-code/",
            PathNotAllowed,
        ),
        (
            "https://api.midtrans.com/v2/gopay/x/y/qr-code",
            PathNotAllowed,
        ),
        (
            "https://api.midtrans.com/V2/gopay/x/qr-code",
            PathNotAllowed,
        ),
        (
            "https://api.midtrans.com/v2/gopay/../../evil/qr-code",
            PathNotAllowed,
        ),
        (
            "https://api.midtrans.com/v2/gopay/%2e%2e/qr-code",
            PathNotAllowed,
        ),
    ];
    for &(url, err) in refused {
        assert_eq!(check_qr_image_url(url, P, origin), Err(err), "{url:?}");
    }
    for url in [
        "http://localhost:8080/qr.png",
        "http://127.0.0.1/v2/qris/x/qr-code",
        "http://shop.example/qr.png",
    ] {
        assert!(check_qr_image_url(url, P, origin).is_err(), "{url:?}");
    }
}

#[test]
fn qr_images_sandbox_adds_the_sandbox_host_own_origin_and_loopback() {
    let origin = Some("http://shop.example");
    for url in [
        "https://api.sandbox.midtrans.com/v2/qris/7f1c1d2e/qr-code",
        "https://API.SANDBOX.midtrans.com/v2/gopay/7f1c1d2e/qr-code",
        "https://api.midtrans.com/v2/gopay/x/qr-code",
        "http://localhost:8080/qr.png",
        "http://127.0.0.1:8081/v2/qris/x/qr-code",
        "http://[::1]:9/qr.png?order_id=1",
        "http://shop.example/qr.png",
    ] {
        assert_eq!(
            check_qr_image_url(url, S, origin).as_deref(),
            Ok(url),
            "{url:?}"
        );
    }
    for url in [
        "http://evil.com/qr.png",
        "https://evil.example/v2/qris/x/qr-code",
        "https://api.sandbox.midtrans.com.evil.example/v2/qris/x/qr-code",
        "https://evil.example/api.sandbox.midtrans.com/v2/qris/x/qr-code",
        "https://api.sandbox.midtrans.com@evil.example/",
        "https://api.sandbox.midtrans.com./v2/qris/x/qr-code",
        "https://api.sandbox.midtrans.com:8443/v2/qris/x/qr-code",
        "http://api.sandbox.midtrans.com/v2/qris/x/qr-code",
        "https://api.sandbox.midtrans.com/x.png",
        "https://simulator.sandbox.midtrans.com/v2/qris/x/qr-code",
        "http://localhost.evil.example/qr.png",
        "http://127.0.0.2/qr.png",
        "http://localhost:8080/../qr.png",
        "data:image/png;base64,AAAA",
        "qr.png",
    ] {
        assert!(check_qr_image_url(url, S, origin).is_err(), "{url:?}");
    }
}

#[test]
fn errors_have_names_and_messages() {
    assert_eq!(SchemeNotAllowed.as_str(), "scheme_not_allowed");
    assert_eq!(HostNotAllowed.to_string(), "the URL's host is not allowed");
}
