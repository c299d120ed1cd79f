//! Which URLs from a charge the widget may follow or load.
//!
//! The charge is input and input can be hostile: a deeplink is put in an `href`
//! and a QR image URL in an `src`, so both are checked against an allowlist
//! before the view sees them. The URL splitter below is deliberately narrow: it
//! only understands absolute `scheme://host[:port]/path?query#fragment` URLs in
//! plain ASCII, and refuses everything a browser might read differently
//! (backslashes, whitespace, userinfo, percent-encoded hosts, empty labels).

use std::fmt;

/// Longest URL considered at all.
pub const MAX_URL_LEN: usize = 4096;

/// Production https hosts and the path each deeplink must stay under.
const PRODUCTION_HTTPS: &[(&str, &str)] = &[("gojek.link", "/gopay"), ("gopay.co.id", "/app")];
const SANDBOX_SIMULATOR_HOST: &str = "simulator.sandbox.midtrans.com";
const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// Midtrans environment of the charge (`data-environment`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Environment {
    /// Not named (no `data-environment`, or a value that is neither): the charge's own URLs
    /// decide, see [`Allowlist::for_charge`]. The URL checks read it as production.
    #[default]
    Unset,
    Production,
    /// Also admits the Midtrans simulator, the page's own origin and loopback hosts.
    Sandbox,
}

impl Environment {
    /// `"production"` or `"sandbox"`, case-insensitive, surrounding spaces ignored.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("production") {
            Some(Environment::Production)
        } else if s.eq_ignore_ascii_case("sandbox") {
            Some(Environment::Sandbox)
        } else {
            None
        }
    }

    /// The attribute's value; empty for [`Environment::Unset`], which no value spells.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Unset => "",
            Environment::Production => "production",
            Environment::Sandbox => "sandbox",
        }
    }
}

/// The hosts the URL checks admit, once the environment is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Allowlist {
    /// Midtrans' production shapes only.
    Production,
    /// Also Midtrans' own sandbox hosts (`simulator.sandbox.midtrans.com` for deeplinks,
    /// `api.sandbox.midtrans.com` for QR images): a charge recognised as a sandbox one, the
    /// page naming no environment. The page's origin and loopback still need `sandbox`.
    MidtransSandbox,
    /// Also the page's own origin and loopback hosts: `sandbox`, named by the page.
    Sandbox,
}

impl From<Environment> for Allowlist {
    fn from(env: Environment) -> Allowlist {
        match env {
            Environment::Unset | Environment::Production => Allowlist::Production,
            Environment::Sandbox => Allowlist::Sandbox,
        }
    }
}

impl Allowlist {
    /// The allowlist for a charge whose URLs the widget would follow (its deeplink and QR
    /// image) are `urls`: the environment the page named; when it named none, a sandbox
    /// charge ([`is_sandbox_charge`]: made with a sandbox key, every URL on Midtrans' sandbox
    /// hosts) also gets those hosts. They serve only sandbox payments, so recognising one
    /// widens the allowlist by Midtrans' own hosts and nothing else.
    pub fn for_charge<'a>(env: Environment, urls: impl IntoIterator<Item = &'a str>) -> Allowlist {
        match env {
            Environment::Unset if is_sandbox_charge(urls) => Allowlist::MidtransSandbox,
            env => env.into(),
        }
    }

    fn sandbox_hosts(self) -> bool {
        self != Allowlist::Production
    }

    fn local(self) -> bool {
        self == Allowlist::Sandbox
    }
}

/// `url` is on one of Midtrans' sandbox hosts (exactly, any case; nothing else is read).
pub fn is_sandbox_host(url: &str) -> bool {
    split_url(url).is_ok_and(|p| {
        [SANDBOX_SIMULATOR_HOST, SANDBOX_QR_HOST]
            .iter()
            .any(|h| p.host.eq_ignore_ascii_case(h))
    })
}

/// A charge made with a Midtrans sandbox key: it has URLs, and every one is on a Midtrans
/// sandbox host.
pub fn is_sandbox_charge<'a>(urls: impl IntoIterator<Item = &'a str>) -> bool {
    let mut any = false;
    for url in urls {
        if !is_sandbox_host(url) {
            return false;
        }
        any = true;
    }
    any
}

/// Why a URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeeplinkError {
    Empty,
    TooLong,
    /// Whitespace, control, non-ASCII characters or a backslash.
    BadCharacter,
    /// Relative or protocol-relative.
    NotAbsolute,
    SchemeNotAllowed,
    /// Not `scheme://host[:port]...`, or with userinfo, a bad host or port.
    Malformed,
    HostNotAllowed,
    PathNotAllowed,
}

impl DeeplinkError {
    /// Stable snake_case name, for logs and tests.
    pub fn as_str(self) -> &'static str {
        match self {
            DeeplinkError::Empty => "empty",
            DeeplinkError::TooLong => "too_long",
            DeeplinkError::BadCharacter => "bad_character",
            DeeplinkError::NotAbsolute => "not_absolute",
            DeeplinkError::SchemeNotAllowed => "scheme_not_allowed",
            DeeplinkError::Malformed => "malformed",
            DeeplinkError::HostNotAllowed => "host_not_allowed",
            DeeplinkError::PathNotAllowed => "path_not_allowed",
        }
    }
}

impl fmt::Display for DeeplinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeeplinkError::Empty => "the URL is empty",
            DeeplinkError::TooLong => "the URL is too long",
            DeeplinkError::BadCharacter => {
                "the URL contains whitespace, control, non-ASCII characters or a backslash"
            }
            DeeplinkError::NotAbsolute => "the URL is not absolute",
            DeeplinkError::SchemeNotAllowed => "the URL's scheme is not allowed",
            DeeplinkError::Malformed => "the URL is malformed",
            DeeplinkError::HostNotAllowed => "the URL's host is not allowed",
            DeeplinkError::PathNotAllowed => "the URL's path is not allowed",
        })
    }
}

impl std::error::Error for DeeplinkError {}

/// The parts of an absolute hierarchical URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// As written; compare case-insensitively.
    pub scheme: &'a str,
    /// A DNS-style name, a dotted IPv4 address or a bracketed IPv6 address, as written.
    pub host: &'a str,
    pub port: Option<u16>,
    /// From the end of the authority to `?`, `#` or the end; empty or starting with `/`.
    pub path: &'a str,
    /// `?query#fragment`, possibly empty.
    pub rest: &'a str,
}

/// Splits `scheme://host[:port]path?query#fragment`, refusing anything ambiguous.
pub fn split_url(url: &str) -> Result<UrlParts<'_>, DeeplinkError> {
    let (scheme, after) = split_scheme(url)?;
    let hier = after.strip_prefix("//").ok_or(DeeplinkError::Malformed)?;
    let auth_end = hier.find(['/', '?', '#']).unwrap_or(hier.len());
    let (authority, tail) = hier.split_at(auth_end);
    let (host, port) = split_authority(authority)?;
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    let (path, rest) = tail.split_at(path_end);
    Ok(UrlParts {
        scheme,
        host,
        port,
        path,
        rest,
    })
}

/// Checks the characters and splits off the scheme: `("https", "//host/...")`.
fn split_scheme(url: &str) -> Result<(&str, &str), DeeplinkError> {
    if url.is_empty() {
        return Err(DeeplinkError::Empty);
    }
    if url.len() > MAX_URL_LEN {
        return Err(DeeplinkError::TooLong);
    }
    // Browsers strip tabs and newlines anywhere and treat `\` as `/` in web URLs:
    // refusing them keeps what is checked identical to what is followed.
    if url
        .bytes()
        .any(|b| !(0x21..=0x7e).contains(&b) || b == b'\\')
    {
        return Err(DeeplinkError::BadCharacter);
    }
    let (scheme, after) = url.split_once(':').ok_or(DeeplinkError::NotAbsolute)?;
    let mut chars = scheme.bytes();
    let valid = chars.next().is_some_and(|b| b.is_ascii_alphabetic())
        && chars.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if valid {
        Ok((scheme, after))
    } else {
        Err(DeeplinkError::NotAbsolute)
    }
}

fn split_authority(authority: &str) -> Result<(&str, Option<u16>), DeeplinkError> {
    if authority.contains('@') {
        return Err(DeeplinkError::Malformed);
    }
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']').ok_or(DeeplinkError::Malformed)?;
        let (host, after) = authority.split_at(close + 1);
        let inner = &host[1..host.len() - 1];
        let ipv6 = !inner.is_empty()
            && inner.contains(':')
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
        if !ipv6 {
            return Err(DeeplinkError::Malformed);
        }
        match after {
            "" => (host, None),
            _ => (
                host,
                Some(after.strip_prefix(':').ok_or(DeeplinkError::Malformed)?),
            ),
        }
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let name = !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !name {
            return Err(DeeplinkError::Malformed);
        }
        (host, port)
    };
    let port = match port {
        None => None,
        Some(p) if (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().map_err(|_| DeeplinkError::Malformed)?)
        }
        Some(_) => return Err(DeeplinkError::Malformed),
    };
    Ok((host, port))
}

/// `.` and `..` segments (also percent-encoded) let a path escape an allowed prefix.
fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|seg| {
        let seg = seg.to_ascii_lowercase().replace("%2e", ".");
        seg == "." || seg == ".."
    })
}

/// `path` is `prefix` itself or lies under it.
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|after| after.is_empty() || after.starts_with('/'))
}

fn is_web(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")
}

fn default_port(scheme: &str) -> Option<u16> {
    if scheme.eq_ignore_ascii_case("https") {
        Some(443)
    } else if scheme.eq_ignore_ascii_case("http") {
        Some(80)
    } else {
        None
    }
}

/// `localhost`, `127.0.0.1` or `[::1]`, exactly (no other spelling of loopback).
pub fn is_loopback_host(host: &str) -> bool {
    LOOPBACK_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host))
}

/// `url` is http(s) on the page's own origin (`"scheme://host[:port]"`).
fn is_own_origin(url: &UrlParts<'_>, page_origin: Option<&str>) -> bool {
    let Some(origin) = page_origin.and_then(|o| split_url(o).ok()) else {
        return false;
    };
    is_web(origin.scheme)
        && (origin.path.is_empty() || origin.path == "/")
        && origin.rest.is_empty()
        && url.scheme.eq_ignore_ascii_case(origin.scheme)
        && url.host.eq_ignore_ascii_case(origin.host)
        && url.port.or(default_port(url.scheme)) == origin.port.or(default_port(origin.scheme))
}

/// The sandbox-only rule shared by deeplinks and QR images: own origin or loopback.
fn sandbox_local(url: &UrlParts<'_>, page_origin: Option<&str>) -> bool {
    is_web(url.scheme) && (is_loopback_host(url.host) || is_own_origin(url, page_origin))
}

/// Admits a deeplink from the charge, returning it unchanged.
///
/// Production: `gojek://gopay/...`, `https://gojek.link/gopay/...` and
/// `https://gopay.co.id/app/...` (exact hosts, no port). A recognised sandbox charge
/// ([`Allowlist::MidtransSandbox`]) also admits `https://simulator.sandbox.midtrans.com/...`;
/// sandbox, that too, the page's own origin and http(s) on `localhost`, `127.0.0.1` or
/// `[::1]` at any port.
pub fn check_deeplink(
    url: &str,
    allow: impl Into<Allowlist>,
    page_origin: Option<&str>,
) -> Result<String, DeeplinkError> {
    let (scheme, _) = split_scheme(url)?;
    let allow = allow.into();
    let gojek = scheme.eq_ignore_ascii_case("gojek");
    if !(gojek || scheme.eq_ignore_ascii_case("https") || allow.local() && is_web(scheme)) {
        return Err(DeeplinkError::SchemeNotAllowed);
    }
    let parts = split_url(url)?;
    if has_dot_segment(parts.path) {
        return Err(DeeplinkError::PathNotAllowed);
    }
    if allow.local() && sandbox_local(&parts, page_origin) {
        return Ok(url.to_owned());
    }
    if gojek {
        if !parts.host.eq_ignore_ascii_case("gopay") || parts.port.is_some() {
            return Err(DeeplinkError::HostNotAllowed);
        }
        return if parts.path.starts_with('/') {
            Ok(url.to_owned())
        } else {
            Err(DeeplinkError::PathNotAllowed)
        };
    }
    if !parts.scheme.eq_ignore_ascii_case("https") {
        // Plain http beyond the sandbox's own origin and loopback.
        return Err(DeeplinkError::SchemeNotAllowed);
    }
    if parts.port.is_some() {
        return Err(DeeplinkError::HostNotAllowed);
    }
    if allow.sandbox_hosts() && parts.host.eq_ignore_ascii_case(SANDBOX_SIMULATOR_HOST) {
        return Ok(url.to_owned());
    }
    let prefix = PRODUCTION_HTTPS
        .iter()
        .find(|(host, _)| parts.host.eq_ignore_ascii_case(host))
        .map(|&(_, prefix)| prefix)
        .ok_or(DeeplinkError::HostNotAllowed)?;
    if under(parts.path, prefix) {
        Ok(url.to_owned())
    } else {
        Err(DeeplinkError::PathNotAllowed)
    }
}

/// Midtrans' API host that serves the QR PNGs of production charges.
const PRODUCTION_QR_HOST: &str = "api.midtrans.com";
/// The sandbox API host; admitted for QR images of sandbox charges only.
const SANDBOX_QR_HOST: &str = "api.sandbox.midtrans.com";
/// The charge kinds whose `generate-qr-code(-v2)` actions point at `/v2/{kind}/{id}/qr-code`.
const QR_PATH_KINDS: &[&str] = &["gopay", "qris"];

/// `/v2/gopay/{id}/qr-code` or `/v2/qris/{id}/qr-code`, with one non-empty id segment.
fn is_qr_code_path(path: &str) -> bool {
    let mut segments = path.split('/');
    segments.next() == Some("")
        && segments.next() == Some("v2")
        && segments
            .next()
            .is_some_and(|kind| QR_PATH_KINDS.contains(&kind))
        && segments.next().is_some_and(|id| !id.is_empty())
        && segments.next() == Some("qr-code")
        && segments.next().is_none()
}

/// Admits a QR image URL from the charge, returning it unchanged.
///
/// Production: only `https://api.midtrans.com/v2/{gopay|qris}/{id}/qr-code` (exact host, no
/// port), the shape of Midtrans' `generate-qr-code` and `generate-qr-code-v2` actions: a QR
/// from anywhere else could pay someone else. A recognised sandbox charge also admits the
/// same path on `https://api.sandbox.midtrans.com`; sandbox, that too, and any http(s) URL on
/// the page's own origin or a loopback host (local simulators).
pub fn check_qr_image_url(
    url: &str,
    allow: impl Into<Allowlist>,
    page_origin: Option<&str>,
) -> Result<String, DeeplinkError> {
    admit_qr_image(url, allow.into(), page_origin).map(|_| url.to_owned())
}

/// As [`check_qr_image_url`], for the charge of transaction `transaction_id`: on Midtrans' QR
/// hosts the path names the transaction (`/v2/{kind}/{id}/qr-code`), and another
/// transaction's QR would take the shopper's money for someone else's order. The id is
/// compared without regard to case (transaction ids are UUIDs). A local sandbox URL (a
/// simulator on the page's origin or loopback) is not Midtrans' and names nothing.
pub fn check_qr_image_of(
    url: &str,
    allow: impl Into<Allowlist>,
    page_origin: Option<&str>,
    transaction_id: &str,
) -> Result<String, DeeplinkError> {
    let parts = admit_qr_image(url, allow.into(), page_origin)?;
    let midtrans = parts.host.eq_ignore_ascii_case(PRODUCTION_QR_HOST)
        || parts.host.eq_ignore_ascii_case(SANDBOX_QR_HOST);
    let named = parts
        .path
        .split('/')
        .nth(3)
        .is_some_and(|id| id.eq_ignore_ascii_case(transaction_id));
    if midtrans && !named {
        return Err(DeeplinkError::PathNotAllowed);
    }
    Ok(url.to_owned())
}

/// The QR image allowlist; the URL's parts when it is admitted.
fn admit_qr_image<'a>(
    url: &'a str,
    allow: Allowlist,
    page_origin: Option<&str>,
) -> Result<UrlParts<'a>, DeeplinkError> {
    let (scheme, _) = split_scheme(url)?;
    if !(scheme.eq_ignore_ascii_case("https") || allow.local() && is_web(scheme)) {
        return Err(DeeplinkError::SchemeNotAllowed);
    }
    let parts = split_url(url)?;
    if has_dot_segment(parts.path) {
        return Err(DeeplinkError::PathNotAllowed);
    }
    if allow.local() && sandbox_local(&parts, page_origin) {
        return Ok(parts);
    }
    if !parts.scheme.eq_ignore_ascii_case("https") {
        return Err(DeeplinkError::SchemeNotAllowed);
    }
    let host_ok = parts.host.eq_ignore_ascii_case(PRODUCTION_QR_HOST)
        || allow.sandbox_hosts() && parts.host.eq_ignore_ascii_case(SANDBOX_QR_HOST);
    if !host_ok || parts.port.is_some() {
        return Err(DeeplinkError::HostNotAllowed);
    }
    if is_qr_code_path(parts.path) {
        Ok(parts)
    } else {
        Err(DeeplinkError::PathNotAllowed)
    }
}

#[cfg(test)]
mod tests {
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
}
