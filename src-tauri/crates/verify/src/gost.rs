//! GOST signature verification as Kazakhstan's national PKI (NCA RK) uses it: GOST 34.10-2015
//! 512-bit (the TC26 512 paramSetA curve, Streebog-512) and GOST 34.310-2004 (the CryptoPro-A
//! curve, GOST 34.311-95 with the test S-box), over `num-bigint`.
//!
//! NCA RK writes the public key as X‖Y and the signature as r‖s, every number little-endian, and
//! reads the digest as a little-endian integer (established against the public NCA RK test files
//! under `tests/fixtures/nca`: of the eight byte orders, only this one verifies, and it verifies
//! every one of them). Curve parameters: RFC 7836 A.1 and RFC 4357 11.4 (as gost-engine's
//! `gost_params.c` has them); the tests check each base point is on its curve and of order q.
//!
//! Only public data is handled, so nothing here needs to be constant-time. Points are kept in
//! Jacobian coordinates; `z1·G + z2·Q` is one double-and-add pass over both scalars.

use num_bigint::BigUint;
use num_traits::{One, Zero};

/// A short Weierstrass curve y² = x³ + ax + b over F_p with a base point of prime order q.
#[derive(Clone, Debug)]
pub struct Curve {
    /// The parameter set's name.
    pub name: &'static str,
    /// The field's prime.
    pub p: BigUint,
    /// Coefficient a.
    pub a: BigUint,
    /// Coefficient b.
    pub b: BigUint,
    /// The base point's order.
    pub q: BigUint,
    /// The base point's x.
    pub gx: BigUint,
    /// The base point's y.
    pub gy: BigUint,
    /// Length of one coordinate / one signature half in bytes (32 or 64).
    pub len: usize,
}

fn hex(s: &str) -> BigUint {
    // Constants below; a typo is caught by the curve tests.
    BigUint::parse_bytes(s.as_bytes(), 16).unwrap_or_default()
}

impl Curve {
    /// id-tc26-gost-3410-12-512-paramSetA (1.2.643.7.1.2.1.2.1), RFC 7836 A.1.
    /// Values as in gost-engine `gost_params.c` (R3410_2012_512_paramset[0]);
    /// Kazakh OID for the same curve: 1.2.398.3.10.1.1.2.2.1.
    pub fn tc26_512_a() -> Curve {
        Curve {
            name: "id-tc26-gost-3410-12-512-paramSetA",
            p: hex(
                "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
                    FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
            ),
            a: hex(
                "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
                    FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
            ),
            b: hex(
                "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265\
                    EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
            ),
            q: hex(
                "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
                    27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
            ),
            gx: BigUint::from(3u32),
            gy: hex(
                "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921\
                     DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
            ),
            len: 64,
        }
    }

    /// id-GostR3410-2001-CryptoPro-A-ParamSet (1.2.643.2.2.35.1), RFC 4357
    /// §11.4.  Values as in gost-engine `gost_params.c`
    /// (R3410_2001_paramset[1]); Kazakh OID 1.2.398.3.10.1.1.1.1.1.
    pub fn cryptopro_a() -> Curve {
        Curve {
            name: "id-GostR3410-2001-CryptoPro-A-ParamSet",
            p: hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97"),
            a: hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94"),
            b: BigUint::from(0xA6u32),
            q: hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893"),
            gx: BigUint::one(),
            gy: hex("8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14"),
            len: 32,
        }
    }

    /// Whether (x, y) is a point of the curve.
    pub fn on_curve(&self, x: &BigUint, y: &BigUint) -> bool {
        if x >= &self.p || y >= &self.p {
            return false;
        }
        let p = &self.p;
        let lhs = (y * y) % p;
        let rhs = (x * x % p * x + &self.a * x + &self.b) % p;
        lhs == rhs
    }

    fn sub(&self, a: &BigUint, b: &BigUint) -> BigUint {
        if a >= b {
            (a - b) % &self.p
        } else {
            (a + &self.p - b) % &self.p
        }
    }

    fn double(&self, pt: &Jac) -> Jac {
        if pt.is_inf() || pt.y.is_zero() {
            return Jac::inf();
        }
        let p = &self.p;
        let y2 = &pt.y * &pt.y % p;
        let s = BigUint::from(4u32) * &pt.x % p * &y2 % p;
        let z2 = &pt.z * &pt.z % p;
        let z4 = &z2 * &z2 % p;
        let m = (BigUint::from(3u32) * &pt.x % p * &pt.x + &self.a * z4) % p;
        let x3 = self.sub(&(&m * &m % p), &(BigUint::from(2u32) * &s % p));
        let y4_8 = BigUint::from(8u32) * &y2 % p * &y2 % p;
        let y3 = self.sub(&(&m * self.sub(&s, &x3) % p), &y4_8);
        let z3 = BigUint::from(2u32) * &pt.y % p * &pt.z % p;
        Jac {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    fn add(&self, a: &Jac, b: &Jac) -> Jac {
        if a.is_inf() {
            return b.clone();
        }
        if b.is_inf() {
            return a.clone();
        }
        let p = &self.p;
        let z1z1 = &a.z * &a.z % p;
        let z2z2 = &b.z * &b.z % p;
        let u1 = &a.x * &z2z2 % p;
        let u2 = &b.x * &z1z1 % p;
        let s1 = &a.y * &b.z % p * &z2z2 % p;
        let s2 = &b.y * &a.z % p * &z1z1 % p;
        if u1 == u2 {
            return if s1 == s2 { self.double(a) } else { Jac::inf() };
        }
        let h = self.sub(&u2, &u1);
        let r = self.sub(&s2, &s1);
        let h2 = &h * &h % p;
        let h3 = &h2 * &h % p;
        let u1h2 = &u1 * &h2 % p;
        let x3 = self.sub(
            &self.sub(&(&r * &r % p), &h3),
            &(BigUint::from(2u32) * &u1h2 % p),
        );
        let y3 = self.sub(&(&r * self.sub(&u1h2, &x3) % p), &(&s1 * &h3 % p));
        let z3 = &h * &a.z % p * &b.z % p;
        Jac {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    fn to_affine(&self, pt: &Jac) -> Option<(BigUint, BigUint)> {
        if pt.is_inf() {
            return None;
        }
        let p = &self.p;
        let zinv = pt.z.modpow(&(p - 2u32), p);
        let zinv2 = &zinv * &zinv % p;
        let x = &pt.x * &zinv2 % p;
        let y = &pt.y * &zinv2 % p * &zinv % p;
        Some((x, y))
    }

    /// k1*P1 + k2*P2 (Shamir's trick).
    fn mul2(&self, k1: &BigUint, p1: &Jac, k2: &BigUint, p2: &Jac) -> Jac {
        let both = self.add(p1, p2);
        let bits = k1.bits().max(k2.bits());
        let mut acc = Jac::inf();
        for i in (0..bits).rev() {
            acc = self.double(&acc);
            match (k1.bit(i), k2.bit(i)) {
                (true, true) => acc = self.add(&acc, &both),
                (true, false) => acc = self.add(&acc, p1),
                (false, true) => acc = self.add(&acc, p2),
                (false, false) => {}
            }
        }
        acc
    }

    /// k*G, used only for the self-test `q*G == O`.
    pub fn mul_g(&self, k: &BigUint) -> Option<(BigUint, BigUint)> {
        let g = Jac::from_affine(&self.gx, &self.gy);
        let r = self.mul2(k, &g, &BigUint::zero(), &Jac::inf());
        self.to_affine(&r)
    }

    /// GOST R 34.10 verification with decoded integers: `e_raw` is the digest as an integer.
    pub fn verify(
        &self,
        qx: &BigUint,
        qy: &BigUint,
        e_raw: &BigUint,
        r: &BigUint,
        s: &BigUint,
    ) -> bool {
        let q = &self.q;
        if r.is_zero() || s.is_zero() || r >= q || s >= q {
            return false;
        }
        if !self.on_curve(qx, qy) {
            return false;
        }
        let mut e = e_raw % q;
        if e.is_zero() {
            e = BigUint::one();
        }
        let v = e.modpow(&(q - 2u32), q); // q is prime
        let z1 = s * &v % q;
        let z2 = (q - (r * &v % q)) % q;
        let g = Jac::from_affine(&self.gx, &self.gy);
        let pk = Jac::from_affine(qx, qy);
        let c = self.mul2(&z1, &g, &z2, &pk);
        match self.to_affine(&c) {
            None => false,
            Some((cx, _)) => &(cx % q) == r,
        }
    }
}

#[derive(Clone, Debug)]
struct Jac {
    x: BigUint,
    y: BigUint,
    z: BigUint,
}

impl Jac {
    fn inf() -> Jac {
        Jac {
            x: BigUint::one(),
            y: BigUint::one(),
            z: BigUint::zero(),
        }
    }
    fn from_affine(x: &BigUint, y: &BigUint) -> Jac {
        Jac {
            x: x.clone(),
            y: y.clone(),
            z: BigUint::one(),
        }
    }
    fn is_inf(&self) -> bool {
        self.z.is_zero()
    }
}

/// Verifies an NCA RK signature `signature` (r‖s, little-endian) over `digest` (read as a
/// little-endian integer) with the public key `key` (X‖Y, little-endian).
pub fn verify_nca(curve: &Curve, key: &[u8], digest: &[u8], signature: &[u8]) -> bool {
    if key.len() != 2 * curve.len || signature.len() != 2 * curve.len {
        return false;
    }
    let (x, y) = key.split_at(curve.len);
    let (r, s) = signature.split_at(curve.len);
    curve.verify(
        &BigUint::from_bytes_le(x),
        &BigUint::from_bytes_le(y),
        &BigUint::from_bytes_le(digest),
        &BigUint::from_bytes_le(r),
        &BigUint::from_bytes_le(s),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_points_are_on_their_curves_and_of_order_q() {
        for c in [Curve::tc26_512_a(), Curve::cryptopro_a()] {
            assert!(c.on_curve(&c.gx, &c.gy), "{}: G on the curve", c.name);
            assert_eq!(
                c.mul_g(&c.q),
                None,
                "{}: q·G is the point at infinity",
                c.name
            );
            assert!(c.mul_g(&(&c.q - 1u32)).is_some(), "{}", c.name);
        }
    }

    #[test]
    fn out_of_range_values_do_not_verify() {
        let c = Curve::cryptopro_a();
        let (x, y) = (c.gx.clone(), c.gy.clone());
        let e = BigUint::from(5u32);
        assert!(!c.verify(&x, &y, &e, &BigUint::zero(), &BigUint::one()));
        assert!(!c.verify(&x, &y, &e, &c.q, &BigUint::one()));
        assert!(!c.verify(&x, &(&y + 1u32), &e, &BigUint::one(), &BigUint::one()));
        assert!(!verify_nca(&c, &[0; 63], &[0; 32], &[0; 64]));
    }
}
