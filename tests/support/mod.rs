//! Test helpers shared by the native integration tests: fixtures, and an
//! independent reading of the QR path (parse `d`, stroke it 1 module wide with
//! butt caps, rasterise, decode with rqrr) so that what is checked is what a
//! scanner sees.

#![allow(dead_code)]

use std::path::PathBuf;

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/midtrans/"
    ))
    .join(name)
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Every fixture file name.
pub fn fixture_names() -> Vec<String> {
    let dir = fixture_path("");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

type Point = (f64, f64);

/// One subpath: its points in order, and whether `z` closed it.
pub struct Subpath {
    pub points: Vec<Point>,
    pub closed: bool,
}

/// Parses an SVG path made of `M m L l H h V v Z z` commands with numbers (also
/// repeated arguments after a command) into subpaths.
pub fn parse_path(d: &str) -> Result<Vec<Subpath>, String> {
    let bytes = d.as_bytes();
    let mut i = 0;
    let mut subpaths: Vec<Subpath> = Vec::new();
    let mut cur: Vec<Point> = Vec::new();
    let mut pen: Point = (0.0, 0.0);
    let mut start: Point = (0.0, 0.0);
    let mut cmd: Option<u8> = None;

    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && (bytes[*i] == b' ' || bytes[*i] == b',') {
            *i += 1;
        }
    };
    // An SVG number: optional sign, digits, at most one dot (so `4.5.5` is 4.5 then .5).
    let number = |i: &mut usize| -> Result<f64, String> {
        skip_ws(i);
        let s = *i;
        if *i < bytes.len() && (bytes[*i] == b'-' || bytes[*i] == b'+') {
            *i += 1;
        }
        let mut dot = false;
        while *i < bytes.len() && (bytes[*i].is_ascii_digit() || (bytes[*i] == b'.' && !dot)) {
            dot |= bytes[*i] == b'.';
            *i += 1;
        }
        d[s..*i]
            .parse::<f64>()
            .map_err(|_| format!("bad number at {s}"))
    };
    let finish = |cur: &mut Vec<Point>, closed: bool, subpaths: &mut Vec<Subpath>| {
        if !cur.is_empty() {
            subpaths.push(Subpath {
                points: std::mem::take(cur),
                closed,
            });
        }
    };

    loop {
        skip_ws(&mut i);
        if i >= bytes.len() {
            break;
        }
        let c = bytes[i];
        if c.is_ascii_alphabetic() {
            i += 1;
            cmd = Some(c);
            if c == b'z' || c == b'Z' {
                finish(&mut cur, true, &mut subpaths);
                pen = start;
                cmd = None;
                continue;
            }
        } else if cmd.is_none() {
            return Err(format!("number without a command at {i}"));
        }
        match cmd.unwrap() {
            b'M' | b'm' => {
                let (x, y) = (number(&mut i)?, number(&mut i)?);
                finish(&mut cur, false, &mut subpaths);
                // The pen starts at the origin, so a leading `m` is absolute as the spec says.
                pen = if cmd == Some(b'm') {
                    (pen.0 + x, pen.1 + y)
                } else {
                    (x, y)
                };
                start = pen;
                cur.push(pen);
                // Further pairs after a moveto are linetos.
                cmd = Some(if cmd == Some(b'm') { b'l' } else { b'L' });
            }
            b'L' | b'l' => {
                let (x, y) = (number(&mut i)?, number(&mut i)?);
                pen = if cmd == Some(b'l') {
                    (pen.0 + x, pen.1 + y)
                } else {
                    (x, y)
                };
                cur.push(pen);
            }
            b'H' => {
                pen.0 = number(&mut i)?;
                cur.push(pen);
            }
            b'h' => {
                pen.0 += number(&mut i)?;
                cur.push(pen);
            }
            b'V' => {
                pen.1 = number(&mut i)?;
                cur.push(pen);
            }
            b'v' => {
                pen.1 += number(&mut i)?;
                cur.push(pen);
            }
            other => return Err(format!("unsupported command {:?}", other as char)),
        }
    }
    finish(&mut cur, false, &mut subpaths);
    Ok(subpaths)
}

/// Strokes the subpaths 1 module wide with butt caps on a `size` x `size`
/// grid, sampling each cell at its centre. Row-major, `true` is painted.
/// Every segment must run along a row's or column's centre line between module
/// edges: anywhere else a real renderer would paint parts of two modules.
pub fn stroke_cells(subpaths: &[Subpath], size: usize) -> Result<Vec<bool>, String> {
    let mut cells = vec![false; size * size];
    let on_grid = |v: f64| v.fract() == 0.0 && v >= 0.0 && v <= size as f64;
    let on_centre = |v: f64| v.fract() == 0.5 && v > 0.0 && v < size as f64;
    for sub in subpaths {
        let mut points = sub.points.clone();
        if sub.closed {
            points.push(points[0]);
        }
        for seg in points.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            if a == b {
                continue; // butt caps: a zero-length segment paints nothing
            }
            if a.1 == b.1 && on_centre(a.1) && on_grid(a.0) && on_grid(b.0) {
                let row = a.1 as usize;
                for col in a.0.min(b.0) as usize..a.0.max(b.0) as usize {
                    cells[row * size + col] = true;
                }
            } else if a.0 == b.0 && on_centre(a.0) && on_grid(a.1) && on_grid(b.1) {
                let col = a.0 as usize;
                for row in a.1.min(b.1) as usize..a.1.max(b.1) as usize {
                    cells[row * size + col] = true;
                }
            } else {
                return Err(format!("segment {a:?} -> {b:?} is off the module grid"));
            }
        }
    }
    Ok(cells)
}

/// The cells the QR path `d` paints on a `size` grid, drawn as every drawing of it is:
/// translated half a module down (`PATH_TRANSFORM`), stroked 1 wide with butt caps.
pub fn rasterise_path(d: &str, size: u32) -> Vec<bool> {
    assert_eq!(gopay_widget::core::qr::PATH_TRANSFORM, "translate(0 .5)");
    let mut subpaths = parse_path(d).unwrap_or_else(|e| panic!("path does not parse: {e}"));
    for p in subpaths.iter_mut().flat_map(|s| s.points.iter_mut()) {
        p.1 += 0.5;
    }
    stroke_cells(&subpaths, size as usize).unwrap_or_else(|e| panic!("{e}"))
}

/// Draws cells at `scale` pixels per module (black on white) and decodes them.
pub fn decode_cells(cells: &[bool], size: u32, scale: u32) -> Vec<String> {
    let px = size * scale;
    let img = image::GrayImage::from_fn(px, px, |x, y| {
        let cell = (y / scale) as usize * size as usize + (x / scale) as usize;
        image::Luma([if cells[cell] { 0 } else { 255 }])
    });
    let mut prepared = rqrr::PreparedImage::prepare(img);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

/// What a scanner reads from the SVG path of `payload`.
pub fn scan(svg: &gopay_widget::core::qr::QrSvg) -> Vec<String> {
    decode_cells(&rasterise_path(&svg.path, svg.size), svg.size, 4)
}

/// The payloads the QR size budgets are checked on, named: every fixture's
/// `qr_string`, then QRIS-like EMVCo text and random printable ASCII of 100,
/// 250 and 500 characters. The same list feeds the native tests and, through
/// `examples/qr_size.rs`, the comparison with the `qrcode` npm package.
pub fn qr_sample_payloads() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in fixture_names() {
        let text = fixture(&name);
        let value = gopay_widget::core::json::from_str(&text).unwrap();
        if let Some(qr) = value.get("qr_string").and_then(|v| v.as_str()) {
            out.push((name, qr.to_owned()));
        }
    }
    for len in [100, 250, 500] {
        out.push((format!("qris-like-{len}"), qris_like(len, len as u32)));
    }
    for len in [100, 250, 500] {
        out.push((format!("ascii-{len}"), printable_ascii(len, len as u32)));
    }
    out
}

/// A small deterministic generator (xorshift32), so the samples never change.
struct Xorshift(u32);

impl Xorshift {
    fn below(&mut self, n: u32) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0 % n
    }

    fn text(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len() as u32) as usize] as char)
            .collect()
    }
}

/// `len` random printable ASCII characters (space to `~`).
pub fn printable_ascii(len: usize, seed: u32) -> String {
    let alphabet: Vec<u8> = (b' '..=b'~').collect();
    Xorshift(seed.wrapping_mul(2_654_435_761) | 1).text(&alphabet, len)
}

/// A QRIS payment code of exactly `len` characters (at least 100), which
/// `qris::read` accepts: the fields of a dynamic GoPay QRIS code asking the
/// QRIS fixture's Rp789.000 (so it fits that charge), padded with the merchant's name, city, an
/// additional-data template and unreserved templates, ending in tag 63 with a
/// valid CRC.
pub fn qris_like(len: usize, seed: u32) -> String {
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";
    const MIXED: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let tlv = |tag: &str, value: &str| format!("{tag}{:02}{value}", value.len());
    let mut rng = Xorshift(seed.wrapping_mul(2_654_435_761) | 1);
    let national =
        tlv("00", "ID.CO.QRIS.WWW") + &tlv("02", &format!("ID10{}", rng.text(b"0123456789", 11)));
    let mut text = tlv("00", "01") + &tlv("01", "12");
    // GoPay's own account template, when the length leaves room for it.
    if len >= 150 {
        text += &tlv(
            "26",
            &(tlv("00", "COM.GO-JEK.WWW")
                + &tlv("01", &format!("93600914{}", rng.text(b"0123456789", 10)))),
        );
    }
    text += &tlv("51", &national);
    if len >= 150 {
        text += &tlv("52", "5814");
    }
    text += &tlv("53", "360");
    // The QRIS fixture's amount: a charge's code asks exactly its gross_amount, so a sample
    // can stand in for the fixture's qr_string.
    text += &tlv("54", "789000");
    text += &tlv("58", "ID");
    // Fill up to `len` less the CRC field: name and city (both needed, at most 25 and 15),
    // then an additional-data template and unreserved templates of at most 99 characters.
    let fields = [
        ("59", 25),
        ("60", 15),
        ("62", 99),
        ("80", 99),
        ("81", 99),
        ("82", 99),
        ("83", 99),
        ("84", 99),
        ("85", 99),
        ("86", 99),
        ("87", 99),
        ("88", 99),
    ];
    let mut left = len
        .checked_sub(text.len() + 8 + 10)
        .expect("len leaves room for a name, a city and the CRC")
        + 10;
    for (tag, cap) in fields {
        if left == 0 {
            break;
        }
        assert!(left >= 5, "{len}: a field needs at least 5 characters");
        // Leave room for the city after the name, and either nothing or room for another
        // field after the rest.
        let room = if tag == "59" { left - 5 } else { left };
        let mut value = (room - 4).min(cap);
        if (1..5).contains(&(left - 4 - value)) {
            value -= 5;
        }
        let alphabet = if tag == "59" || tag == "60" {
            UPPER
        } else {
            MIXED
        };
        let body = if tag == "62" {
            // A template: its value is data objects in turn (a bill number here).
            if value < 4 {
                continue;
            }
            tlv("01", &rng.text(alphabet, value - 4))
        } else {
            rng.text(alphabet, value)
        };
        text += &tlv(tag, &body);
        left -= 4 + value;
    }
    assert_eq!(left, 0, "{len} is too long for the fields");
    text += "6304";
    let crc = gopay_widget::core::qris::crc16(text.as_bytes());
    text + &format!("{crc:04X}")
}

/// One of each code a charge or its plan can be refused with. The match makes a new
/// `ErrorCode` variant fail to compile until it is listed here, so every test that walks this
/// list covers it.
pub fn every_error_code() -> Vec<gopay_widget::core::charge::ErrorCode> {
    use gopay_widget::core::charge::ErrorCode::*;
    use gopay_widget::core::qris::QrisError;
    let listed = vec![
        InvalidJson,
        DuplicateKey,
        InputTooLarge,
        MissingCharge,
        NotAnObject,
        MissingField,
        WrongType,
        InvalidField,
        InvalidAmount,
        InvalidTime,
        UnsupportedPaymentType,
        UnsupportedCurrency,
        NoPaymentMethod,
        UrlNotAllowed,
        ChargeNotPending,
        MidtransError { status_code: 401 },
        Qris(QrisError::Malformed),
        Qris(QrisError::CrcMismatch),
        Qris(QrisError::NotPayment),
        Qris(QrisError::InvalidField),
        Qris(QrisError::TipOrFee),
        QrisAmountMismatch,
    ];
    for code in &listed {
        match code {
            InvalidJson
            | DuplicateKey
            | InputTooLarge
            | MissingCharge
            | NotAnObject
            | MissingField
            | WrongType
            | InvalidField
            | InvalidAmount
            | InvalidTime
            | UnsupportedPaymentType
            | UnsupportedCurrency
            | NoPaymentMethod
            | UrlNotAllowed
            | ChargeNotPending
            | MidtransError { .. }
            | Qris(
                QrisError::Malformed
                | QrisError::CrcMismatch
                | QrisError::NotPayment
                | QrisError::InvalidField
                | QrisError::TipOrFee,
            )
            | QrisAmountMismatch => {}
        }
    }
    listed
}
