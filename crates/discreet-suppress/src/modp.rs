//! Arithmetic modulo the Mersenne prime `P = 2^61 - 1`, the exact field the
//! Gaussian elimination works in.
//!
//! Why a prime field rather than rationals or floats: rationals grow without
//! bound during elimination (and a million-cell table eliminates millions of
//! times), floats make "is this exactly zero" a tolerance question, and the
//! decisions of a suppression method must not depend on rounding. Modulo a
//! prime every number fits in a `u64` and every test is exact.
//!
//! What it costs in exactness: a linear dependence over the rationals
//! reduces to one modulo `P` unless `P` divides one of its denominators, and
//! a dependence modulo `P` lifts to one over the rationals unless `P`
//! divides a minor of the relation matrix. Either needs a minor of absolute
//! value at least `2^61 - 1` that is a multiple of `P`; two-dimensional
//! tables have minors 0 and ±1 only (network matrices), and hierarchical
//! tables of realistic shape stay far below the bound, so the answer is the
//! rational one.

/// The modulus, `2^61 - 1`.
pub(crate) const P: u64 = (1 << 61) - 1;

/// `a + b` for `a, b < P`.
#[inline]
pub(crate) fn add(a: u64, b: u64) -> u64 {
    let s = a + b;
    if s >= P {
        s - P
    } else {
        s
    }
}

/// `a - b` for `a, b < P`.
#[inline]
pub(crate) fn sub(a: u64, b: u64) -> u64 {
    if a >= b {
        a - b
    } else {
        a + P - b
    }
}

/// `-a` for `a < P`.
#[inline]
pub(crate) fn neg(a: u64) -> u64 {
    if a == 0 {
        0
    } else {
        P - a
    }
}

/// `a * b` for `a, b < P`: the product splits at bit 61, and `2^61 = 1`
/// modulo `P`, so the two halves just add.
#[inline]
pub(crate) fn mul(a: u64, b: u64) -> u64 {
    let x = (a as u128) * (b as u128);
    let lo = (x as u64) & P;
    let hi = (x >> 61) as u64;
    // lo, hi <= P, so one conditional subtraction leaves at most P, which
    // the second one maps to 0.
    let s = lo + hi;
    let s = if s >= P { s - P } else { s };
    if s >= P {
        s - P
    } else {
        s
    }
}

/// `a^e` (the plain way, to check [`inv`] against).
#[cfg(test)]
pub(crate) fn pow(mut a: u64, mut e: u64) -> u64 {
    let mut r = 1;
    while e > 0 {
        if e & 1 == 1 {
            r = mul(r, a);
        }
        a = mul(a, a);
        e >>= 1;
    }
    r
}

/// `1 / a` for `0 < a < P` (Fermat: `a^(P - 2)`). `P - 2 = 2^61 - 3` is
/// 59 ones then `01` in binary, so an addition chain through `t_k =
/// a^(2^k - 1)` needs 60 squarings and 9 products, against 119 steps for
/// square-and-multiply (the elimination inverts three times a decision).
pub(crate) fn inv(a: u64) -> u64 {
    debug_assert!(a != 0 && a < P);
    // t_{j + k} = t_j^(2^k) t_k.
    let step = |t: u64, k: u32, u: u64| {
        let mut x = t;
        for _ in 0..k {
            x = mul(x, x);
        }
        mul(x, u)
    };
    let t1 = a;
    let t2 = step(t1, 1, t1);
    let t3 = step(t2, 1, t1);
    let t6 = step(t3, 3, t3);
    let t7 = step(t6, 1, t1);
    let t14 = step(t7, 7, t7);
    let t28 = step(t14, 14, t14);
    let t56 = step(t28, 28, t28);
    let t59 = step(t56, 3, t3);
    // a^(2^61 - 3) = (a^(2^59 - 1))^4 a.
    step(t59, 2, a)
}

/// Replaces every non-zero value by its inverse with one field inversion
/// (Montgomery's trick); zeros stay zero. `scratch` is reused storage.
pub(crate) fn batch_inv(values: &mut [u64], scratch: &mut Vec<u64>) {
    scratch.clear();
    let mut acc = 1u64;
    for &v in values.iter() {
        scratch.push(acc);
        if v != 0 {
            acc = mul(acc, v);
        }
    }
    let mut inv_acc = inv(acc);
    for i in (0..values.len()).rev() {
        let v = values[i];
        if v != 0 {
            values[i] = mul(inv_acc, scratch[i]);
            inv_acc = mul(inv_acc, v);
        }
    }
}

/// A small deterministic generator (SplitMix64) for the random weights of
/// the column fingerprints: fixed seed, so the same input always gives the
/// same output.
pub(crate) struct Weights(u64);

impl Weights {
    pub(crate) fn new(seed: u64) -> Self {
        Weights(seed)
    }

    /// A value in `1..P`.
    pub(crate) fn next(&mut self) -> u64 {
        loop {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let v = z & P;
            if v != 0 && v != P {
                return v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_laws() {
        let mut w = Weights::new(7);
        for _ in 0..1000 {
            let (a, b) = (w.next(), w.next());
            assert_eq!(add(sub(a, b), b), a);
            assert_eq!(mul(a, inv(a)), 1);
            assert_eq!(inv(a), pow(a, P - 2));
            assert_eq!(add(a, neg(a)), 0);
            let exact = ((a as u128 * b as u128) % P as u128) as u64;
            assert_eq!(mul(a, b), exact);
        }
        assert_eq!(mul(P - 1, P - 1), 1);
        let mut v = vec![3, 0, P - 1, 12345];
        let mut s = Vec::new();
        batch_inv(&mut v, &mut s);
        assert_eq!(v, vec![inv(3), 0, inv(P - 1), inv(12345)]);
    }
}
