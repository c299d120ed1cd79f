//! The QR path, read back the way a scanner would: parse `d`, fill, rasterise, decode.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use gopay_widget::core::json;
use gopay_widget::core::qr::{
    qr_modules, qr_svg, qris_crc_ok, smallest_runlength_path_len, QrError, QUIET_ZONE,
};
use support::{decode_cells, fixture, rasterise_path, scan};

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
fn fixture_path_is_within_budget_of_the_smallest_run_length_path() {
    let payload = fixture_qr_string();
    let ours = qr_svg(&payload).unwrap().path.len();
    let smallest = smallest_runlength_path_len(&payload).unwrap();
    assert!(
        ours as f64 <= smallest as f64 * 1.02,
        "path {ours} bytes, smallest {smallest}"
    );
    // The textbook `Mx yhWv1h-Wz` per run is far bigger: the encoding is doing work.
    let (size, cells) = qr_modules(&payload).unwrap();
    let mut naive = 0;
    for y in 0..size as usize {
        let row = &cells[y * size as usize..(y + 1) * size as usize];
        let mut x = 0;
        while x < row.len() {
            if row[x] {
                let start = x;
                while x < row.len() && row[x] {
                    x += 1;
                }
                naive += format!("M{start} {y}h{0}v1h-{0}z", x - start).len();
            } else {
                x += 1;
            }
        }
    }
    assert!(ours * 100 < naive * 82, "ours {ours}, naive {naive}");
}

#[test]
fn fixture_qr_scans_back_to_the_payload() {
    let payload = fixture_qr_string();
    assert!(qris_crc_ok(&payload));
    let svg = qr_svg(&payload).unwrap();
    let (size, modules) = qr_modules(&payload).unwrap();
    assert_eq!(size, svg.size);
    let cells = rasterise_path(&svg.path, svg.size);
    assert_eq!(cells, modules, "the path fills exactly the dark modules");
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
        assert!(svg.path.len() as f64 <= smallest_runlength_path_len(p).unwrap() as f64 * 1.02);
    }
}

#[test]
fn path_uses_only_compact_integer_commands() {
    let svg = qr_svg(&fixture_qr_string()).unwrap();
    assert!(svg.path.starts_with('M'));
    assert!(
        svg.path
            .bytes()
            .all(|b| b"MmHhVvz -".contains(&b) || b.is_ascii_digit()),
        "unexpected characters in the path"
    );
    assert!(!svg.path.contains("  "));
}

#[test]
fn svg_document_is_self_contained_and_css_sized() {
    let svg = qr_svg("hello").unwrap();
    let doc = svg.to_svg();
    let n = svg.size;
    assert!(doc.contains(&format!(r#"viewBox="0 0 {n} {n}""#)));
    assert!(doc.contains(&format!(r##"<path fill="#fff" d="M0 0h{n}v{n}H0z"/>"##)));
    assert!(doc.contains(&format!(r##"<path fill="#000" d="{}"/>"##, svg.path)));
    for attr in [" width=", " height=", " style="] {
        assert!(!doc.contains(attr), "{attr}");
    }
}

#[test]
fn refuses_what_it_cannot_draw() {
    assert_eq!(qr_svg(""), Err(QrError::Empty));
    assert_eq!(qr_svg(&"x".repeat(5000)), Err(QrError::TooLong));
    assert_eq!(smallest_runlength_path_len(&"x".repeat(5000)), None);
    assert_eq!(QrError::Empty.to_string(), "the QR payload is empty");
}
