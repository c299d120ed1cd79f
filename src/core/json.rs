//! The one JSON reader for untrusted input (the charge and status replies), natively and in wasm.
//!
//! The widget never trusts the shape of what the merchant page hands it, so the
//! text is first read into this small value type and then checked field by field
//! by the parsers in `charge` and `status`. The same code runs in the browser and
//! in the native tests, so what the tests certify is what ships. Its rules:
//! - strict JSON (RFC 8259): no comments, no trailing commas, no leading zeros,
//!   only space, tab, CR and LF as whitespace, control characters escaped;
//! - a key repeated in one object is an error ([`JsonError::DuplicateKey`]):
//!   readers disagree on which value wins, so an ambiguous charge is refused;
//! - keys stay in input order;
//! - nesting deeper than [`MAX_DEPTH`] is still checked but not kept: it becomes
//!   [`Value::TooDeep`]. The reader never recurses, so hostile nesting cannot
//!   exhaust the stack;
//! - a number is kept as the nearest `f64` for integers below 2^53 and for
//!   decimals with up to 22 digits after the point; other numbers are close, not
//!   exact (the widget only reads whole amounts and status codes);
//! - a lone UTF-16 surrogate in an escape becomes U+FFFD.
//!
//! Callers cap the text's length before reading.

/// Deepest nesting kept; the charge and status shapes need three levels.
pub const MAX_DEPTH: usize = 8;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    /// Keys in input order, each once.
    Object(Vec<(String, Value)>),
    /// Nested deeper than [`MAX_DEPTH`]; its content was checked and skipped.
    TooDeep,
}

/// Why a text is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON.
    Syntax,
    /// An object names the same key twice.
    DuplicateKey,
}

impl Value {
    /// The value of `key` when `self` is an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A short name of the JSON type, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::TooDeep => "deeply nested value",
        }
    }
}

/// An open array or object while reading.
enum Open {
    Array(Vec<Value>),
    /// The entries so far and the key whose value is being read.
    Object(Vec<(String, Value)>, String),
    /// Deeper than [`MAX_DEPTH`]: only checked.
    Skipped {
        object: bool,
    },
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// Reads a JSON text into a [`Value`].
pub fn from_str(text: &str) -> Result<Value, JsonError> {
    let mut r = Reader {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let value = r.document()?;
    r.space();
    if r.pos == r.bytes.len() {
        Ok(value)
    } else {
        Err(JsonError::Syntax)
    }
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.space();
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), JsonError> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(JsonError::Syntax)
        }
    }

    /// One whole value, with an explicit stack of the arrays and objects still open.
    fn document(&mut self) -> Result<Value, JsonError> {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            // Read a value: a scalar, or the start of a container.
            self.space();
            let keep = stack.len() <= MAX_DEPTH;
            let mut value = match self.peek().ok_or(JsonError::Syntax)? {
                b'[' | b'{' => {
                    let object = self.peek() == Some(b'{');
                    self.pos += 1;
                    let empty = self.eat(if object { b'}' } else { b']' });
                    match (keep, empty, object) {
                        (false, true, _) => Value::TooDeep,
                        (true, true, true) => Value::Object(Vec::new()),
                        (true, true, false) => Value::Array(Vec::new()),
                        (false, false, _) => {
                            stack.push(Open::Skipped { object });
                            if object {
                                self.key()?;
                            }
                            continue;
                        }
                        (true, false, true) => {
                            let key = self.key()?;
                            stack.push(Open::Object(Vec::new(), key));
                            continue;
                        }
                        (true, false, false) => {
                            stack.push(Open::Array(Vec::new()));
                            continue;
                        }
                    }
                }
                b'"' => Value::String(self.string()?),
                b't' => self.literal(b"true").map(|_| Value::Bool(true))?,
                b'f' => self.literal(b"false").map(|_| Value::Bool(false))?,
                b'n' => self.literal(b"null").map(|_| Value::Null)?,
                _ => Value::Number(self.number()?),
            };
            // Every kind of value below the cut, scalars too, is checked and not kept.
            if !keep {
                value = Value::TooDeep;
            }
            // Hand the value to the innermost open container; close those that end here.
            loop {
                let Some(top) = stack.last_mut() else {
                    return Ok(value);
                };
                let object = match top {
                    Open::Array(items) => {
                        items.push(value);
                        false
                    }
                    Open::Object(entries, key) => {
                        let key = std::mem::take(key);
                        if entries.iter().any(|(k, _)| *k == key) {
                            return Err(JsonError::DuplicateKey);
                        }
                        entries.push((key, value));
                        true
                    }
                    Open::Skipped { object } => *object,
                };
                if self.eat(b',') {
                    if object {
                        let key = self.key()?;
                        if let Some(Open::Object(_, slot)) = stack.last_mut() {
                            *slot = key;
                        }
                    }
                    break;
                }
                if !self.eat(if object { b'}' } else { b']' }) {
                    return Err(JsonError::Syntax);
                }
                value = match stack.pop() {
                    Some(Open::Array(items)) => Value::Array(items),
                    Some(Open::Object(entries, _)) => Value::Object(entries),
                    _ => Value::TooDeep,
                };
            }
        }
    }

    /// `"key" :` inside an object.
    fn key(&mut self) -> Result<String, JsonError> {
        self.space();
        if self.peek() != Some(b'"') {
            return Err(JsonError::Syntax);
        }
        let key = self.string()?;
        if self.eat(b':') {
            Ok(key)
        } else {
            Err(JsonError::Syntax)
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // the opening quote
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            let b = self.peek().ok_or(JsonError::Syntax)?;
            match b {
                b'"' | b'\\' => {
                    // The text is UTF-8 and runs break only at ASCII bytes.
                    out.push_str(std::str::from_utf8(&self.bytes[run..self.pos]).unwrap_or(""));
                    self.pos += 1;
                    if b == b'"' {
                        return Ok(out);
                    }
                    self.escape(&mut out)?;
                    run = self.pos;
                }
                0..=0x1f => return Err(JsonError::Syntax),
                _ => self.pos += 1,
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let b = self.peek().ok_or(JsonError::Syntax)?;
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                let mut code = u32::from(hi);
                if (0xD800..0xDC00).contains(&hi) && self.bytes[self.pos..].starts_with(b"\\u") {
                    let at = self.pos;
                    self.pos += 2;
                    let lo = self.hex4()?;
                    if (0xDC00..0xE000).contains(&lo) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (u32::from(lo) - 0xDC00);
                    } else {
                        // Not a pair: the second escape is read on its own.
                        self.pos = at;
                    }
                }
                char::from_u32(code).unwrap_or('\u{FFFD}')
            }
            _ => return Err(JsonError::Syntax),
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, JsonError> {
        let mut v = 0u16;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(JsonError::Syntax),
            };
            v = v << 4 | u16::from(d);
            self.pos += 1;
        }
        Ok(v)
    }

    fn digits(&mut self, mut each: impl FnMut(u8)) -> usize {
        let start = self.pos;
        while let Some(b @ b'0'..=b'9') = self.peek() {
            each(b - b'0');
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?` as an `f64`.
    fn number(&mut self) -> Result<f64, JsonError> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        // Up to 19 significant digits in `mantissa`; `scale` is the power of ten it lacks.
        let mut mantissa: u64 = 0;
        let mut scale: i64 = 0;
        let mut take = |d: u8, fraction: bool| {
            if mantissa < 1_000_000_000_000_000_000 {
                mantissa = mantissa * 10 + u64::from(d);
                scale -= i64::from(fraction);
            } else {
                scale += i64::from(!fraction);
            }
        };
        let leading_zero = self.peek() == Some(b'0');
        let whole = self.digits(|d| take(d, false));
        if whole == 0 || (leading_zero && whole > 1) {
            return Err(JsonError::Syntax);
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits(|d| take(d, true)) == 0 {
                return Err(JsonError::Syntax);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            let minus = self.peek() == Some(b'-');
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            let mut exp: i64 = 0;
            if self.digits(|d| exp = (exp * 10 + i64::from(d)).min(100_000)) == 0 {
                return Err(JsonError::Syntax);
            }
            scale += if minus { -exp } else { exp };
        }
        let m = mantissa as f64;
        let value = match scale {
            0 => m,
            // One exact power of ten: the division or product is correctly rounded.
            1..=22 => m * 10f64.powi(scale as i32),
            -22..=-1 => m / 10f64.powi(-scale as i32),
            _ if mantissa == 0 => 0.0,
            // In two halves: 10^-309 and below is 0 as one power (10^309 overflows), though
            // the product with 19 digits may still be a normal number.
            _ => {
                let s = scale.clamp(-400, 400) as i32;
                m * 10f64.powi(s / 2) * 10f64.powi(s - s / 2)
            }
        };
        Ok(if negative { -value } else { value })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn reads_objects_arrays_and_scalars() {
        let v =
            from_str(r#" {"a":"x","b":[1,true,null,false],"c":{"d":2.5},"e":[],"f":{}} "#).unwrap();
        assert_eq!(v.get("a").and_then(Value::as_str), Some("x"));
        assert_eq!(
            v.get("b").and_then(Value::as_array),
            Some(
                &[
                    Value::Number(1.0),
                    Value::Bool(true),
                    Value::Null,
                    Value::Bool(false)
                ][..]
            )
        );
        assert_eq!(
            v.get("c").and_then(|c| c.get("d")),
            Some(&Value::Number(2.5))
        );
        assert_eq!(v.get("e"), Some(&Value::Array(vec![])));
        assert_eq!(v.get("f"), Some(&Value::Object(vec![])));
        assert_eq!(v.get("missing"), None);
    }

    #[test]
    fn keys_keep_their_order() {
        let v = from_str(r#"{"b":1,"2":2,"a":3,"1":4}"#).unwrap();
        let Value::Object(entries) = v else { panic!() };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "2", "a", "1"]);
    }

    #[test]
    fn a_repeated_key_is_refused_at_any_kept_depth() {
        for text in [
            r#"{"a":1,"a":1}"#,
            r#"{"a":1,"b":2,"a":3}"#,
            r#"{"x":{"status":"pending","status":"settlement"}}"#,
            r#"[{"k":[],"k":{}}]"#,
        ] {
            assert_eq!(from_str(text), Err(JsonError::DuplicateKey), "{text}");
        }
        // The same key in sibling objects is fine.
        assert!(from_str(r#"[{"a":1},{"a":2}]"#).is_ok());
    }

    #[test]
    fn strings_and_escapes() {
        let v = from_str(r#""a\"\\\/\b\f\n\r\t\u00e9\u20AC\ud83d\ude00 é""#).unwrap();
        assert_eq!(v, Value::String("a\"\\/\u{8}\u{c}\n\r\t\u{e9}€😀 é".into()));
        // Lone surrogates become U+FFFD, and the escape after one is still read.
        assert_eq!(
            from_str(r#""\ud800\u0041\udc00""#).unwrap(),
            Value::String("\u{FFFD}A\u{FFFD}".into())
        );
    }

    #[test]
    fn numbers() {
        for (text, n) in [
            ("0", 0.0),
            ("-0", -0.0),
            ("275000", 275000.0),
            ("275000.00", 275000.0),
            ("2.5", 2.5),
            ("0.1", 0.1),
            ("1e3", 1000.0),
            ("1E+3", 1000.0),
            ("15e-1", 1.5),
            ("9007199254740991", 9007199254740991.0),
            ("1e400", f64::INFINITY),
            ("1e-400", 0.0),
        ] {
            assert_eq!(from_str(text), Ok(Value::Number(n)), "{text}");
        }
        // Beyond 19 significant digits the value is close, not exact.
        let Ok(Value::Number(n)) = from_str("123456789012345678901234") else {
            panic!()
        };
        assert!((n / 1.2345678901234568e23 - 1.0).abs() < 1e-15, "{n}");
        // Digits far below the point, beyond what one power of ten reaches (found by fuzzing).
        let tiny = format!("-0.{}8584143870908817", "0".repeat(296));
        for (text, want) in [(tiny.as_str(), -8.584143870908817e-297), ("1e-310", 1e-310)] {
            let Ok(Value::Number(n)) = from_str(text) else {
                panic!("{text}")
            };
            assert!((n / want - 1.0).abs() < 1e-9, "{text} read as {n}");
        }
        for bad in [
            "01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "Infinity", "1.e2",
        ] {
            assert_eq!(from_str(bad), Err(JsonError::Syntax), "{bad}");
        }
    }

    #[test]
    fn deep_nesting_is_checked_and_cut_not_recursed() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let v = from_str(&deep).unwrap();
        let mut depth = 0;
        let mut cur = &v;
        while let Value::Array(items) = cur {
            depth += 1;
            cur = &items[0];
        }
        assert_eq!(cur, &Value::TooDeep);
        assert_eq!(depth, MAX_DEPTH + 1);
        let objects = format!("{}1{}", r#"{"a":"#.repeat(50_000), "}".repeat(50_000));
        assert!(from_str(&objects).is_ok());
        // Below the cut the text must still be JSON.
        let broken = format!("{}1,]{}", "[".repeat(20), "]".repeat(19));
        assert_eq!(from_str(&broken), Err(JsonError::Syntax));
        let unbalanced = format!("{}{}", "[".repeat(20), "]".repeat(19));
        assert_eq!(from_str(&unbalanced), Err(JsonError::Syntax));
    }

    #[test]
    fn every_value_below_the_cut_is_too_deep() {
        // A value inside MAX_DEPTH + 1 containers, whatever its kind (found by fuzzing:
        // numbers, booleans and null were kept there).
        for scalar in ["0", "true", "false", "null", "\"s\"", "[]", "{}"] {
            let open = "[".repeat(MAX_DEPTH + 1);
            let close = "]".repeat(MAX_DEPTH + 1);
            let mut cur = &from_str(&format!("{open}{scalar}{close}")).unwrap();
            for _ in 0..=MAX_DEPTH {
                cur = &cur.as_array().unwrap()[0];
            }
            assert_eq!(cur, &Value::TooDeep, "{scalar}");
        }
    }

    #[test]
    fn rejects_non_json() {
        for bad in [
            "",
            " ",
            "not json",
            "{\"a\":1} trailing",
            "{\"a\":1,}",
            "[1,]",
            "[1 2]",
            "{a:1}",
            "{\"a\" 1}",
            "{'a':1}",
            "\"tab\there\"",
            "\"open",
            "\"\\x\"",
            "\"\\u12\"",
            "[",
            "{",
            "{\"a\":}",
            "tru",
            "nul",
            "// c\n1",
            "\u{a0}1",
        ] {
            assert_eq!(from_str(bad), Err(JsonError::Syntax), "{bad:?}");
        }
    }
}
