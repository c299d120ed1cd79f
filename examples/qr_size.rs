//! Prints the SVG bytes of the QRIS fixture's QR beside the smallest run-length path of the
//! same matrix (budget: at most 1.02x).

use gopay_widget::core::qr;

const FIXTURE: &str = include_str!("../../shared/midtrans/fixtures/qris-charge-docs-shape.json");

fn main() {
    let value = gopay_widget::core::json::from_str(FIXTURE).expect("fixture is JSON");
    let payload = value
        .get("qr_string")
        .and_then(|v| v.as_str())
        .expect("fixture has qr_string");
    let svg = qr::qr_svg(payload).expect("fixture QR encodes");
    let smallest = qr::smallest_runlength_path_len(payload).expect("fixture QR encodes");
    let full = svg.to_svg();
    let ratio = svg.path.len() as f64 / smallest as f64;
    println!(
        "payload           {:>6} chars, {} x {} modules with quiet zone",
        payload.len(),
        svg.size,
        svg.size
    );
    println!("our path (d)      {:>6} bytes", svg.path.len());
    println!("smallest run path {:>6} bytes", smallest);
    println!("whole <svg>       {:>6} bytes", full.len());
    println!(
        "ratio path/smallest {:.3} (budget 1.02): {}",
        ratio,
        if ratio <= 1.02 { "PASS" } else { "FAIL" }
    );
}
