//! The QRIS checksum: EMVCo tag 63 holds the CRC-16/CCITT-FALSE of the payload before it.

/// `true` when the last four characters of a QRIS payload are the uppercase
/// hex CRC-16/CCITT-FALSE of everything before them (EMVCo tag 63). A payload
/// that fails this is refused by banking apps after scanning.
pub fn crc_ok(payload: &str) -> bool {
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
