//! Which URLs from a charge the widget may follow or load.
//!
//! The charge is input and input can be hostile: a deeplink is put in an `href`
//! and a QR image URL in an `src`, so both are checked against an allowlist
//! before the view sees them. The URL splitter (`url.rs`) is deliberately narrow: it
//! only understands absolute `scheme://host[:port]/path?query#fragment` URLs in
//! plain ASCII, and refuses everything a browser might read differently
//! (backslashes, whitespace, userinfo, percent-encoded hosts, empty labels).

#[cfg(test)]
mod tests;
mod url;

pub use url::{split_url, UrlParts};

use std::fmt;
use url::{default_port, has_dot_segment, is_web, split_scheme, under};

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

/// `url` is http(s) on one of Midtrans' sandbox hosts (exactly, any case; nothing else is
/// read). Only a web URL's host is read case-insensitively by a browser.
pub fn is_sandbox_host(url: &str) -> bool {
    split_url(url).is_ok_and(|p| {
        is_web(p.scheme)
            && [SANDBOX_SIMULATOR_HOST, SANDBOX_QR_HOST]
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
