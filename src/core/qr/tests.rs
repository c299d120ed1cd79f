//! The QR module's tests: the symbol against the `qrcode` crate's, the bitwise penalty
//! against a module-by-module one, the path against every other walk, and the errors.

use super::mask::{penalty, MASKS};
use super::path::{move_to, num_len, write_move, write_num, Drawing, Run, Step};
use super::segments::{push_segments, segment_modes, segmented};
use super::*;
use qrcode::bits::Bits;
use qrcode::canvas::Canvas;
use qrcode::{ec, Color, EcLevel, Version};
use std::fmt::Write as _;

/// A repeatable stream of pseudo-random numbers (xorshift32) from `seed`.
fn xorshift(mut seed: u32) -> impl FnMut() -> u32 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    }
}

/// The symbol is the `qrcode` crate's own, module for module (same mask chosen), over
/// payloads of every version band, in the automatic and the byte-only paths.
#[test]
fn symbol_matches_the_crate() {
    use qrcode::QrCode;
    let mut next = xorshift(0x2545_f491);
    let mut masks_seen = std::collections::BTreeSet::new();
    for round in 0..80 {
        let len = 1 + (next() as usize) % 700;
        let digits = round % 4 == 0;
        let payload: String = (0..len)
            .map(|_| {
                let r = next();
                if digits {
                    char::from(b'0' + (r % 10) as u8)
                } else {
                    char::from(0x20 + (r % 95) as u8)
                }
            })
            .collect();
        let ours = Matrix::encode(&payload).unwrap();
        // The crate draws our bit stream to the same symbol...
        let theirs = QrCode::with_bits(segmented(payload.as_bytes()).unwrap(), EcLevel::M).unwrap();
        assert!(
            ours.colors == theirs.to_colors(),
            "symbol differs for {payload:?}"
        );
        // ...and its own segmentation is never a smaller version, nor fewer bits.
        let auto = QrCode::with_error_correction_level(&payload, EcLevel::M).unwrap();
        assert!(ours.width <= auto.width(), "{payload}");
        let version = auto.version();
        let mut crate_bits = Bits::new(version);
        crate_bits.push_optimal_data(payload.as_bytes()).unwrap();
        let band = match version {
            Version::Normal(1..=9) => 0,
            Version::Normal(10..=26) => 1,
            _ => 2,
        };
        let mut our_bits = Bits::new(version);
        push_segments(
            &mut our_bits,
            payload.as_bytes(),
            &segment_modes(payload.as_bytes(), band),
        )
        .unwrap();
        assert!(our_bits.len() <= crate_bits.len(), "{payload}");
        let bytes = format!("é{}", &payload[..payload.len().min(600)]);
        let ours = Matrix::encode(&bytes).unwrap();
        let mut expected = Bits::new(Version::Normal(1));
        for v in 1..=40 {
            expected = Bits::new(Version::Normal(v));
            if expected
                .push_byte_data(bytes.as_bytes())
                .and_then(|()| expected.push_terminator(EcLevel::M))
                .is_ok()
            {
                break;
            }
        }
        let theirs = QrCode::with_bits(expected, EcLevel::M).unwrap();
        assert!(
            ours.colors == theirs.to_colors(),
            "byte-mode symbol differs for {bytes:?}"
        );
        masks_seen.insert(
            ours.colors
                .iter()
                .take(ours.width * 9)
                .filter(|c| **c == Color::Dark)
                .count(),
        );
    }
    // The payloads are varied enough to reach different masks (format bits differ).
    assert!(masks_seen.len() > 4);
}

/// The penalty written module by module, as the `qrcode` crate scores it (ISO/IEC 18004
/// N1 to N4, with its unrounded balance term and its 16-bit arithmetic): the reference
/// for [`penalty`].
fn penalty_reference(colors: &[Color], w: usize) -> u16 {
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    let dark: Vec<bool> = colors.iter().map(|c| *c == Color::Dark).collect();
    let mut score: u16 = 0;
    let mut line = vec![false; w];
    for horizontal in [true, false] {
        let mut finder: u16 = 0;
        for i in 0..w {
            for (j, m) in line.iter_mut().enumerate() {
                *m = if horizontal {
                    dark[i * w + j]
                } else {
                    dark[j * w + i]
                };
            }
            // N1: a run of n >= 5 modules of one colour costs n - 2.
            let mut run: u16 = 1;
            for j in 1..=w {
                if j < w && line[j] == line[j - 1] {
                    run += 1;
                } else {
                    if run >= 5 {
                        score = score.wrapping_add(run - 2);
                    }
                    run = 1;
                }
            }
            // N3: 1:1:3:1:1 with four light modules (or the edge) on either side.
            for j in 0..w.saturating_sub(6) {
                if line[j..j + 7] != FINDER {
                    continue;
                }
                let before = line[j.saturating_sub(4)..j].contains(&true);
                let after = line[j + 7..(j + 11).min(w)].contains(&true);
                if !before || !after {
                    finder = finder.wrapping_add(40);
                }
            }
        }
        // The three finder patterns themselves match 9 lines each way.
        score = score.wrapping_add(finder.wrapping_sub(360));
    }
    // N2: every 2x2 block of one colour costs 3.
    for y in 0..w - 1 {
        for x in 0..w - 1 {
            let m = dark[y * w + x];
            if dark[y * w + x + 1] == m
                && dark[(y + 1) * w + x] == m
                && dark[(y + 1) * w + x + 1] == m
            {
                score = score.wrapping_add(3);
            }
        }
    }
    // N4: distance of the dark share from half, in percent.
    let ratio = dark.iter().filter(|d| **d).count() * 200 / dark.len();
    score.wrapping_add(ratio.abs_diff(100) as u16)
}

/// The bitwise penalty is the module-by-module one, on random symbols of every width
/// (the edges of each 64-module word included) and on real ones.
#[test]
fn penalty_is_the_reference() {
    let mut next = xorshift(0x9e37_79b9);
    for w in (21..=177).step_by(4).chain([63, 64, 65, 127, 128, 129]) {
        for _ in 0..6 {
            // From mostly light to mostly dark, so long runs and blocks of either
            // colour occur.
            let dark_in_8 = 1 + next() % 7;
            let colors: Vec<Color> = (0..w * w)
                .map(|_| {
                    if next() % 8 < dark_in_8 {
                        Color::Dark
                    } else {
                        Color::Light
                    }
                })
                .collect();
            assert_eq!(
                penalty(&colors, w),
                penalty_reference(&colors, w),
                "width {w}"
            );
        }
    }
    // Real symbols under each of the eight masks, the candidates the choice compares.
    for payload in ["00020101021226", "HELLO WORLD", &"x".repeat(900)] {
        let bits = segmented(payload.as_bytes()).unwrap();
        let version = bits.version();
        let data = bits.into_bytes();
        let (data, ecc) = ec::construct_codewords(&data, version, EcLevel::M).unwrap();
        let mut canvas = Canvas::new(version, EcLevel::M);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data, &ecc);
        let w = version.width() as usize;
        for mask in MASKS {
            let mut masked = canvas.clone();
            masked.apply_mask(mask);
            let colors = masked.into_colors();
            assert_eq!(
                penalty(&colors, w),
                penalty_reference(&colors, w),
                "{mask:?}"
            );
        }
    }
}

#[test]
fn number_lengths() {
    for n in [0, 1, 9, 10, 99, 100, -1, -9, -10, -100, i32::MAX, i32::MIN] {
        assert_eq!(num_len(n), n.to_string().len(), "{n}");
    }
}

#[test]
fn numbers_are_written_as_display_writes_them() {
    for n in (-1_000..=1_000).chain([i32::MAX, i32::MIN, 12_345_678, -987_654]) {
        let mut out = String::from("x");
        write_num(&mut out, n);
        assert_eq!(out, format!("x{n}"));
    }
}

#[test]
fn moves_pick_the_shorter_form() {
    assert_eq!(move_to(None, (4, 4)), (4, false)); // M4 4
    assert_eq!(move_to(Some((15, 14)), (18, 14)), (4, true)); // m3 0
    assert_eq!(move_to(Some((5, 4)), (8, 4)), (4, false)); // a tie keeps M8 4
    assert_eq!(move_to(Some((50, 4)), (4, 5)), (4, false)); // M4 5 beats m-46 1
    assert_eq!(move_to(Some((19, 14)), (14, 15)), (5, true)); // m-5 1 beats M14 15
    assert_eq!(move_to(Some((19, 15)), (22, 14)), (4, true)); // m3-1
    for (pen, to, text) in [
        (None, (4, 4), "M4 4"),
        (Some((19, 15)), (22, 14), "m3-1"),
        (Some((50, 40)), (4, 41), "m-46 1"),
        (Some((50, 40)), (4, 41), "M4 41"),
    ] {
        let mut out = String::new();
        write_move(&mut out, pen, to, text.starts_with('m'));
        assert_eq!(out, text);
    }
}

#[test]
fn rendered_length_is_the_drawings_cost() {
    for payload in ["x", "hello", "00020101021226620014COM.GO-JEK.WWW0119"] {
        let rows = Matrix::encode(payload).unwrap().rows();
        let drawing = Drawing::optimal(&rows);
        assert_eq!(drawing.render().len(), drawing.cost, "{payload}");
        assert_eq!(
            drawing.steps.len(),
            rows.iter().map(Vec::len).sum::<usize>(),
            "every run once"
        );
    }
}

#[test]
fn runs_on_centre_lines() {
    let rows = vec![
        vec![Run { x: 4, y: 4, w: 7 }, Run { x: 13, y: 4, w: 4 }],
        vec![Run { x: 4, y: 5, w: 1 }],
    ];
    assert_eq!(Drawing::optimal(&rows).render(), "M4 4h7m2 0h4M4 5h1");
    // The pen ends far right: the next row is walked right to left, so
    // the long way back is taken once, by the cheaper absolute move.
    let rows = vec![
        vec![
            Run { x: 4, y: 14, w: 3 },
            Run {
                x: 140,
                y: 14,
                w: 3,
            },
        ],
        vec![
            Run { x: 4, y: 15, w: 1 },
            Run {
                x: 141,
                y: 15,
                w: 1,
            },
        ],
    ];
    assert_eq!(
        Drawing::optimal(&rows).render(),
        "M4 14h3m133 0h3m-2 1h1M4 15h1"
    );
}

/// Every choice of row walk and run direction, each move the shorter form.
fn brute_force(rows: &[Vec<Run>]) -> usize {
    let rows: Vec<&Vec<Run>> = rows.iter().filter(|r| !r.is_empty()).collect();
    let runs: usize = rows.iter().map(|r| r.len()).sum();
    let mut best = usize::MAX;
    for choice in 0u32..1 << (rows.len() + runs) {
        let mut bits = (0..).map(|i| choice >> i & 1 == 1);
        let mut out = String::new();
        let mut pen = None;
        for row in &rows {
            let mut walk: Vec<Run> = row.to_vec();
            if bits.next().unwrap() {
                walk.reverse();
            }
            for run in walk {
                let step = Step {
                    run,
                    leftward: bits.next().unwrap(),
                    relative: false,
                    prev: None,
                    cost: 0,
                };
                let (_, relative) = move_to(pen, step.start());
                write_move(&mut out, pen, step.start(), relative);
                let _ = write!(out, "h{}", step.stroke());
                pen = Some(step.end());
            }
        }
        best = best.min(out.len());
    }
    best
}

#[test]
fn the_drawing_is_the_cheapest_of_all_walks() {
    let mut seed = 0x2545_f491_u32;
    let mut next = |n: u32| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        (seed % n) as i32
    };
    for _ in 0..300 {
        let mut rows = Vec::new();
        let first = 4 + next(120);
        for y in first..first + 1 + next(3) {
            let mut x = 4 + next(8);
            let mut row = Vec::new();
            for _ in 0..next(4) {
                let w = 1 + next(12);
                row.push(Run { x, y, w });
                let far = next(3) == 0;
                x += w + 1 + next(if far { 120 } else { 9 });
            }
            rows.push(row);
        }
        let drawing = Drawing::optimal(&rows);
        assert_eq!(drawing.cost, brute_force(&rows), "{rows:?}");
        assert_eq!(drawing.render().len(), drawing.cost);
    }
}

#[test]
fn errors() {
    assert_eq!(qr_svg(""), Err(QrError::Empty));
    assert_eq!(
        qr_svg(&"a".repeat(MAX_PAYLOAD_BYTES + 1)),
        Err(QrError::TooLong)
    );
    assert_eq!(qr_svg(&"é".repeat(1166)), Err(QrError::TooLong));
    assert!(
        qr_svg(&"é".repeat(1165)).is_ok(),
        "byte mode fills version 40"
    );
    assert_eq!(shortest_stroke_path_len(""), None);
    assert!(
        qr_svg(&"7".repeat(2000)).is_ok(),
        "numeric mode packs denser"
    );
}

#[test]
fn svg_document_shape() {
    let svg = qr_svg("hello").unwrap();
    assert_eq!(svg.size, 21 + 8);
    let doc = svg.to_svg();
    assert!(doc.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29""#));
    assert!(doc.contains(r#"shape-rendering="crispEdges""#));
    assert!(doc.contains(&format!(r#"transform="translate(0 .5)" d="{}""#, svg.path)));
    assert!(!doc.contains("width=\"2") && !doc.contains("height=") && !doc.contains("style="));
    assert!(doc.ends_with("</svg>"));
}
