//! Test helpers shared by the native integration tests: fixtures, and an
//! independent reading of the QR path (parse `d`, fill with the nonzero rule,
//! rasterise, decode with rqrr) so that what is checked is what a scanner sees.

#![allow(dead_code)]

use std::path::PathBuf;

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/midtrans/fixtures/"
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

/// Parses an SVG path made of `M m H h V v Z z` commands with numbers (also
/// repeated arguments after a command) into closed polygons.
pub fn parse_path(d: &str) -> Result<Vec<Vec<Point>>, String> {
    let bytes = d.as_bytes();
    let mut i = 0;
    let mut polys: Vec<Vec<Point>> = Vec::new();
    let mut cur: Vec<Point> = Vec::new();
    let mut pen: Point = (0.0, 0.0);
    let mut start: Point = (0.0, 0.0);
    let mut cmd: Option<u8> = None;

    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && (bytes[*i] == b' ' || bytes[*i] == b',') {
            *i += 1;
        }
    };
    let number = |i: &mut usize| -> Result<f64, String> {
        skip_ws(i);
        let s = *i;
        if *i < bytes.len() && (bytes[*i] == b'-' || bytes[*i] == b'+') {
            *i += 1;
        }
        while *i < bytes.len() && (bytes[*i].is_ascii_digit() || bytes[*i] == b'.') {
            *i += 1;
        }
        d[s..*i]
            .parse::<f64>()
            .map_err(|_| format!("bad number at {s}"))
    };
    let finish = |cur: &mut Vec<Point>, polys: &mut Vec<Vec<Point>>| {
        if cur.len() > 1 {
            polys.push(std::mem::take(cur));
        } else {
            cur.clear();
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
                finish(&mut cur, &mut polys);
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
                finish(&mut cur, &mut polys);
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
    finish(&mut cur, &mut polys);
    Ok(polys)
}

/// Fills the polygons (implicitly closed, nonzero rule) on a `size` x `size`
/// grid, sampling each cell at its centre. Row-major, `true` is filled.
pub fn fill_cells(polys: &[Vec<Point>], size: usize) -> Vec<bool> {
    let mut cells = vec![false; size * size];
    for row in 0..size {
        let cy = row as f64 + 0.5;
        // (x of crossing, winding direction) of every edge crossing this scanline.
        let mut crossings: Vec<(f64, i32)> = Vec::new();
        for poly in polys {
            for k in 0..poly.len() {
                let (a, b) = (poly[k], poly[(k + 1) % poly.len()]);
                if (a.1 <= cy) != (b.1 <= cy) {
                    let x = a.0 + (cy - a.1) * (b.0 - a.0) / (b.1 - a.1);
                    crossings.push((x, if b.1 > a.1 { 1 } else { -1 }));
                }
            }
        }
        crossings.sort_by(|p, q| p.0.total_cmp(&q.0));
        let mut winding = 0;
        let mut k = 0;
        for col in 0..size {
            let cx = col as f64 + 0.5;
            while k < crossings.len() && crossings[k].0 < cx {
                winding += crossings[k].1;
                k += 1;
            }
            cells[row * size + col] = winding != 0;
        }
    }
    cells
}

/// The cells `d` fills on a `size` grid.
pub fn rasterise_path(d: &str, size: u32) -> Vec<bool> {
    let polys = parse_path(d).unwrap_or_else(|e| panic!("path does not parse: {e}"));
    fill_cells(&polys, size as usize)
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
