//! The zip container of a workbook: deflated entries, every entry dated
//! 1980-01-01 00:00, so the bytes depend on the parts alone. The
//! compressor is this crate's own ([`super::deflate`]), so a build with
//! or without polars (whose deflate backend a library would share) writes
//! the same bytes.

use super::deflate::deflate;
use crate::error::PublishError;

/// CRC-32 (IEEE, reflected) lookup table, built at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 of `data`, as zip records it.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// MS-DOS date of 1980-01-01 (day 1, month 1, year 0); the time is 00:00.
const DOS_DATE: u16 = (1 << 5) | 1;
/// Zip 2.0: what a reader needs for deflated entries.
const VERSION: u16 = 20;
/// Compression method 8, deflate.
const DEFLATED: u16 = 8;

fn u16_le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32_le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// The fields a local header and a central directory record share, from
/// "version needed" to the extra field's length.
fn common_fields(out: &mut Vec<u8>, crc: u32, packed: u32, size: u32, name_len: u16) {
    u16_le(out, VERSION);
    u16_le(out, 0); // flags: names are ASCII, sizes known up front
    u16_le(out, DEFLATED);
    u16_le(out, 0); // time 00:00:00
    u16_le(out, DOS_DATE);
    u32_le(out, crc);
    u32_le(out, packed);
    u32_le(out, size);
    u16_le(out, name_len);
    u16_le(out, 0); // extra field length
}

fn too_big() -> PublishError {
    PublishError::Internal("workbook: a part or the whole file exceeds 4 GiB".into())
}

/// A zip archive of `(name, bytes)` entries, in the order given.
pub(crate) fn zip(entries: &[(&str, Vec<u8>)]) -> Result<Vec<u8>, PublishError> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = u32::try_from(out.len()).map_err(|_| too_big())?;
        let size = u32::try_from(data.len()).map_err(|_| too_big())?;
        let packed_data = deflate(data);
        let packed = u32::try_from(packed_data.len()).map_err(|_| too_big())?;
        let name_len = u16::try_from(name.len()).map_err(|_| too_big())?;
        let crc = crc32(data);
        u32_le(&mut out, 0x0403_4b50);
        common_fields(&mut out, crc, packed, size, name_len);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&packed_data);

        u32_le(&mut central, 0x0201_4b50);
        u16_le(&mut central, VERSION); // made by: MS-DOS attributes, zip 2.0
        common_fields(&mut central, crc, packed, size, name_len);
        u16_le(&mut central, 0); // comment length
        u16_le(&mut central, 0); // disk number
        u16_le(&mut central, 0); // internal attributes
        u32_le(&mut central, 0); // external attributes
        u32_le(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let count = u16::try_from(entries.len()).map_err(|_| too_big())?;
    let cd_offset = u32::try_from(out.len()).map_err(|_| too_big())?;
    let cd_size = u32::try_from(central.len()).map_err(|_| too_big())?;
    out.extend_from_slice(&central);
    u32_le(&mut out, 0x0605_4b50);
    u16_le(&mut out, 0); // this disk
    u16_le(&mut out, 0); // disk of the central directory
    u16_le(&mut out, count);
    u16_le(&mut out, count);
    u32_le(&mut out, cd_size);
    u32_le(&mut out, cd_offset);
    u16_le(&mut out, 0); // comment length
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_known_answers() {
        // The check value of CRC-32/ISO-HDLC, and the empty input.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn one_entry_archive_layout() {
        let zip = zip(&[("a.txt", b"hi".to_vec())]).unwrap();
        // "hi" deflates to 4 bytes: 3 header bits, two 8-bit literals and
        // the 7-bit end of block make 26 bits.
        let packed = deflate(b"hi");
        assert_eq!(packed.len(), 4);
        // Local header 30 + name 5 + data 4; central 46 + 5; end 22.
        assert_eq!(zip.len(), 39 + 51 + 22);
        assert_eq!(&zip[..4], b"PK\x03\x04");
        assert_eq!(u16::from_le_bytes([zip[8], zip[9]]), 8, "deflated");
        assert_eq!(&zip[30..35], b"a.txt");
        assert_eq!(&zip[35..39], &packed[..]);
        assert_eq!(&zip[39..43], b"PK\x01\x02");
        let end = &zip[zip.len() - 22..];
        assert_eq!(&end[..4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([end[10], end[11]]), 1);
        assert_eq!(u32::from_le_bytes([end[16], end[17], end[18], end[19]]), 39);
        // The date field of both headers: 1980-01-01; sizes 4 and 2.
        assert_eq!(u16::from_le_bytes([zip[12], zip[13]]), 0x21);
        assert_eq!(&zip[18..26], &[4, 0, 0, 0, 2, 0, 0, 0]);
    }
}
