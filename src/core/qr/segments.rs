//! The payload as a bit stream: printable ASCII split into numeric, alphanumeric and byte
//! segments, whichever makes the stream shortest; anything else in byte mode.

use qrcode::bits::Bits;
use qrcode::{EcLevel, QrResult, Version};

/// The encoding modes a printable ASCII payload is split into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SegMode {
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
pub(super) fn segment_modes(data: &[u8], band: usize) -> Vec<SegMode> {
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
pub(super) fn segmented(data: &[u8]) -> QrResult<Bits> {
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

pub(super) fn push_segments(bits: &mut Bits, data: &[u8], modes: &[SegMode]) -> QrResult<()> {
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
pub(super) fn byte_mode(data: &[u8]) -> QrResult<Bits> {
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
