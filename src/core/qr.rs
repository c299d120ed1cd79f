//! `qr_string` to one compact SVG path.
//!
//! The matrix comes from the `qrcode` crate (error correction M). Dark modules
//! are drawn as horizontal runs, one subpath per run of each row. The runs are
//! axis-aligned rectangles, so each subpath needs only three of its four edges:
//! fill closes it implicitly. Which corner a run starts from, which way round it
//! is drawn, whether each edge is relative (`h`/`v`) or absolute (`H`/`V`) and
//! whether the move to it is `m` or `M` all change the byte count, so the
//! cheapest combination for the whole path is chosen by dynamic programming
//! over the runs (the pen position left by one run is the next move's origin).

use qrcode::bits::Bits;
use qrcode::{Color, EcLevel, QrCode, Version};
use std::fmt;
use std::fmt::Write as _;

/// Light modules around the code, as the QR specification asks.
pub const QUIET_ZONE: u32 = 4;
/// Longest payload drawn: the byte capacity of version 40 at level M.
pub const MAX_PAYLOAD_BYTES: usize = 2331;

/// A QR code as one SVG path of its dark modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrSvg {
    /// Side in modules, quiet zone included: the `viewBox` is `0 0 size size`.
    pub size: u32,
    /// The `d` attribute: dark modules, in module units, quiet zone included.
    pub path: String,
}

impl QrSvg {
    /// A complete, self-contained `<svg>` without width or height, for the
    /// page's CSS to size: a white square (the quiet zone must be light even on
    /// a dark page) and the dark path, both with explicit fills so inherited
    /// CSS `fill` cannot repaint them.
    pub fn to_svg(&self) -> String {
        let n = self.size;
        format!(
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" shape-rendering="crispEdges">"#,
                r##"<path fill="#fff" d="M0 0h{n}v{n}H0z"/><path fill="#000" d="{d}"/></svg>"##
            ),
            n = n,
            d = self.path
        )
    }
}

/// Why a payload cannot be drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrError {
    Empty,
    /// More than a version 40 code holds at level M.
    TooLong,
}

impl fmt::Display for QrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QrError::Empty => "the QR payload is empty",
            QrError::TooLong => "the QR payload is too long for a QR code",
        })
    }
}

impl std::error::Error for QrError {}

/// Draws `payload` as a QR code at error correction level M.
pub fn qr_svg(payload: &str) -> Result<QrSvg, QrError> {
    let m = Matrix::encode(payload)?;
    let path = [Order::RowMajor, Order::Serpentine]
        .into_iter()
        .map(|order| Plan::optimal(&m.runs(order)).render())
        .min_by_key(String::len)
        .unwrap_or_default();
    Ok(QrSvg { size: m.size, path })
}

/// The dark/light modules of `payload`'s code, quiet zone included, row by row
/// (`true` is dark). This is what [`qr_svg`]'s path must fill exactly.
pub fn qr_modules(payload: &str) -> Result<(u32, Vec<bool>), QrError> {
    let m = Matrix::encode(payload)?;
    let n = m.size as usize;
    let mut cells = vec![false; n * n];
    for run in m.runs(Order::RowMajor) {
        let row = run.y as usize * n;
        for x in run.x..run.x + run.w {
            cells[row + x as usize] = true;
        }
    }
    Ok((m.size, cells))
}

/// The byte length of the smallest one-subpath-per-run path found for
/// `payload`'s matrix, over: plain absolute `Mx yhWv1h-Wz` subpaths, relative
/// moves with `z`, relative moves with open `v1hWv-1` subpaths, and the
/// per-run optimum of corner, direction, `h`/`H`, `v`/`V`, `m`/`M` and `z`, in
/// row-major and in serpentine run order. `None` when it cannot be encoded.
pub fn smallest_runlength_path_len(payload: &str) -> Option<usize> {
    let m = Matrix::encode(payload).ok()?;
    let row_major = m.runs(Order::RowMajor);
    let fixed = [
        naive_absolute(&row_major).len(),
        relative_closed(&row_major).len(),
        relative_open(&row_major).len(),
    ];
    let optimal = [Order::RowMajor, Order::Serpentine]
        .into_iter()
        .map(|order| Plan::optimal(&m.runs(order)).cost);
    fixed.into_iter().chain(optimal).min()
}

/// `true` when the last four characters of a QRIS payload are the uppercase
/// hex CRC-16/CCITT-FALSE of everything before them (EMVCo tag 63). A payload
/// that fails this is refused by banking apps after scanning.
pub fn qris_crc_ok(payload: &str) -> bool {
    let Some(split) = payload.len().checked_sub(4) else {
        return false;
    };
    let (Some(body), Some(given)) = (payload.get(..split), payload.get(split..)) else {
        return false;
    };
    let mut crc: u16 = 0xffff;
    for &byte in body.as_bytes() {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    given == format!("{crc:04X}")
}

struct Matrix {
    /// Side with the quiet zone.
    size: u32,
    /// Side of the code proper.
    width: usize,
    colors: Vec<Color>,
}

impl Matrix {
    fn encode(payload: &str) -> Result<Matrix, QrError> {
        if payload.is_empty() {
            return Err(QrError::Empty);
        }
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(QrError::TooLong);
        }
        let code = if payload.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            QrCode::with_error_correction_level(payload, EcLevel::M)
        } else {
            byte_mode(payload.as_bytes())
        }
        .map_err(|_| QrError::TooLong)?;
        let width = code.width();
        Ok(Matrix {
            size: width as u32 + 2 * QUIET_ZONE,
            width,
            colors: code.to_colors(),
        })
    }

    /// Maximal horizontal runs of dark modules, in SVG coordinates.
    fn runs(&self, order: Order) -> Vec<Run> {
        let q = QUIET_ZONE as i32;
        let mut out = Vec::new();
        for (y, row) in self.colors.chunks(self.width).enumerate() {
            let start = out.len();
            let mut x = 0;
            while x < row.len() {
                if row[x] == Color::Dark {
                    let x0 = x;
                    while x < row.len() && row[x] == Color::Dark {
                        x += 1;
                    }
                    out.push(Run {
                        x: x0 as i32 + q,
                        y: y as i32 + q,
                        w: (x - x0) as i32,
                    });
                } else {
                    x += 1;
                }
            }
            if order == Order::Serpentine && y % 2 == 1 {
                out[start..].reverse();
            }
        }
        out
    }
}

/// Byte mode only: the automatic mode choice may pick Kanji mode for UTF-8
/// bytes that look like Shift JIS, and scanners would then read other text.
fn byte_mode(data: &[u8]) -> qrcode::QrResult<QrCode> {
    let mut last = Err(qrcode::types::QrError::DataTooLong);
    for v in 1..=40 {
        let mut bits = Bits::new(Version::Normal(v));
        let pushed = bits
            .push_byte_data(data)
            .and_then(|()| bits.push_terminator(EcLevel::M));
        if pushed.is_ok() {
            last = QrCode::with_bits(bits, EcLevel::M);
            if last.is_ok() {
                break;
            }
        }
    }
    last
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    RowMajor,
    /// Odd rows right to left, so the pen need not travel back across the code.
    Serpentine,
}

/// A horizontal run of dark modules: `w` modules from `(x, y)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    x: i32,
    y: i32,
    w: i32,
}

impl Run {
    /// Corner `c`: 0 top-left, 1 top-right, 2 bottom-right, 3 bottom-left
    /// (clockwise, so the edge from corner `c` leads to `(c + 1) % 4`).
    fn corner(&self, c: usize) -> (i32, i32) {
        match c {
            0 => (self.x, self.y),
            1 => (self.x + self.w, self.y),
            2 => (self.x + self.w, self.y + 1),
            _ => (self.x, self.y + 1),
        }
    }
}

/// Decimal length of `n`.
fn num_len(n: i32) -> usize {
    let mut len = usize::from(n < 0) + 1;
    let mut rest = n.unsigned_abs() / 10;
    while rest > 0 {
        len += 1;
        rest /= 10;
    }
    len
}

fn push_num(out: &mut String, n: i32) {
    let _ = write!(out, "{n}");
}

/// One edge of a run's rectangle: the cheaper of the relative and absolute form.
fn edge(from: (i32, i32), to: (i32, i32)) -> (usize, char, i32) {
    if from.1 == to.1 {
        let (rel, abs) = (to.0 - from.0, to.0);
        if num_len(rel) <= num_len(abs) {
            (1 + num_len(rel), 'h', rel)
        } else {
            (1 + num_len(abs), 'H', abs)
        }
    } else {
        let (rel, abs) = (to.1 - from.1, to.1);
        if num_len(rel) <= num_len(abs) {
            (1 + num_len(rel), 'v', rel)
        } else {
            (1 + num_len(abs), 'V', abs)
        }
    }
}

/// How a run is drawn: from corner `start`, three edges clockwise or
/// counter-clockwise, then `z` or not. Where it leaves the pen is `end`.
#[derive(Debug, Clone, Copy)]
struct Body {
    start: usize,
    clockwise: bool,
    close: bool,
}

impl Body {
    const ALL: [Body; 16] = {
        let mut all = [Body {
            start: 0,
            clockwise: false,
            close: false,
        }; 16];
        let mut i = 0;
        while i < 16 {
            all[i] = Body {
                start: i / 4,
                clockwise: i % 2 == 0,
                close: (i / 2) % 2 == 0,
            };
            i += 1;
        }
        all
    };

    fn corners(&self) -> [usize; 4] {
        let step = if self.clockwise { 1 } else { 3 };
        let s = self.start;
        [s, (s + step) % 4, (s + 2 * step) % 4, (s + 3 * step) % 4]
    }

    /// The corner the pen is left at.
    fn end(&self) -> usize {
        if self.close {
            self.start
        } else {
            self.corners()[3]
        }
    }

    fn cost(&self, run: &Run) -> usize {
        let c = self.corners();
        (0..3)
            .map(|i| edge(run.corner(c[i]), run.corner(c[i + 1])).0)
            .sum::<usize>()
            + usize::from(self.close)
    }

    fn render(&self, run: &Run, out: &mut String) {
        let c = self.corners();
        for i in 0..3 {
            let (_, cmd, n) = edge(run.corner(c[i]), run.corner(c[i + 1]));
            out.push(cmd);
            push_num(out, n);
        }
        if self.close {
            out.push('z');
        }
    }
}

/// The move to the start of a subpath: relative when the pen is known and that is shorter.
fn move_to(pen: Option<(i32, i32)>, to: (i32, i32)) -> (usize, bool) {
    // A space separates the two numbers unless the second one's minus sign does.
    let pair = |a: i32, b: i32| num_len(a) + num_len(b) + usize::from(b >= 0);
    let absolute = 1 + pair(to.0, to.1);
    match pen {
        Some(p) => {
            let relative = 1 + pair(to.0 - p.0, to.1 - p.1);
            if relative < absolute {
                (relative, true)
            } else {
                (absolute, false)
            }
        }
        None => (absolute, false),
    }
}

/// The cheapest way to draw a sequence of runs, and its byte length.
struct Plan<'a> {
    runs: &'a [Run],
    bodies: Vec<Body>,
    cost: usize,
}

impl<'a> Plan<'a> {
    fn optimal(runs: &'a [Run]) -> Plan<'a> {
        // best[c]: cheapest cost so far with the pen at corner c of the last run,
        // and for each run and end corner, the body and previous end corner used.
        let mut best: [Option<usize>; 4] = [None; 4];
        let mut back: Vec<[(usize, usize); 4]> = Vec::with_capacity(runs.len());
        for (i, run) in runs.iter().enumerate() {
            let mut next: [Option<usize>; 4] = [None; 4];
            let mut choice = [(0usize, 0usize); 4];
            for (b, body) in Body::ALL.iter().enumerate() {
                let start = run.corner(body.start);
                let body_cost = body.cost(run);
                let e = body.end();
                let mut consider = |total: usize, prev_corner: usize| {
                    if next[e].is_none_or(|cur| total < cur) {
                        next[e] = Some(total);
                        choice[e] = (b, prev_corner);
                    }
                };
                if i == 0 {
                    consider(move_to(None, start).0 + body_cost, 0);
                    continue;
                }
                for (pc, so_far) in best.iter().enumerate() {
                    if let Some(so_far) = so_far {
                        let pen = runs[i - 1].corner(pc);
                        consider(so_far + move_to(Some(pen), start).0 + body_cost, pc);
                    }
                }
            }
            best = next;
            back.push(choice);
        }
        let Some((mut corner, cost)) = (0..4)
            .filter_map(|c| best[c].map(|cost| (c, cost)))
            .min_by_key(|&(_, cost)| cost)
        else {
            return Plan {
                runs,
                bodies: Vec::new(),
                cost: 0,
            };
        };
        let mut bodies = vec![Body::ALL[0]; runs.len()];
        for i in (0..runs.len()).rev() {
            let (b, prev) = back[i][corner];
            bodies[i] = Body::ALL[b];
            corner = prev;
        }
        Plan { runs, bodies, cost }
    }

    fn render(&self) -> String {
        let mut out = String::with_capacity(self.cost);
        let mut pen = None;
        for (run, body) in self.runs.iter().zip(&self.bodies) {
            let start = run.corner(body.start);
            write_move(&mut out, pen, start, move_to(pen, start).1);
            body.render(run, &mut out);
            pen = Some(run.corner(body.end()));
        }
        out
    }
}

fn write_move(out: &mut String, pen: Option<(i32, i32)>, to: (i32, i32), relative: bool) {
    let (cmd, (a, b)) = match pen {
        Some(p) if relative => ('m', (to.0 - p.0, to.1 - p.1)),
        _ => ('M', to),
    };
    out.push(cmd);
    push_num(out, a);
    if b >= 0 {
        out.push(' ');
    }
    push_num(out, b);
}

/// `Mx yhWv1h-Wz` for every run: the textbook encoding.
fn naive_absolute(runs: &[Run]) -> String {
    let mut out = String::new();
    for r in runs {
        let _ = write!(out, "M{} {}h{}v1h-{}z", r.x, r.y, r.w, r.w);
    }
    out
}

/// Relative moves from the start of the previous (closed) subpath.
fn relative_closed(runs: &[Run]) -> String {
    let mut out = String::new();
    let mut pen = None;
    for r in runs {
        write_move(&mut out, pen, (r.x, r.y), pen.is_some());
        let _ = write!(out, "h{}v1h-{}z", r.w, r.w);
        pen = Some((r.x, r.y));
    }
    out
}

/// Relative moves, open subpaths `v1hWv-1` leaving the pen at the top-right corner.
fn relative_open(runs: &[Run]) -> String {
    let mut out = String::new();
    let mut pen = None;
    for r in runs {
        write_move(&mut out, pen, (r.x, r.y), pen.is_some());
        let _ = write!(out, "v1h{}v-1", r.w);
        pen = Some((r.x + r.w, r.y));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_lengths() {
        for n in [0, 1, 9, 10, 99, 100, -1, -9, -10, -100, i32::MAX, i32::MIN] {
            assert_eq!(num_len(n), n.to_string().len(), "{n}");
        }
    }

    #[test]
    fn bodies_cover_every_corner_direction_and_close() {
        let run = Run { x: 4, y: 4, w: 3 };
        let mut seen = std::collections::HashSet::new();
        for body in Body::ALL {
            seen.insert((body.start, body.clockwise, body.close));
            let mut s = String::new();
            body.render(&run, &mut s);
            assert_eq!(s.len(), body.cost(&run), "{body:?} {s}");
        }
        assert_eq!(seen.len(), 16);
        // Counter-clockwise from the top-left leaves the pen top-right.
        let b = Body {
            start: 0,
            clockwise: false,
            close: false,
        };
        let mut s = String::new();
        b.render(&run, &mut s);
        assert_eq!(s, "v1h3V4");
        assert_eq!(run.corner(b.end()), (7, 4));
    }

    #[test]
    fn moves_pick_the_shorter_form() {
        assert_eq!(move_to(None, (4, 4)), (4, false));
        assert_eq!(move_to(Some((15, 14)), (18, 14)), (4, true)); // m3 0
        assert_eq!(move_to(Some((5, 4)), (8, 4)), (4, false)); // a tie keeps M8 4
        assert_eq!(move_to(Some((30, 4)), (4, 5)), (4, false)); // M4 5 beats m-26 1
        assert_eq!(move_to(Some((19, 15)), (22, 14)), (4, true)); // m3-1
    }

    #[test]
    fn rendered_length_is_the_planned_cost() {
        for payload in ["x", "hello", "00020101021226620014COM.GO-JEK.WWW0119"] {
            let m = Matrix::encode(payload).unwrap();
            for order in [Order::RowMajor, Order::Serpentine] {
                let runs = m.runs(order);
                let plan = Plan::optimal(&runs);
                assert_eq!(plan.render().len(), plan.cost);
                assert!(plan.cost <= relative_open(&runs).len());
                assert!(plan.cost <= relative_closed(&runs).len());
                assert!(plan.cost <= naive_absolute(&runs).len());
            }
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
        assert_eq!(smallest_runlength_path_len(""), None);
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
        assert!(doc.contains(&format!(r#"d="{}""#, svg.path)));
        assert!(!doc.contains("width=") && !doc.contains("height=") && !doc.contains("style="));
        assert!(doc.ends_with("</svg>"));
    }

    #[test]
    fn crc() {
        let fixture = "00020101021226620014COM.GO-JEK.WWW011993600914349052630340210G4905263030303UKE51440014ID.CO.QRIS.WWW0215AID0607336128660303UKE5204341453033605802ID5904Test6007BANDUNG6105402845409789000.0062475036c032f87c-f773-4619-aefa-675e1f06f9210703A016304A623";
        assert!(qris_crc_ok(fixture));
        assert!(!qris_crc_ok(&fixture.replace("A623", "A624")));
        assert!(!qris_crc_ok(&fixture.replace("BANDUNG", "BANDUNX")));
        // "123456789" is the standard check input: 0x29B1.
        assert!(qris_crc_ok("12345678929B1"));
        assert!(!qris_crc_ok("29b1x"));
        assert!(!qris_crc_ok("abc"));
        assert!(!qris_crc_ok("aé1234"));
    }
}
