//! QR code images as PNG: a 1-bit grayscale image in stored (uncompressed) deflate blocks.
//! At one bit per pixel a QR image is a few dozen kilobytes even without compression.

use qrcode::{Color, EcLevel, QrCode};

/// Pixels per QR module.
const SCALE: usize = 8;
/// The quiet zone the QR specification asks for, in modules.
const QUIET: usize = 4;

/// Renders `payload` as a PNG QR code (error correction M), or `None` when it is too long for a QR.
pub fn qr_code(payload: &str) -> Option<Vec<u8>> {
    let code = QrCode::with_error_correction_level(payload, EcLevel::M).ok()?;
    let modules = code.width();
    let colors = code.to_colors();
    let size = (modules + 2 * QUIET) * SCALE;
    let row_bytes = size.div_ceil(8);
    let mut raw = Vec::with_capacity((row_bytes + 1) * size);
    for y in 0..size {
        raw.push(0); // filter: none
        let start = raw.len();
        raw.resize(start + row_bytes, 0);
        for x in 0..size {
            let (mx, my) = (x / SCALE, y / SCALE);
            let dark = (QUIET..QUIET + modules).contains(&mx)
                && (QUIET..QUIET + modules).contains(&my)
                && colors[(my - QUIET) * modules + (mx - QUIET)] == Color::Dark;
            // In 1-bit grayscale a set bit is white.
            if !dark {
                raw[start + x / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    Some(encode_gray1(size as u32, size as u32, &raw))
}

/// Wraps filtered scanlines of a 1-bit grayscale image into a PNG file.
fn encode_gray1(width: u32, height: u32, scanlines: &[u8]) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    // Bit depth 1, colour type 0 (grayscale), deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[1, 0, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &header);
    chunk(&mut png, b"IDAT", &zlib_stored(scanlines));
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of stored deflate blocks (each at most 65,535 bytes).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(0xFFFF).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_their_check_values() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn png_decodes_back_to_the_payload() {
        let payload = "00020101021226620014COM.GO-JEK.WWW0118936009140000000001";
        let png = qr_code(payload).expect("fits in a QR code");
        let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .expect("a valid PNG")
            .to_luma8();
        assert_eq!(image.width(), image.height());
        // The quiet zone is white, and the finder pattern's corner is black.
        assert_eq!(image.get_pixel(0, 0).0, [255]);
        let corner = (QUIET * SCALE) as u32;
        assert_eq!(image.get_pixel(corner, corner).0, [0]);
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().expect("decodes");
        assert_eq!(content, payload);
    }

    #[test]
    fn large_images_span_several_stored_blocks() {
        let data = vec![7u8; 200_000];
        let z = zlib_stored(&data);
        // Header, four block headers, the data and the Adler-32 trailer.
        assert_eq!(z.len(), 2 + 4 * 5 + data.len() + 4);
        assert_eq!(z[2], 0, "first block is not final");
        assert_eq!(z[2 + 5 + 0xFFFF], 0);
        assert_eq!(z[2 + 3 * (5 + 0xFFFF)], 1, "last block is final");
    }
}
