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

use qrcode::bits::Bits;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{ec, Color, EcLevel, QrResult, Version};
use std::fmt;
use std::fmt::Write as _;

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
    let path = Plan::optimal(&m.rows()).render();
    Ok(QrSvg { size: m.size, path })
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
    Some(Plan::optimal(&rows).cost)
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
    // Digit by digit rather than through format!, which would bring hex formatting into the wasm.
    let crc = crc16(body.as_bytes());
    given
        .bytes()
        .zip([12, 8, 4, 0])
        .all(|(b, shift)| b"0123456789ABCDEF".get(usize::from((crc >> shift) & 0xf)) == Some(&b))
}

/// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), the QRIS checksum.
pub fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0xffff;
    for &byte in bytes {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
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
            segmented(payload.as_bytes())
        } else {
            byte_mode(payload.as_bytes())
        };
        let (width, colors) = bits.and_then(symbol).map_err(|_| QrError::TooLong)?;
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

/// The encoding modes a printable ASCII payload is split into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SegMode {
    Numeric,
    Alphanumeric,
    Byte,
}

const SEG_MODES: [SegMode; 3] = [SegMode::Numeric, SegMode::Alphanumeric, SegMode::Byte];

impl SegMode {
    /// Whether `b` can be written in this mode.
    fn holds(self, b: u8) -> bool {
        match self {
            SegMode::Numeric => b.is_ascii_digit(),
            SegMode::Alphanumeric => {
                b.is_ascii_digit() || b.is_ascii_uppercase() || b" $%*+-./:".contains(&b)
            }
            SegMode::Byte => true,
        }
    }

    /// Bits a character costs, times 6 (numeric 10 bits per 3, alphanumeric 11 per 2).
    fn char_cost(self) -> u32 {
        match self {
            SegMode::Numeric => 20,
            SegMode::Alphanumeric => 33,
            SegMode::Byte => 48,
        }
    }

    /// The segment header's bits (mode indicator and character count), times 6, for a
    /// version of the band `band` (0: 1-9, 1: 10-26, 2: 27-40).
    fn head_cost(self, band: usize) -> u32 {
        let count = match self {
            SegMode::Numeric => [10, 12, 14],
            SegMode::Alphanumeric => [9, 11, 13],
            SegMode::Byte => [8, 16, 16],
        };
        (4 + count[band]) * 6
    }
}

/// The mode of each character that makes the shortest bit stream for a version band:
/// the shortest path through the states "the current segment is in mode m" (ISO/IEC 18004
/// Annex J's aim, solved exactly by dynamic programming over the payload).
fn segment_modes(data: &[u8], band: usize) -> Vec<SegMode> {
    const NONE: u32 = u32::MAX;
    let n = data.len();
    // from[i][m]: the mode character i is written in when the state after it is mode m.
    let mut from = vec![[SegMode::Byte; 3]; n];
    let mut cost = SEG_MODES.map(|m| m.head_cost(band));
    for (i, &b) in data.iter().enumerate() {
        let mut next = [NONE; 3];
        for (k, m) in SEG_MODES.iter().enumerate() {
            if m.holds(b) && cost[k] != NONE {
                next[k] = cost[k] + m.char_cost();
                from[i][k] = *m;
            }
        }
        // Close the segment after this character and open another, in whole bits.
        let ended = next;
        for (to, m) in SEG_MODES.iter().enumerate() {
            for (k, &c) in ended.iter().enumerate() {
                if c == NONE {
                    continue;
                }
                let switched = c.div_ceil(6) * 6 + m.head_cost(band);
                if switched < next[to] {
                    next[to] = switched;
                    from[i][to] = SEG_MODES[k];
                }
            }
        }
        cost = next;
    }
    let mut state = SEG_MODES[(0..3).min_by_key(|&k| cost[k]).unwrap_or(2)];
    let mut modes = vec![SegMode::Byte; n];
    for i in (0..n).rev() {
        let k = SEG_MODES.iter().position(|m| *m == state).unwrap_or(2);
        state = from[i][k];
        modes[i] = state;
    }
    modes
}

/// Printable ASCII in the smallest version at level M, split into numeric, alphanumeric
/// and byte segments by [`segment_modes`] for each version band.
fn segmented(data: &[u8]) -> QrResult<Bits> {
    let mut last = Err(qrcode::types::QrError::DataTooLong);
    let mut band_modes: Option<(usize, Vec<SegMode>)> = None;
    for v in 1..=40i16 {
        let band = match v {
            1..=9 => 0,
            10..=26 => 1,
            _ => 2,
        };
        if band_modes.as_ref().is_none_or(|(b, _)| *b != band) {
            band_modes = Some((band, segment_modes(data, band)));
        }
        let modes = band_modes
            .as_ref()
            .map(|(_, m)| m.as_slice())
            .unwrap_or(&[]);
        let mut bits = Bits::new(Version::Normal(v));
        last = push_segments(&mut bits, data, modes)
            .and_then(|()| bits.push_terminator(EcLevel::M))
            .map(|()| bits);
        if last.is_ok() {
            break;
        }
    }
    last
}

fn push_segments(bits: &mut Bits, data: &[u8], modes: &[SegMode]) -> QrResult<()> {
    let mut start = 0;
    while start < data.len() {
        let mode = modes[start];
        let end = modes[start..]
            .iter()
            .position(|m| *m != mode)
            .map_or(data.len(), |k| start + k);
        let part = &data[start..end];
        match mode {
            SegMode::Numeric => bits.push_numeric_data(part),
            SegMode::Alphanumeric => bits.push_alphanumeric_data(part),
            SegMode::Byte => bits.push_byte_data(part),
        }?;
        start = end;
    }
    Ok(())
}

/// Byte mode only: the automatic mode choice may pick Kanji mode for UTF-8
/// bytes that look like Shift JIS, and scanners would then read other text.
fn byte_mode(data: &[u8]) -> QrResult<Bits> {
    let mut last = Err(qrcode::types::QrError::DataTooLong);
    for v in 1..=40 {
        let mut bits = Bits::new(Version::Normal(v));
        last = bits
            .push_byte_data(data)
            .and_then(|()| bits.push_terminator(EcLevel::M))
            .map(|()| bits);
        if last.is_ok() {
            break;
        }
    }
    last
}

/// The masks in the order the `qrcode` crate tries them (a tie keeps the first).
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The symbol for `bits` at level M: side and modules, row by row. The `qrcode` crate
/// builds the codewords, draws the patterns and data and applies each mask; the mask is
/// chosen here by [`penalty`], the crate's own scoring on a plain matrix (its version
/// boxes a closure for every position it checks for finder look-alikes, which made it
/// most of a mount's time). The same symbol as `QrCode::with_bits`, module for module.
fn symbol(bits: Bits) -> QrResult<(usize, Vec<Color>)> {
    let version = bits.version();
    let data = bits.into_bytes();
    let (data, ecc) = ec::construct_codewords(&data, version, EcLevel::M)?;
    let mut canvas = Canvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ecc);
    let width = version.width() as usize;
    let mut best: Option<(u16, Vec<Color>)> = None;
    for mask in MASKS {
        let mut masked = canvas.clone();
        masked.apply_mask(mask);
        let colors = masked.into_colors();
        let score = penalty(&colors, width);
        if best.as_ref().is_none_or(|(b, _)| score < *b) {
            best = Some((score, colors));
        }
    }
    Ok((width, best.map(|(_, c)| c).unwrap_or_default()))
}

/// A line of the symbol (a row, or a column) as bits: module `j` is bit `j % 64` of word
/// `j / 64`, set when dark. Three words hold the widest symbol (177 modules, version 40).
type Line = [u64; 3];

/// `a` moved `k` modules towards the line's start (module `j` is then `a`'s module
/// `j + k`), for `0 < k < 64`.
fn ahead(a: &Line, k: u32) -> Line {
    [
        a[0] >> k | a[1] << (64 - k),
        a[1] >> k | a[2] << (64 - k),
        a[2] >> k,
    ]
}

/// `a` moved `k` modules towards the line's end (module `j` is then `a`'s module `j - k`,
/// light before the start), for `0 < k < 64`.
fn behind(a: &Line, k: u32) -> Line {
    [
        a[0] << k,
        a[1] << k | a[0] >> (64 - k),
        a[2] << k | a[1] >> (64 - k),
    ]
}

fn and(a: &Line, b: &Line) -> Line {
    [a[0] & b[0], a[1] & b[1], a[2] & b[2]]
}

fn or(a: &Line, b: &Line) -> Line {
    [a[0] | b[0], a[1] | b[1], a[2] | b[2]]
}

/// The modules of `first` (the line's first `n` modules) where `a` and `b` agree.
fn same(a: &Line, b: &Line, first: &Line) -> Line {
    [
        !(a[0] ^ b[0]) & first[0],
        !(a[1] ^ b[1]) & first[1],
        !(a[2] ^ b[2]) & first[2],
    ]
}

/// The modules of `first` where `a` is light.
fn light(a: &Line, first: &Line) -> Line {
    [!a[0] & first[0], !a[1] & first[1], !a[2] & first[2]]
}

fn count(a: &Line) -> u32 {
    a[0].count_ones() + a[1].count_ones() + a[2].count_ones()
}

/// The first `n` modules of a line set.
fn first(n: usize) -> Line {
    let mut line = [0; 3];
    for (i, word) in line.iter_mut().enumerate() {
        let bits = n.saturating_sub(i * 64).min(64);
        *word = if bits == 64 {
            u64::MAX
        } else {
            (1 << bits) - 1
        };
    }
    line
}

/// N1 and N3 of one line: runs of five or more modules of one colour cost their length
/// less 2, and each 1:1:3:1:1 finder look-alike with four light modules (or the edge) on
/// either side is counted (40 each, added by the caller). `all` is [`first`] of the
/// symbol's width, `pairs` of one less (the modules that have a next one).
fn line_penalty(line: &Line, all: &Line, pairs: &Line) -> (u32, u32) {
    // Module j is where a run of five (j to j + 4) of one colour starts: a run of n >= 5
    // has n - 4 of them, and the first of each marks the run itself (+2 makes n - 2).
    let next = same(line, &ahead(line, 1), pairs);
    let five = and(
        &and(&next, &ahead(&next, 1)),
        &and(&ahead(&next, 2), &ahead(&next, 3)),
    );
    let starts = and(&five, &light(&behind(&five, 1), all));
    let runs = count(&five) + 2 * count(&starts);
    // Dark, light, dark x3, light, dark from module j (beyond the end counts as light,
    // so a look-alike must fit).
    let gap = light(line, all);
    let finder = and(
        &and(
            &and(line, &ahead(&gap, 1)),
            &and(&ahead(line, 2), &ahead(line, 3)),
        ),
        &and(&and(&ahead(line, 4), &ahead(&gap, 5)), &ahead(line, 6)),
    );
    let dark_before = or(
        &or(&behind(line, 1), &behind(line, 2)),
        &or(&behind(line, 3), &behind(line, 4)),
    );
    let dark_after = or(
        &or(&ahead(line, 7), &ahead(line, 8)),
        &or(&ahead(line, 9), &ahead(line, 10)),
    );
    let clear = light(&and(&dark_before, &dark_after), all);
    (runs, count(&and(&finder, &clear)))
}

/// A masked symbol's penalty as the `qrcode` crate scores it (ISO/IEC 18004 N1 to N4,
/// with the crate's unrounded balance term and its 16-bit wrapping arithmetic), so the mask
/// chosen is the crate's. Computed a line at a time on bits (the first mount runs it as
/// baseline code, eight times).
fn penalty(colors: &[Color], w: usize) -> u16 {
    debug_assert!(w <= 64 * 3, "a line is three words");
    let mut rows = vec![[0u64; 3]; w];
    let mut cols = vec![[0u64; 3]; w];
    let mut dark = 0u32;
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            let (y, x) = (i / w, i % w);
            rows[y][x / 64] |= 1 << (x % 64);
            cols[x][y / 64] |= 1 << (y % 64);
            dark += 1;
        }
    }
    // Every sum below is taken modulo 2^16 at the end, as the crate's u16 arithmetic wraps.
    let (all, pairs) = (first(w), first(w - 1));
    let mut score: u32 = 0;
    let mut finders: u32 = 0;
    for line in rows.iter().chain(cols.iter()) {
        let (runs, look_alikes) = line_penalty(line, &all, &pairs);
        score = score.wrapping_add(runs);
        finders = finders.wrapping_add(look_alikes);
    }
    // The three finder patterns themselves match 9 lines each way.
    score = score.wrapping_add(40 * finders).wrapping_sub(720);
    // N2: every 2x2 block of one colour costs 3.
    for pair in rows.windows(2) {
        let (top, bottom) = (&pair[0], &pair[1]);
        let block = and(
            &and(
                &same(top, &ahead(top, 1), &pairs),
                &same(bottom, &ahead(bottom, 1), &pairs),
            ),
            &same(top, bottom, &pairs),
        );
        score = score.wrapping_add(3 * count(&block));
    }
    // N4: distance of the dark share from half, in percent.
    let ratio = dark as usize * 200 / colors.len();
    score.wrapping_add(ratio.abs_diff(100) as u32) as u16
}

/// A horizontal run of dark modules: `w` modules from column `x` of row `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    x: i32,
    y: i32,
    w: i32,
}

/// A pen position: column, row.
type Pen = (i32, i32);

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

/// The move to `to`: relative when the pen is known and that is shorter.
fn move_to(pen: Option<Pen>, to: Pen) -> (usize, bool) {
    // The minus sign of a negative second number separates it from the first.
    let pair = |a: i32, b: i32| num_len(a) + usize::from(b >= 0) + num_len(b);
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

fn write_move(out: &mut String, pen: Option<Pen>, to: Pen, relative: bool) {
    let (cmd, (a, b)) = match pen {
        Some(p) if relative => ('m', (to.0 - p.0, to.1 - p.1)),
        _ => ('M', to),
    };
    let sep = if b < 0 { "" } else { " " };
    let _ = write!(out, "{cmd}{a}{sep}{b}");
}

/// One run in the drawing: which way it is drawn, how the pen got to its
/// start, the step before it and the bytes so far.
#[derive(Debug, Clone, Copy)]
struct Step {
    run: Run,
    leftward: bool,
    relative: bool,
    prev: Option<usize>,
    cost: usize,
}

impl Step {
    fn start(&self) -> Pen {
        let r = self.run;
        (if self.leftward { r.x + r.w } else { r.x }, r.y)
    }

    fn end(&self) -> Pen {
        let r = self.run;
        (if self.leftward { r.x } else { r.x + r.w }, r.y)
    }

    fn stroke(&self) -> i32 {
        if self.leftward {
            -self.run.w
        } else {
            self.run.w
        }
    }
}

/// The cheapest drawing of the runs, and its byte length.
struct Plan {
    steps: Vec<Step>,
    cost: usize,
}

impl Plan {
    fn optimal(rows: &[Vec<Run>]) -> Plan {
        // Every run gets four steps: its row walked left to right or right to
        // left, and the run drawn rightward or leftward. A step keeps the best
        // of the steps it can follow: the previous run of its row in the same
        // walk, or, for a row's first run, any of the previous row's last steps.
        let mut all: Vec<Step> = Vec::new();
        let mut incoming: Vec<usize> = Vec::new();
        for runs in rows.iter().filter(|r| !r.is_empty()) {
            let mut finals = Vec::with_capacity(4);
            for backwards in [false, true] {
                let mut frontier = incoming.clone();
                let walk: Box<dyn Iterator<Item = &Run>> = if backwards {
                    Box::new(runs.iter().rev())
                } else {
                    Box::new(runs.iter())
                };
                for &run in walk {
                    let mut next = Vec::with_capacity(2);
                    for leftward in [false, true] {
                        let mut step = Step {
                            run,
                            leftward,
                            relative: false,
                            prev: None,
                            cost: 0,
                        };
                        let start = step.start();
                        let (mut best, _) = move_to(None, start);
                        for &p in &frontier {
                            let (len, relative) = move_to(Some(all[p].end()), start);
                            let total = all[p].cost + len;
                            if step.prev.is_none() || total < best {
                                best = total;
                                step.prev = Some(p);
                                step.relative = relative;
                            }
                        }
                        step.cost = best + 1 + num_len(step.stroke());
                        all.push(step);
                        next.push(all.len() - 1);
                    }
                    frontier = next;
                }
                finals.extend(frontier);
            }
            incoming = finals;
        }
        let Some(last) = incoming.into_iter().min_by_key(|&i| all[i].cost) else {
            return Plan {
                steps: Vec::new(),
                cost: 0,
            };
        };
        let cost = all[last].cost;
        let mut steps = Vec::new();
        let mut at = Some(last);
        while let Some(i) = at {
            steps.push(all[i]);
            at = all[i].prev;
        }
        steps.reverse();
        Plan { steps, cost }
    }

    fn render(&self) -> String {
        let mut out = String::with_capacity(self.cost);
        let mut pen = None;
        for step in &self.steps {
            write_move(&mut out, pen, step.start(), step.relative);
            let _ = write!(out, "h{}", step.stroke());
            pen = Some(step.end());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let theirs =
                QrCode::with_bits(segmented(payload.as_bytes()).unwrap(), EcLevel::M).unwrap();
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
    fn rendered_length_is_the_planned_cost() {
        for payload in ["x", "hello", "00020101021226620014COM.GO-JEK.WWW0119"] {
            let rows = Matrix::encode(payload).unwrap().rows();
            let plan = Plan::optimal(&rows);
            assert_eq!(plan.render().len(), plan.cost, "{payload}");
            assert_eq!(
                plan.steps.len(),
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
        assert_eq!(Plan::optimal(&rows).render(), "M4 4h7m2 0h4M4 5h1");
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
            Plan::optimal(&rows).render(),
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
    fn the_plan_is_the_cheapest_of_all_walks() {
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
            let plan = Plan::optimal(&rows);
            assert_eq!(plan.cost, brute_force(&rows), "{rows:?}");
            assert_eq!(plan.render().len(), plan.cost);
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

    #[test]
    fn crc() {
        let fixture = "00020101021226620014COM.GO-JEK.WWW011993600914349052630340210G4905263030303UKE51440014ID.CO.QRIS.WWW0215AID0607336128660303UKE5204341453033605802ID5904Test6007BANDUNG6105402845409789000.0062475036c032f87c-f773-4619-aefa-675e1f06f9210703A016304A623";
        assert!(qris_crc_ok(fixture));
        assert!(!qris_crc_ok(&fixture.replace("A623", "A624")));
        assert!(!qris_crc_ok(&fixture.replace("BANDUNG", "BANDUNX")));
        // "123456789" is the standard check input: 0x29B1.
        assert_eq!(crc16(b"123456789"), 0x29B1);
        assert!(qris_crc_ok("12345678929B1"));
        assert!(!qris_crc_ok("29b1x"));
        assert!(!qris_crc_ok("abc"));
        assert!(!qris_crc_ok("aé1234"));
    }
}
