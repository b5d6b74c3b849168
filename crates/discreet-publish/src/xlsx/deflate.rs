//! DEFLATE (RFC 1951) compression for the workbook's zip entries: one block
//! with the fixed Huffman codes, matches found through hash chains over
//! the 32 KiB window. Spreadsheet XML repeats itself so much that the
//! matches do nearly all the work; a pure function of the input, so the
//! bytes are the same on every build.

/// Longest and shortest match DEFLATE can express, and its window.
const MAX_MATCH: usize = 258;
const MIN_MATCH: usize = 3;
const WINDOW: usize = 32 * 1024;
/// Candidates tried per position: more finds longer matches, slower.
const MAX_CHAIN: usize = 64;
const HASH_BITS: u32 = 15;

/// Base length of each length code (257 + index) and its extra bits.
const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Base distance of each distance code and its extra bits.
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// Bits written least significant first, as DEFLATE packs them.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, which DEFLATE stores most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        self.put(code.reverse_bits() >> (32 - len), len);
    }

    /// A literal/length symbol in the fixed code.
    fn symbol(&mut self, s: u16) {
        let s = u32::from(s);
        match s {
            0..=143 => self.code(0x30 + s, 8),
            144..=255 => self.code(0x190 + s - 144, 9),
            256..=279 => self.code(s - 256, 7),
            _ => self.code(0xC0 + s - 280, 8),
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// Index of the code whose range holds `v`, in a table of base values.
fn code_index(bases: &[u16], v: usize) -> usize {
    bases
        .iter()
        .rposition(|&b| usize::from(b) <= v)
        .unwrap_or(0)
}

fn hash(data: &[u8], i: usize) -> usize {
    let v = u32::from(data[i]) << 16 | u32::from(data[i + 1]) << 8 | u32::from(data[i + 2]);
    (v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// Hash chains: the latest position of each hash, and for each position
/// the previous one with the same hash.
struct Chains {
    head: Vec<usize>,
    prev: Vec<usize>,
}

impl Chains {
    const NONE: usize = usize::MAX;

    fn insert(&mut self, data: &[u8], i: usize) {
        if i + MIN_MATCH <= data.len() {
            let h = hash(data, i);
            self.prev[i % WINDOW] = self.head[h];
            self.head[h] = i;
        }
    }

    /// The longest earlier match for position `i`: (length, distance).
    fn longest(&self, data: &[u8], i: usize) -> (usize, usize) {
        let mut best = (0, 0);
        if i + MIN_MATCH > data.len() {
            return best;
        }
        let max = MAX_MATCH.min(data.len() - i);
        let mut cand = self.head[hash(data, i)];
        for _ in 0..MAX_CHAIN {
            if cand == Self::NONE || cand >= i || i - cand > WINDOW - 1 {
                break;
            }
            let len = data[cand..]
                .iter()
                .zip(&data[i..i + max])
                .take_while(|(a, b)| a == b)
                .count();
            if len > best.0 {
                best = (len, i - cand);
                if len == max {
                    break;
                }
            }
            let next = self.prev[cand % WINDOW];
            if next == Self::NONE || next >= cand {
                break;
            }
            cand = next;
        }
        best
    }
}

/// `data` as a raw DEFLATE stream (no zlib or gzip wrapper).
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    let mut bits = Bits {
        out: Vec::with_capacity(data.len() / 4),
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // the final block
    bits.put(1, 2); // fixed Huffman codes
    let mut chains = Chains {
        head: vec![Chains::NONE; 1 << HASH_BITS],
        prev: vec![Chains::NONE; WINDOW],
    };
    let mut i = 0;
    while i < data.len() {
        let (len, dist) = chains.longest(data, i);
        if len >= MIN_MATCH {
            let l = code_index(&LEN_BASE, len);
            bits.symbol(257 + l as u16);
            bits.put(
                (len - usize::from(LEN_BASE[l])) as u32,
                u32::from(LEN_EXTRA[l]),
            );
            let d = code_index(&DIST_BASE, dist);
            bits.code(d as u32, 5);
            bits.put(
                (dist - usize::from(DIST_BASE[d])) as u32,
                u32::from(DIST_EXTRA[d]),
            );
            for k in i..i + len {
                chains.insert(data, k);
            }
            i += len;
        } else {
            bits.symbol(u16::from(data[i]));
            chains.insert(data, i);
            i += 1;
        }
    }
    bits.symbol(256);
    bits.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn inflate(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn empty_input_is_the_end_of_block_alone() {
        // BFINAL 1, BTYPE 01, then symbol 256 (seven zero bits).
        assert_eq!(deflate(b""), [0x03, 0x00]);
    }

    #[test]
    fn length_258_uses_its_own_code() {
        assert_eq!(code_index(&LEN_BASE, 258), 28);
        assert_eq!(code_index(&LEN_BASE, 257), 27);
        assert_eq!(code_index(&DIST_BASE, 32768), 29);
        assert_eq!(code_index(&DIST_BASE, 1), 0);
    }

    #[test]
    fn round_trips_through_an_independent_inflater() {
        // Repetitive XML, long runs, every byte value, and pseudo-random
        // bytes (a fixed linear congruential sequence) past the window.
        let xml: Vec<u8> = (0..5_000)
            .flat_map(|i| format!("<c r=\"B{i}\" s=\"3\"><v>{}</v></c>", i * 5).into_bytes())
            .collect();
        let mut x = 12345u32;
        let noise: Vec<u8> = (0..100_000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8 % 7
            })
            .collect();
        let all: Vec<u8> = (0..=255u8).collect();
        for input in [xml.clone(), vec![b'a'; 70_000], all, noise, b"ab".to_vec()] {
            let packed = deflate(&input);
            assert_eq!(inflate(&packed), input);
        }
        assert!(deflate(&xml).len() * 5 < xml.len(), "XML compresses");
    }

    #[test]
    fn random_inputs_round_trip() {
        // Lengths up to twice the window, alphabets from 1 to 256 symbols,
        // from a fixed xorshift sequence.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..40 {
            let len = (next() % (2 * WINDOW as u64 + 1)) as usize;
            let alphabet = next() % 256 + 1;
            let input: Vec<u8> = (0..len).map(|_| (next() % alphabet) as u8).collect();
            assert_eq!(
                inflate(&deflate(&input)),
                input,
                "{len} bytes of {alphabet}"
            );
        }
    }
}
