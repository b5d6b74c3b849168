//! The IRCC publication rule: small counts shown as `--`, every other count
//! rounded to a multiple of a base, each cell (totals included) on its own.
//!
//! IRCC's note reads: "all values between 0 and 5 are shown as '--' ... All
//! other values are rounded to the closest multiple of 5". The suppression
//! range, the base, how zero is shown and (for even bases) the tie rule are
//! parameters so that other readings of that note can be declared in a spec.

use std::fmt;

/// How a true count of zero is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZeroDisplay {
    /// Zero is shown as `0` (IRCC's practice: a zero discloses nobody).
    Zero,
    /// Zero is shown as `--`, indistinguishable from a suppressed count.
    Suppressed,
}

/// Which multiple a count exactly half-way between two multiples goes to.
/// Only matters for even bases: with an odd base integer counts never tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TieRule {
    /// Half-way counts go to the larger multiple.
    Up,
    /// Half-way counts go to the smaller multiple.
    Down,
    /// Half-way counts go to the multiple whose quotient is even.
    Even,
}

/// How a published value was protected. Written beside each value, so it
/// must never say more than the value itself: a zero shown as `--` has the
/// status [`CellStatus::Suppressed`], not a status of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum CellStatus {
    /// Shown as `0`; the true count is zero.
    Zero = 0,
    /// Shown as `--`.
    Suppressed = 1,
    /// Shown as a multiple of the rounding base.
    Rounded = 2,
    /// Hidden by secondary suppression, so that other hidden cells cannot
    /// be worked out from the sums: a count the rule would have shown. It is
    /// shown `--` and written with the status `suppressed`, like the cells
    /// the rule hides: telling them apart would tell an outsider which
    /// hidden cells are small.
    Secondary = 3,
}

impl CellStatus {
    /// The word written in status columns.
    pub fn as_str(self) -> &'static str {
        match self {
            CellStatus::Zero => "zero",
            CellStatus::Suppressed => "suppressed",
            CellStatus::Rounded => "rounded",
            CellStatus::Secondary => "secondary",
        }
    }
}

/// A value as it appears in a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shown {
    /// `0`.
    Zero,
    /// `--`.
    Suppressed,
    /// A rounded count, a positive multiple of the base.
    Value(u64),
}

impl Shown {
    /// The status that goes with this shown value.
    pub fn status(self) -> CellStatus {
        match self {
            Shown::Zero => CellStatus::Zero,
            Shown::Suppressed => CellStatus::Suppressed,
            Shown::Value(_) => CellStatus::Rounded,
        }
    }

    /// Parses the text of a published CSV value (`0`, `--` or digits).
    pub fn parse(text: &str) -> Option<Shown> {
        match text {
            "--" => Some(Shown::Suppressed),
            "0" => Some(Shown::Zero),
            t if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && !t.starts_with('0') => {
                t.parse().ok().map(Shown::Value)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shown::Zero => f.write_str("0"),
            Shown::Suppressed => f.write_str("--"),
            Shown::Value(v) => write!(f, "{v}"),
        }
    }
}

/// A rule parameter that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleError {
    /// The rounding base must be at least 1.
    ZeroBase,
    /// The suppression range must be `lo..=hi` with `1 <= lo <= hi`.
    BadSuppressionRange { lo: u64, hi: u64 },
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleError::ZeroBase => f.write_str("rounding base must be at least 1"),
            RuleError::BadSuppressionRange { lo, hi } => write!(
                f,
                "suppression range {lo}..={hi} is not valid: expected 1 <= lo <= hi (zero is configured separately)"
            ),
        }
    }
}

impl std::error::Error for RuleError {}

/// The IRCC rule with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IrccRule {
    base: u64,
    suppress_lo: u64,
    suppress_hi: u64,
    zero: ZeroDisplay,
    tie: TieRule,
}

impl Default for IrccRule {
    /// IRCC's published practice: base 5, `--` for 1..=4, zero shown as `0`.
    fn default() -> Self {
        IrccRule {
            base: 5,
            suppress_lo: 1,
            suppress_hi: 4,
            zero: ZeroDisplay::Zero,
            tie: TieRule::Up,
        }
    }
}

/// [`IrccRule::small_block`] compiled for the processor `features`: the
/// same loop, vectorized wider. Unsafe to call unless they are present.
macro_rules! small_block_with_features {
    ($name:ident, $features:literal) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $features)]
        unsafe fn $name(
            &self,
            counts: &[u64],
            shown: &mut [u64],
            status: &mut [CellStatus],
            round: impl Fn(u32, TieRule) -> u32,
        ) {
            self.small_block(counts, shown, status, round)
        }
    };
}

impl IrccRule {
    /// A rule with the given rounding base, suppression range (inclusive),
    /// zero display and tie rule.
    pub fn new(
        base: u64,
        suppress_lo: u64,
        suppress_hi: u64,
        zero: ZeroDisplay,
        tie: TieRule,
    ) -> Result<Self, RuleError> {
        if base == 0 {
            return Err(RuleError::ZeroBase);
        }
        if suppress_lo == 0 || suppress_lo > suppress_hi {
            return Err(RuleError::BadSuppressionRange {
                lo: suppress_lo,
                hi: suppress_hi,
            });
        }
        Ok(IrccRule {
            base,
            suppress_lo,
            suppress_hi,
            zero,
            tie,
        })
    }

    /// The rounding base.
    pub fn base(&self) -> u64 {
        self.base
    }
    /// The smallest suppressed count.
    pub fn suppress_lo(&self) -> u64 {
        self.suppress_lo
    }
    /// The largest suppressed count.
    pub fn suppress_hi(&self) -> u64 {
        self.suppress_hi
    }
    /// How zero is shown.
    pub fn zero_display(&self) -> ZeroDisplay {
        self.zero
    }
    /// How ties are broken.
    pub fn tie_rule(&self) -> TieRule {
        self.tie
    }

    /// Rounds a positive count to a multiple of the base. A positive count
    /// never rounds to zero (it goes up to the base instead), because a shown
    /// `0` promises a true zero.
    #[inline]
    pub fn round(&self, count: u64) -> u64 {
        round_to(count, self.base, self.tie)
    }

    /// What the rule shows for one true count.
    #[inline]
    pub fn protect(&self, count: u64) -> Shown {
        if count == 0 {
            match self.zero {
                ZeroDisplay::Zero => Shown::Zero,
                ZeroDisplay::Suppressed => Shown::Suppressed,
            }
        } else if count >= self.suppress_lo && count <= self.suppress_hi {
            Shown::Suppressed
        } else {
            Shown::Value(self.round(count))
        }
    }

    /// Protects a column of counts: `shown[i]` gets the rounded value (0 when
    /// suppressed or zero) and `status[i]` how it was protected. No
    /// allocation; the slices must have equal lengths.
    ///
    /// Speed: the column is taken in blocks. A block whose counts are all
    /// below 2^30 (nearly every block of a real table), under base 5 or 10,
    /// is protected in 32-bit arithmetic, which the compiler turns into
    /// vector instructions (AVX2 or AVX-512 where the processor has them,
    /// detected at run time); other blocks, one count at a time in 64 bits,
    /// with the division by the base made a multiply. Both give exactly
    /// [`IrccRule::protect`] (tested).
    pub fn protect_column(&self, counts: &[u64], shown: &mut [u64], status: &mut [CellStatus]) {
        assert!(counts.len() == shown.len() && counts.len() == status.len());
        const BLOCK: usize = 4096;
        let vector = VectorLevel::detect();
        let blocks = (counts.chunks(BLOCK))
            .zip(shown.chunks_mut(BLOCK))
            .zip(status.chunks_mut(BLOCK));
        for ((counts, shown), status) in blocks {
            let small = counts.iter().fold(0, |all, &c| all | c) < SMALL_COUNT;
            let done = small && self.protect_small_block(vector, counts, shown, status);
            if !done {
                // Bases 5 and 10 get loops of their own, where the division
                // by a constant becomes a multiply.
                let range = (self.suppress_lo, self.suppress_hi);
                let wide = |c: u64| c;
                match self.base {
                    5 => self
                        .protect_loop(counts, shown, status, range, wide, |c, t| round_to(c, 5, t)),
                    10 => self.protect_loop(counts, shown, status, range, wide, |c, t| {
                        round_to(c, 10, t)
                    }),
                    b => self
                        .protect_loop(counts, shown, status, range, wide, |c, t| round_to(c, b, t)),
                }
            }
        }
    }

    /// Protects a block of counts below [`SMALL_COUNT`] in 32-bit lanes,
    /// if the base is one with a loop of its own; `false` if not.
    fn protect_small_block(
        &self,
        vector: VectorLevel,
        counts: &[u64],
        shown: &mut [u64],
        status: &mut [CellStatus],
    ) -> bool {
        macro_rules! with_base {
            ($base:literal) => {{
                let round = |c: u32, t| round_small(c, $base, t);
                match vector {
                    // SAFETY: the processor has the features (detected).
                    #[cfg(target_arch = "x86_64")]
                    VectorLevel::Avx512 => unsafe {
                        self.small_avx512(counts, shown, status, round)
                    },
                    #[cfg(target_arch = "x86_64")]
                    VectorLevel::Avx2 => unsafe { self.small_avx2(counts, shown, status, round) },
                    VectorLevel::Plain => self.small_block(counts, shown, status, round),
                }
            }};
        }
        match self.base {
            5 => with_base!(5),
            10 => with_base!(10),
            _ => return false,
        }
        true
    }

    small_block_with_features!(small_avx2, "avx2");
    small_block_with_features!(small_avx512, "avx512f,avx512bw,avx512dq,avx512vl");

    /// The loop of [`IrccRule::protect_small_block`]: counts below
    /// [`SMALL_COUNT`] in 32 bits, so rounding up cannot overflow. The
    /// suppression range clamped to 32 bits gives every comparison the
    /// same answer for such counts.
    #[inline(always)]
    fn small_block(
        &self,
        counts: &[u64],
        shown: &mut [u64],
        status: &mut [CellStatus],
        round: impl Fn(u32, TieRule) -> u32,
    ) {
        let clamp = |n: u64| n.min(u64::from(u32::MAX)) as u32;
        let range = (clamp(self.suppress_lo), clamp(self.suppress_hi));
        self.protect_loop(counts, shown, status, range, |c| c as u32, round)
    }

    /// The rule over a column, with counts taken as `N` (`narrow`).
    #[inline(always)]
    fn protect_loop<N: Copy + Default + PartialOrd + Into<u64>>(
        &self,
        counts: &[u64],
        shown: &mut [u64],
        status: &mut [CellStatus],
        (lo, hi): (N, N),
        narrow: impl Fn(u64) -> N,
        round: impl Fn(N, TieRule) -> N,
    ) {
        let zero_status = match self.zero {
            ZeroDisplay::Zero => CellStatus::Zero,
            ZeroDisplay::Suppressed => CellStatus::Suppressed,
        };
        let tie = self.tie;
        for ((&c, s), st) in counts.iter().zip(shown.iter_mut()).zip(status.iter_mut()) {
            // Computed for every cell and selected without branches on the
            // data, which is what makes the loop fast (and vectorizable) on
            // mixed tables.
            let c = narrow(c);
            let zero = c == N::default();
            let suppressed = (c >= lo) & (c <= hi);
            let rounded = round(c, tie);
            *s = if zero | suppressed { 0 } else { rounded.into() };
            *st = if zero {
                zero_status
            } else if suppressed {
                CellStatus::Suppressed
            } else {
                CellStatus::Rounded
            };
        }
    }

    /// The smallest and largest true count that this rule shows as `shown`,
    /// or `None` when no count is shown that way (a value that is not a
    /// positive multiple of the base, or a `0` when zero is shown as `--`).
    /// This is all an outsider learns from one cell alone.
    ///
    /// With secondary suppression (`secondary`), a `--` may also hide any
    /// count the rule would have shown, so it allows every count from the
    /// bottom of the suppression range (0 when zero is shown `--`) up:
    /// the upper end is then `u64::MAX`, meaning unbounded.
    pub fn preimage_in(&self, shown: Shown, secondary: bool) -> Option<(u64, u64)> {
        match (shown, secondary) {
            (Shown::Suppressed, true) => self.preimage(shown).map(|(lo, _)| (lo, u64::MAX)),
            _ => self.preimage(shown),
        }
    }

    /// [`IrccRule::preimage_in`] of a release without secondary suppression.
    pub fn preimage(&self, shown: Shown) -> Option<(u64, u64)> {
        match shown {
            Shown::Zero => (self.zero == ZeroDisplay::Zero).then_some((0, 0)),
            Shown::Suppressed => {
                let lo = if self.zero == ZeroDisplay::Suppressed {
                    0
                } else {
                    self.suppress_lo
                };
                Some((lo, self.suppress_hi))
            }
            Shown::Value(r) => {
                if r == 0 || r % self.base != 0 {
                    return None;
                }
                let half = self.base / 2 + 1;
                let mut lo = r.saturating_sub(half).max(1);
                // A positive count never rounds to 0, so the smallest shown
                // multiple also collects every count below it.
                if r == self.base {
                    lo = 1;
                }
                let mut hi = r + half;
                while lo <= hi && self.protect(lo) != shown {
                    lo += 1;
                }
                while hi >= lo && self.protect(hi) != shown {
                    hi -= 1;
                }
                (lo <= hi).then_some((lo, hi))
            }
        }
    }
}

/// Counts below this are "small": [`round_small`] rounds them in 32 bits.
const SMALL_COUNT: u64 = 1 << 30;

/// Which vector instructions the processor running this has, as far as
/// [`IrccRule::protect_column`] uses them.
#[derive(Clone, Copy)]
enum VectorLevel {
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Plain,
}

impl VectorLevel {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512vl")
            {
                return VectorLevel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return VectorLevel::Avx2;
            }
        }
        VectorLevel::Plain
    }
}

/// [`round_to`] of a count below [`SMALL_COUNT`] in 32 bits, without
/// branches on the data, so that a loop of it vectorizes.
#[inline(always)]
fn round_small(count: u32, base: u32, tie: TieRule) -> u32 {
    let q = count / base;
    let twice = 2 * (count - q * base);
    let tie_up = match tie {
        TieRule::Up => true,
        TieRule::Down => false,
        TieRule::Even => q % 2 == 1,
    };
    let up = (twice > base) | ((twice == base) & tie_up);
    let rounded = (q + u32::from(up)) * base;
    if (rounded == 0) & (count > 0) {
        base
    } else {
        rounded
    }
}

/// `count` rounded to a multiple of `base` under `tie`; a positive count
/// never rounds to 0.
#[inline(always)]
fn round_to(count: u64, base: u64, tie: TieRule) -> u64 {
    let q = count / base;
    let r = count % base;
    let twice = 2 * r;
    let up = if twice < base {
        false
    } else if twice > base {
        true
    } else {
        match tie {
            TieRule::Up => true,
            TieRule::Down => false,
            TieRule::Even => q % 2 == 1,
        }
    };
    let rounded = if up { (q + 1) * base } else { q * base };
    if rounded == 0 && count > 0 {
        base
    } else {
        rounded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_secondary_suppression_a_dash_allows_every_count_from_the_range_up() {
        let rule = IrccRule::default();
        assert_eq!(rule.preimage_in(Shown::Suppressed, false), Some((1, 4)));
        assert_eq!(
            rule.preimage_in(Shown::Suppressed, true),
            Some((1, u64::MAX))
        );
        assert_eq!(rule.preimage_in(Shown::Value(5), true), Some((5, 7)));
        let dash_zero = IrccRule::new(5, 1, 4, ZeroDisplay::Suppressed, TieRule::Up).unwrap();
        assert_eq!(
            dash_zero.preimage_in(Shown::Suppressed, true),
            Some((0, u64::MAX))
        );
    }

    fn shown(rule: &IrccRule, n: u64) -> String {
        rule.protect(n).to_string()
    }

    #[test]
    fn ircc_default_known_answers() {
        let r = IrccRule::default();
        let expect = [
            (0, "0"),
            (1, "--"),
            (2, "--"),
            (3, "--"),
            (4, "--"),
            (5, "5"),
            (6, "5"),
            (7, "5"),
            (8, "10"),
            (12, "10"),
            (13, "15"),
            (22, "20"),
            (23, "25"),
            (1_865, "1865"),
            (1_867, "1865"),
            (1_868, "1870"),
            (123_456_789, "123456790"),
        ];
        for (n, s) in expect {
            assert_eq!(shown(&r, n), s, "count {n}");
        }
    }

    #[test]
    fn suppression_range_including_five() {
        let r = IrccRule::new(5, 1, 5, ZeroDisplay::Zero, TieRule::Up).unwrap();
        assert_eq!(shown(&r, 5), "--");
        assert_eq!(shown(&r, 6), "5");
        assert_eq!(shown(&r, 8), "10");
        assert_eq!(r.preimage(Shown::Value(5)), Some((6, 7)));
    }

    #[test]
    fn zero_shown_as_suppressed() {
        let r = IrccRule::new(5, 1, 4, ZeroDisplay::Suppressed, TieRule::Up).unwrap();
        assert_eq!(r.protect(0), Shown::Suppressed);
        assert_eq!(r.protect(0).status(), CellStatus::Suppressed);
        assert_eq!(r.preimage(Shown::Suppressed), Some((0, 4)));
        assert_eq!(r.preimage(Shown::Zero), None);
    }

    #[test]
    fn even_base_tie_rules() {
        let up = IrccRule::new(10, 1, 4, ZeroDisplay::Zero, TieRule::Up).unwrap();
        let down = IrccRule::new(10, 1, 4, ZeroDisplay::Zero, TieRule::Down).unwrap();
        let even = IrccRule::new(10, 1, 4, ZeroDisplay::Zero, TieRule::Even).unwrap();
        assert_eq!(up.protect(15), Shown::Value(20));
        assert_eq!(down.protect(15), Shown::Value(10));
        assert_eq!(even.protect(15), Shown::Value(20));
        assert_eq!(even.protect(25), Shown::Value(20));
        // 5 is a tie between 0 and 10; a positive count never shows as 0.
        assert_eq!(down.protect(5), Shown::Value(10));
        assert_eq!(up.protect(14), Shown::Value(10));
        assert_eq!(up.protect(16), Shown::Value(20));
    }

    #[test]
    fn other_bases() {
        let b3 = IrccRule::new(3, 1, 2, ZeroDisplay::Zero, TieRule::Up).unwrap();
        assert_eq!(shown(&b3, 3), "3");
        assert_eq!(shown(&b3, 4), "3");
        assert_eq!(shown(&b3, 5), "6");
        let b1 = IrccRule::new(1, 1, 9, ZeroDisplay::Zero, TieRule::Up).unwrap();
        assert_eq!(shown(&b1, 9), "--");
        assert_eq!(shown(&b1, 10), "10");
        assert_eq!(shown(&b1, 11), "11");
        // A base far above the suppression range: small counts go up to the base.
        let b20 = IrccRule::new(20, 1, 4, ZeroDisplay::Zero, TieRule::Up).unwrap();
        assert_eq!(shown(&b20, 5), "20");
        assert_eq!(b20.preimage(Shown::Value(20)), Some((5, 29)));
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert_eq!(
            IrccRule::new(0, 1, 4, ZeroDisplay::Zero, TieRule::Up),
            Err(RuleError::ZeroBase)
        );
        assert!(IrccRule::new(5, 0, 4, ZeroDisplay::Zero, TieRule::Up).is_err());
        assert!(IrccRule::new(5, 5, 4, ZeroDisplay::Zero, TieRule::Up).is_err());
    }

    #[test]
    fn preimages_match_the_known_answers() {
        let r = IrccRule::default();
        assert_eq!(r.preimage(Shown::Zero), Some((0, 0)));
        assert_eq!(r.preimage(Shown::Suppressed), Some((1, 4)));
        assert_eq!(r.preimage(Shown::Value(5)), Some((5, 7)));
        assert_eq!(r.preimage(Shown::Value(10)), Some((8, 12)));
        assert_eq!(r.preimage(Shown::Value(25)), Some((23, 27)));
        assert_eq!(r.preimage(Shown::Value(7)), None);
    }

    #[test]
    fn preimage_is_exact_for_many_rules() {
        // Every count maps into the preimage of its shown value, and every
        // count in a preimage maps back to the same shown value.
        for base in 1..=12 {
            for hi in 1..=6 {
                for zero in [ZeroDisplay::Zero, ZeroDisplay::Suppressed] {
                    for tie in [TieRule::Up, TieRule::Down, TieRule::Even] {
                        let r = IrccRule::new(base, 1, hi, zero, tie).unwrap();
                        for n in 0..200 {
                            let s = r.protect(n);
                            let (lo, up) = r.preimage(s).expect("shown value has a preimage");
                            assert!(lo <= n && n <= up, "{r:?} n={n} {s} [{lo},{up}]");
                            for m in lo..=up {
                                assert_eq!(r.protect(m), s, "{r:?} m={m}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn column_protection_matches_cell_protection() {
        // Every base the loop specialises and some it does not, every tie
        // rule, and counts past 2^31 and 2^32.
        let mut counts: Vec<u64> = (0..10_000).collect();
        for e in [1u64 << 31, 1 << 32, 1 << 40] {
            counts.extend(e - 12..=e + 12);
        }
        counts.extend(5_000..9_000);
        // A block of small counts only, after blocks of mixed ones.
        counts.extend((0..5_000).map(|i| (i * 7919) % 20_000));
        let ranges = [(1, 4), (1, 9), (3, 3), (2, 1 << 35)];
        for (base, (lo, hi)) in [5, 10, 3, 4]
            .into_iter()
            .flat_map(|b| ranges.map(|r| (b, r)))
        {
            for tie in [TieRule::Up, TieRule::Down, TieRule::Even] {
                for zero in [ZeroDisplay::Zero, ZeroDisplay::Suppressed] {
                    let r = IrccRule::new(base, lo, hi, zero, tie).unwrap();
                    let mut shown = vec![0; counts.len()];
                    let mut status = vec![CellStatus::Zero; counts.len()];
                    r.protect_column(&counts, &mut shown, &mut status);
                    for (i, &c) in counts.iter().enumerate() {
                        let p = r.protect(c);
                        assert_eq!(status[i], p.status(), "{r:?} {c}");
                        if let Shown::Value(v) = p {
                            assert_eq!(shown[i], v, "{r:?} {c}");
                            assert_eq!(v % base, 0);
                        } else {
                            assert_eq!(shown[i], 0);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn parse_round_trips() {
        for s in [Shown::Zero, Shown::Suppressed, Shown::Value(1865)] {
            assert_eq!(Shown::parse(&s.to_string()), Some(s));
        }
        for bad in ["", "-5", "05", "1,865", "x", " 5"] {
            assert_eq!(Shown::parse(bad), None, "{bad:?}");
        }
    }
}
