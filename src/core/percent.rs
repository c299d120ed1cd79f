//! Percent-encoding, one codec for both of the widget's uses: the order id put into the
//! status URL template, and the values of the snapshot saved for a reload.

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// The bytes written as they are: the browser's `encodeURIComponent` set. None of them is
/// `&`, `=` or `%`, so an encoded value is also safe inside the snapshot's `key=value` text.
fn unescaped(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b)
}

/// As the browser's `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`
/// percent-encoded as UTF-8.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if unescaped(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// Reads what [`encode`] writes: `%XX` escapes (either case) and the characters it leaves as
/// they are. Anything else (a bare `%`, a space, `&`) or bytes that are not UTF-8: `None`.
pub fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else if unescaped(b) {
            out.push(b);
            i += 1;
        } else {
            return None;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_encode_uri_component() {
        assert_eq!(
            encode("a b/c?d&e=é~*'()!"),
            "a%20b%2Fc%3Fd%26e%3D%C3%A9~*'()!"
        );
        assert_eq!(encode("A&B=C D"), "A%26B%3DC%20D");
        assert_eq!(encode("100%"), "100%25");
    }

    #[test]
    fn decodes_only_what_it_could_have_written() {
        assert_eq!(decode("%41%42"), Some("AB".into()));
        assert_eq!(decode("%c3%a9"), Some("é".into()));
        // Escaped characters that need none read the same.
        assert_eq!(decode("%21%7E"), Some("!~".into()));
        assert_eq!(decode("%4"), None);
        assert_eq!(decode("%4g"), None);
        assert_eq!(decode("a b"), None);
        assert_eq!(decode("a&b"), None);
        assert_eq!(decode("é"), None);
        assert_eq!(decode("%FF"), None, "not UTF-8");
        for s in ["", "INV-1", "a b/c?d&e=é~*'()!", "%", "\u{0}\u{10ffff}"] {
            assert_eq!(decode(&encode(s)).as_deref(), Some(s), "{s:?}");
        }
    }
}
