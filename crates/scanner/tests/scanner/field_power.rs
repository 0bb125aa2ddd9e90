//! rqrr's Reed-Solomon arithmetic runs on GF(256) types from g2p's macro, whose `pow` the
//! workspace patches (vendor/README.md: a table power, g2gen): a wrong power would make every
//! syndrome, and so every decode, wrong in ways a clean code might not show.

// The field rqrr declares (QR's polynomial x^8 + x^4 + x^3 + x^2 + 1), from the same macro.
g2p::g2p!(GF256, 8, modulus: 0b1_0001_1101);

use g2p::GaloisField;

#[test]
fn every_power_of_every_element_is_repeated_multiplication() {
    // Past twice the group's order (255), so the reduction of the exponent is crossed.
    for x in 0..=255u8 {
        let x = GF256::from(x);
        let mut product = GF256::ONE;
        for p in 0..600 {
            assert_eq!(x.pow(p), product, "{x:?}^{p}");
            product *= x;
        }
    }
}

#[test]
fn the_generator_runs_through_every_non_zero_element_once() {
    let mut seen = [false; 256];
    for p in 0..255 {
        let v = GF256::GENERATOR.pow(p);
        assert!(!seen[usize::from(v.0)], "g^{p} repeats");
        seen[usize::from(v.0)] = true;
    }
    assert!(!seen[0]);
    assert_eq!(GF256::GENERATOR.pow(255), GF256::ONE);
    assert_eq!(GF256::ZERO.pow(0), GF256::ONE);
    assert_eq!(GF256::ZERO.pow(255), GF256::ZERO);
}
