//! `qr_string` to one compact SVG path, drawn with a stroke.
//!
//! The matrix comes from the `qrcode` crate (error correction M). Dark modules
//! are drawn as horizontal runs of one path stroked one module wide with butt
//! caps: a move to the run's start, then `h` its length. A rectangle per run
//! needs three edges, a stroked run one, so this is about half the bytes of
//! filling the runs.
//!
//! A stroke is centred on its line, so a row's runs belong on the row's centre
//! line, half a module down. The path is written in whole rows (`M4 4`, not
//! `M4 4.5`) and every drawing of it is moved half a module down: the widget's
//! `<svg>` by its viewBox ([`view_box`]), a standalone SVG or the saved PNG by
//! [`PATH_TRANSFORM`]; one attribute (or canvas call) instead of `.5` in every
//! absolute move. Which way each row is walked, which way each run
//! is drawn and whether each move is `m` or `M` change the byte count, so the
//! cheapest combination is chosen by dynamic programming over the runs, row by
//! row (the pen left by one run is the next move's origin).
//!
//! Inside: `segments` splits the payload into the modes that make the shortest bit stream,
//! `mask` picks the mask by the specification's penalty (scored bitwise), and `path` draws
//! the runs as the shortest path text.

mod mask;
mod path;
mod segments;
#[cfg(test)]
mod tests;

use path::{Drawing, Run};
use qrcode::Color;
use std::fmt;

/// Light modules around the code, as the QR specification asks.
pub const QUIET_ZONE: u32 = 4;
/// Longest payload drawn: the byte capacity of version 40 at level M.
pub const MAX_PAYLOAD_BYTES: usize = 2331;

/// How every drawing of [`QrSvg::path`] is placed: half a module down, so a
/// run on row `y` is stroked along `y + 0.5` and covers exactly its row.
pub const PATH_TRANSFORM: &str = "translate(0 .5)";

/// The `viewBox` of an `<svg>` drawing the path of a `size`-module code untransformed: it
/// starts half a module up, so the path's rows sit on their centre lines (three bytes more
/// than `0 0 n n`, where [`PATH_TRANSFORM`] on the path costs 28).
pub fn view_box(size: u32) -> String {
    format!("0 -.5 {size} {size}")
}

/// A QR code as one stroked SVG path of its dark modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrSvg {
    /// Side in modules, quiet zone included: the `viewBox` is `0 0 size size`.
    pub size: u32,
    /// The `d` attribute, in module units, quiet zone included: horizontal runs
    /// at their rows' top edges, to be stroked 1 wide with butt caps after
    /// [`PATH_TRANSFORM`].
    pub path: String,
}

impl QrSvg {
    /// A complete, self-contained `<svg>` without width or height, for the
    /// page's CSS to size: a white square (the quiet zone must be light even on
    /// a dark page) and the dark path stroked 1 wide. The path needs no fill:
    /// its runs enclose no area, so the default fill paints nothing.
    pub fn to_svg(&self) -> String {
        let n = self.size;
        format!(
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" shape-rendering="crispEdges">"#,
                r##"<path fill="#fff" d="M0 0h{n}v{n}H0z"/>"##,
                r##"<path stroke="#000" stroke-width="1" transform="{t}" d="{d}"/></svg>"##
            ),
            n = n,
            t = PATH_TRANSFORM,
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
    /// The browser build has no QR module to draw with (the package loads it for every view
    /// that may draw one: see [`draw`]).
    NoModule,
}

impl fmt::Display for QrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QrError::Empty => "the QR payload is empty",
            QrError::TooLong => "the QR payload is too long for a QR code",
            QrError::NoModule => "the QR module was not loaded",
        })
    }
}

impl std::error::Error for QrError {}

/// Draws `payload` as a QR code at error correction level M.
pub fn qr_svg(payload: &str) -> Result<QrSvg, QrError> {
    let m = Matrix::encode(payload)?;
    let path = Drawing::optimal(&m.rows()).render();
    Ok(QrSvg { size: m.size, path })
}

/// What the view draws a payload with. Native and `server` builds use [`qr_svg`]. The browser
/// build (`cfg(browser_build)`, see build.rs) has no encoder: the package's QR module
/// (crates/qr-module, this very encoder compiled alone) draws for it, loaded beside the widget's
/// module for a page whose QR no server drew, and a page that shows a server's drawing never
/// fetches it.
#[cfg(not(browser_build))]
pub fn draw(payload: &str) -> Result<QrSvg, QrError> {
    qr_svg(payload)
}

#[cfg(browser_build)]
pub fn draw(payload: &str) -> Result<QrSvg, QrError> {
    if payload.is_empty() {
        return Err(QrError::Empty);
    }
    crate::driver::qr_module::draw(payload)
}

/// [`qr_svg`] with the runs in reading order ([`Drawing::plain`]) instead of the shortest path:
/// what the browser's QR module (crates/qr-module) draws, where the path's bytes are never sent
/// and the shortest path's search would be.
pub fn qr_svg_plain(payload: &str) -> Result<QrSvg, QrError> {
    let m = Matrix::encode(payload)?;
    Ok(QrSvg {
        size: m.size,
        path: Drawing::plain(&m.rows()),
    })
}

/// The dark/light modules of `payload`'s code, quiet zone included, row by row
/// (`true` is dark). This is what [`qr_svg`]'s path must stroke exactly.
pub fn qr_modules(payload: &str) -> Result<(u32, Vec<bool>), QrError> {
    let m = Matrix::encode(payload)?;
    let n = m.size as usize;
    let mut cells = vec![false; n * n];
    for run in m.rows().iter().flatten() {
        let row = run.y as usize * n;
        for x in run.x..run.x + run.w {
            cells[row + x as usize] = true;
        }
    }
    Ok((m.size, cells))
}

/// The byte length of the shortest one-path stroked-run `d` for `payload`'s
/// matrix, the reference [`qr_svg`] is measured against: every maximal
/// horizontal run one `h`, runs taken row by row from the top, each row walked
/// in either direction and each run drawn either way, every move the shorter of
/// `M` and `m`, no needless separators, rows as whole numbers. (Rows written at
/// their centre lines instead, `M4 4.5`, are never shorter: relative moves are
/// the same and absolute ones two bytes longer.) `None` when it cannot be
/// encoded.
pub fn shortest_stroke_path_len(payload: &str) -> Option<usize> {
    let rows = Matrix::encode(payload).ok()?.rows();
    Some(Drawing::optimal(&rows).cost)
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
        let bits = if payload.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            segments::segmented(payload.as_bytes())
        } else {
            segments::byte_mode(payload.as_bytes())
        };
        let (width, colors) = bits.and_then(mask::symbol).map_err(|_| QrError::TooLong)?;
        Ok(Matrix {
            size: width as u32 + 2 * QUIET_ZONE,
            width,
            colors,
        })
    }

    /// Maximal horizontal runs of dark modules, row by row, left to right, in
    /// SVG coordinates.
    fn rows(&self) -> Vec<Vec<Run>> {
        let q = QUIET_ZONE as i32;
        let mut rows = Vec::with_capacity(self.width);
        for (y, row) in self.colors.chunks(self.width).enumerate() {
            let mut runs = Vec::new();
            let mut x = 0;
            while x < row.len() {
                if row[x] == Color::Dark {
                    let x0 = x;
                    while x < row.len() && row[x] == Color::Dark {
                        x += 1;
                    }
                    runs.push(Run {
                        x: x0 as i32 + q,
                        y: y as i32 + q,
                        w: (x - x0) as i32,
                    });
                } else {
                    x += 1;
                }
            }
            rows.push(runs);
        }
        rows
    }
}
