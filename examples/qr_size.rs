//! QR SVG sizes: for each payload, the bytes of `to_svg`, of its path, and of the shortest
//! stroked-run path of the same matrix (budget: at most 1.02x).
//!
//!   cargo run --example qr_size              a table for the sample payloads
//!   cargo run --example qr_size -- --json    one JSON object a line for the same payloads
//!   ... -- --json -                          the same for payloads read from stdin, one JSON
//!                                            string a line
//!
//! The samples are the test suite's (every fixture's `qr_string`, QRIS-like and random
//! printable payloads of 100, 250 and 500 characters); `scripts/qr-figures.mjs` compares
//! them with the `qrcode` npm package.

#[path = "../tests/support/mod.rs"]
mod support;

use gopay_widget::core::qr;
use std::io::BufRead;

struct Figures {
    size: u32,
    svg: usize,
    path: usize,
    shortest: usize,
}

fn figures(payload: &str) -> Result<Figures, qr::QrError> {
    let svg = qr::qr_svg(payload)?;
    let shortest = qr::shortest_stroke_path_len(payload).ok_or(qr::QrError::TooLong)?;
    Ok(Figures {
        size: svg.size,
        svg: svg.to_svg().len(),
        path: svg.path.len(),
        shortest,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let payloads: Vec<(String, String)> = if args.iter().any(|a| a == "-") {
        std::io::stdin()
            .lock()
            .lines()
            .map(|line| line.expect("stdin is readable"))
            .filter(|line| !line.trim().is_empty())
            .enumerate()
            .map(|(i, line)| {
                let payload: String = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("line {}: not a JSON string: {e}", i + 1));
                (format!("stdin-{}", i + 1), payload)
            })
            .collect()
    } else {
        support::qr_sample_payloads()
    };
    if !json {
        println!(
            "{:<28} {:>5} {:>7} {:>7} {:>9} {:>6}",
            "payload", "chars", "modules", "<svg>", "path (d)", "/short"
        );
    }
    let mut over = false;
    for (name, payload) in &payloads {
        let f = match figures(payload) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{name}: {e}");
                std::process::exit(2);
            }
        };
        let ratio = f.path as f64 / f.shortest as f64;
        over |= ratio > 1.02;
        if json {
            let line = serde_json::json!({
                "name": name,
                "payload": payload,
                "size": f.size,
                "svg": f.svg,
                "path": f.path,
                "shortest": f.shortest,
            });
            println!("{line}");
        } else {
            println!(
                "{:<28} {:>5} {:>7} {:>7} {:>9} {:>6.3}",
                name,
                payload.chars().count(),
                f.size,
                f.svg,
                f.path,
                ratio
            );
        }
    }
    if !json {
        println!(
            "path / shortest stroked-run path: budget 1.02, {}",
            if over { "FAIL" } else { "PASS" }
        );
    }
    if over {
        std::process::exit(1);
    }
}
