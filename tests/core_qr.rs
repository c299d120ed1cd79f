//! The QR path, read back the way a scanner would: parse `d`, stroke, rasterise, decode.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use gopay_widget::core::json;
use gopay_widget::core::qr::{
    qr_modules, qr_svg, qr_svg_plain, shortest_stroke_path_len, QrError, QUIET_ZONE,
};
use gopay_widget::core::qris;
use support::{decode_cells, fixture, qr_sample_payloads, qris_like, rasterise_path, scan};

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/qris-charge-docs-shape.svg"
);

fn fixture_qr_string() -> String {
    let v = json::from_str(&fixture("qris-charge-docs-shape.json")).unwrap();
    v.get("qr_string")
        .and_then(|s| s.as_str())
        .unwrap()
        .to_owned()
}

/// The path the `qrcode` npm package draws (its svg renderer's rules): runs in
/// row order, `M x y.5` at a row's first run, `m gap 0` to the next, `h` each.
/// (Its rows sit on their centre lines, so it needs no transform.)
fn npm_style_path_len(payload: &str) -> usize {
    let (size, cells) = qr_modules(payload).unwrap();
    let n = size as usize;
    let mut d = String::new();
    for y in 0..n {
        let (mut first, mut gap, mut x) = (true, 0, 0);
        while x < n {
            if !cells[y * n + x] {
                gap += 1;
                x += 1;
                continue;
            }
            let start = x;
            while x < n && cells[y * n + x] {
                x += 1;
            }
            d += &if first {
                format!("M{start} {y}.5")
            } else {
                format!("m{gap} 0")
            };
            d += &format!("h{}", x - start);
            (first, gap) = (false, 0);
        }
    }
    d.len()
}

#[test]
fn fixture_qr_matches_the_golden_svg() {
    let svg = qr_svg(&fixture_qr_string()).unwrap();
    let doc = svg.to_svg();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &doc).unwrap();
    }
    let golden = std::fs::read_to_string(GOLDEN).expect("golden file (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(
        doc, golden,
        "the SVG changed; check it decodes and rerun with UPDATE_GOLDEN=1"
    );
    // Version 9 (53 modules) plus the quiet zone.
    assert_eq!(svg.size, 53 + 2 * QUIET_ZONE);
}

#[test]
fn sample_paths_are_within_budget_of_the_shortest_stroked_path() {
    let samples = qr_sample_payloads();
    assert!(samples.iter().any(|(name, _)| name.ends_with(".json")));
    for (name, payload) in &samples {
        let ours = qr_svg(payload).unwrap().path.len();
        let shortest = shortest_stroke_path_len(payload).unwrap();
        assert!(
            ours as f64 <= shortest as f64 * 1.02,
            "{name}: path {ours} bytes, shortest {shortest}"
        );
        // The encoding is doing work: below the plain stroked runs `qrcode` npm draws,
        // even with the transform's bytes counted.
        let npm = npm_style_path_len(payload);
        let transform = r#" transform="translate(0 .5)""#.len();
        assert!(
            ours + transform < npm,
            "{name}: ours {ours}, npm-style {npm}"
        );
    }
}

#[test]
fn sample_payloads_are_what_they_say() {
    for (name, payload) in qr_sample_payloads() {
        if let Some(len) = name
            .rsplit('-')
            .next()
            .and_then(|n| n.parse::<usize>().ok())
        {
            assert_eq!(payload.len(), len, "{name}");
            assert!(
                payload.bytes().all(|b| (b' '..=b'~').contains(&b)),
                "{name}"
            );
        }
        if name.starts_with("qris-like") || name.starts_with("qris-charge") {
            assert!(qris::crc_ok(&payload), "{name}");
            assert!(payload.starts_with("000201010212"), "{name}");
        }
    }
    for len in [100, 101, 103, 104, 105, 108, 199, 203, 205, 500, 1000] {
        assert_eq!(qris_like(len, 7).len(), len);
    }
}

/// The browser's QR module draws the runs in reading order: the same modules as the shortest
/// path, at most a fifth more text, and it scans back the same.
#[test]
fn plain_paths_stroke_the_same_modules() {
    for (name, payload) in qr_sample_payloads() {
        let best = qr_svg(&payload).unwrap();
        let plain = qr_svg_plain(&payload).unwrap();
        assert_eq!(plain.size, best.size, "{name}");
        assert_eq!(
            rasterise_path(&plain.path, plain.size),
            rasterise_path(&best.path, best.size),
            "{name}"
        );
        assert!(plain.path.len() >= best.path.len(), "{name}");
        assert!(plain.path.len() * 5 <= best.path.len() * 6, "{name}");
        assert_eq!(scan(&plain), vec![payload.clone()], "{name}");
    }
    assert_eq!(qr_svg_plain(""), Err(QrError::Empty));
    assert_eq!(qr_svg_plain(&"x".repeat(5000)), Err(QrError::TooLong));
}

#[test]
fn sample_payloads_scan_back() {
    for (name, payload) in qr_sample_payloads() {
        let svg = qr_svg(&payload).unwrap();
        assert_eq!(scan(&svg), vec![payload.clone()], "{name}");
    }
}

#[test]
fn fixture_qr_scans_back_to_the_payload() {
    let payload = fixture_qr_string();
    assert!(qris::crc_ok(&payload));
    let svg = qr_svg(&payload).unwrap();
    let (size, modules) = qr_modules(&payload).unwrap();
    assert_eq!(size, svg.size);
    let cells = rasterise_path(&svg.path, svg.size);
    assert_eq!(cells, modules, "the path strokes exactly the dark modules");
    // The quiet zone is light.
    let n = size as usize;
    for i in 0..n {
        for q in 0..QUIET_ZONE as usize {
            assert!(!cells[q * n + i] && !cells[(n - 1 - q) * n + i]);
            assert!(!cells[i * n + q] && !cells[i * n + n - 1 - q]);
        }
    }
    assert_eq!(decode_cells(&cells, size, 4), vec![payload.clone()]);
    assert_eq!(decode_cells(&cells, size, 2), vec![payload]);
}

#[test]
fn various_payloads_scan_back() {
    let payloads = [
        "a".to_owned(),
        "12345678901234567890".to_owned(),
        "HELLO WORLD $%*+-./:".to_owned(),
        "https://gojek.link/gopay/merchanttransfer?tref=1509110800474199656LMVO&amount=10000"
            .to_owned(),
        " leading and trailing spaces ".to_owned(),
        "<svg onload=alert(1)>\"'&".to_owned(),
        "~".repeat(300),
        "0".repeat(1000),
        // Non-ASCII goes through byte mode: these UTF-8 bytes must not be read as Kanji.
        "Rp275.000 — 日本語のテキスト ✓".to_owned(),
        "x".repeat(1200),
    ];
    for p in &payloads {
        let svg = qr_svg(p).unwrap();
        assert_eq!(
            scan(&svg),
            vec![p.clone()],
            "payload {:?}",
            &p[..p.len().min(40)]
        );
        assert!(svg.path.len() as f64 <= shortest_stroke_path_len(p).unwrap() as f64 * 1.02);
    }
}

#[test]
fn path_is_compact_stroked_runs() {
    for (name, payload) in qr_sample_payloads() {
        let d = qr_svg(&payload).unwrap().path;
        assert!(d.starts_with('M'), "{name}");
        assert!(
            d.bytes()
                .all(|b| b"Mmh -".contains(&b) || b.is_ascii_digit()),
            "{name}: only moves and horizontal lines, in whole modules"
        );
        // Every subpath is one move and one `h`.
        let moves = d.matches(['M', 'm']).count();
        assert_eq!(moves, d.matches('h').count(), "{name}");
        // No needless bytes: a space only between two numbers, never before a
        // sign or command, no leading zeros, no empty runs.
        for bad in ["  ", " -", " M", " m", " h", "-0", "h0"] {
            assert!(!d.contains(bad), "{name}: {bad:?}");
        }
        for number in d.split(['M', 'm', 'h', ' ', '-']).filter(|n| n.len() > 1) {
            assert!(!number.starts_with('0'), "{name}: {number}");
        }
    }
}

#[test]
fn svg_document_is_self_contained_and_css_sized() {
    let svg = qr_svg("hello").unwrap();
    let doc = svg.to_svg();
    let n = svg.size;
    assert!(doc.contains(&format!(r#"viewBox="0 0 {n} {n}""#)));
    assert!(doc.contains(r#"shape-rendering="crispEdges""#));
    // A light square under the quiet zone, then the modules as a 1-wide stroke.
    assert!(doc.contains(&format!(r##"<path fill="#fff" d="M0 0h{n}v{n}H0z"/>"##)));
    assert!(doc.contains(&format!(
        r##"<path stroke="#000" stroke-width="1" transform="translate(0 .5)" d="{}"/>"##,
        svg.path
    )));
    for attr in [" width=", " height=", " style="] {
        assert!(!doc.contains(attr), "{attr}");
    }
}

#[test]
fn refuses_what_it_cannot_draw() {
    assert_eq!(qr_svg(""), Err(QrError::Empty));
    assert_eq!(qr_svg(&"x".repeat(5000)), Err(QrError::TooLong));
    assert_eq!(shortest_stroke_path_len(&"x".repeat(5000)), None);
    assert_eq!(QrError::Empty.to_string(), "the QR payload is empty");
}
