//! The symbol and its mask: the `qrcode` crate draws the modules, and the mask is chosen
//! here by the specification's penalty, computed a line at a time on bits.

use qrcode::bits::Bits;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{ec, Color, EcLevel, QrResult};

/// The masks in the order the `qrcode` crate tries them (a tie keeps the first).
pub(super) const MASKS: [MaskPattern; 8] = [
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
pub(super) fn symbol(bits: Bits) -> QrResult<(usize, Vec<Color>)> {
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
pub(super) fn penalty(colors: &[Color], w: usize) -> u16 {
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
