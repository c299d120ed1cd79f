//! The URL splitter: absolute `scheme://host[:port]path?query#fragment` URLs in plain
//! ASCII, split without guessing; anything a browser might read differently is refused.

use super::{DeeplinkError, MAX_URL_LEN};

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
pub(super) fn split_scheme(url: &str) -> Result<(&str, &str), DeeplinkError> {
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
pub(super) fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|seg| {
        let seg = seg.to_ascii_lowercase().replace("%2e", ".");
        seg == "." || seg == ".."
    })
}

/// `path` is `prefix` itself or lies under it.
pub(super) fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|after| after.is_empty() || after.starts_with('/'))
}

pub(super) fn is_web(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")
}

pub(super) fn default_port(scheme: &str) -> Option<u16> {
    if scheme.eq_ignore_ascii_case("https") {
        Some(443)
    } else if scheme.eq_ignore_ascii_case("http") {
        Some(80)
    } else {
        None
    }
}
