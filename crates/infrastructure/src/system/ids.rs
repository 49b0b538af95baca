//! [`RandomIdGenerator`]: the `IdGenerator` port on the operating system's CSPRNG.

use chatroom_domain::system::IdGenerator;
use rand::distributions::{Distribution, Uniform};
use rand::rngs::OsRng;
use rand::RngCore as _;

/// Session ids, image ids (128 random bits, 32 lower-case hex digits), reset
/// codes (S3) and room incarnations (S7), all drawn from [`OsRng`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomIdGenerator;

impl RandomIdGenerator {
    /// A generator reading the OS's CSPRNG.
    pub fn new() -> Self {
        Self
    }
}

impl IdGenerator for RandomIdGenerator {
    fn random_id(&self) -> String {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        hex::encode(bytes)
    }

    fn digits(&self, len: usize) -> String {
        // `Uniform` samples by rejection, so every digit is equally likely; a plain
        // `byte % 10` would favour 0–5.
        let digit = Uniform::new_inclusive(b'0', b'9');
        digit.sample_iter(OsRng).take(len).map(char::from).collect()
    }

    fn random_u64(&self) -> u64 {
        OsRng.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn random_ids_are_32_lower_case_hex_digits() {
        let id = RandomIdGenerator.random_id();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{id}");
        assert!(chatroom_domain::ids::ImageId::parse(&id).is_some());
    }

    #[test]
    fn random_ids_do_not_repeat() {
        let ids: HashSet<String> = (0..1000).map(|_| RandomIdGenerator.random_id()).collect();
        assert_eq!(ids.len(), 1000);
    }

    #[test]
    fn s3_codes_have_the_requested_number_of_decimal_digits() {
        for len in [0, 1, 6, 12] {
            let code = RandomIdGenerator.digits(len);
            assert_eq!(code.len(), len);
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        }
    }

    #[test]
    fn s3_code_digits_are_roughly_uniform() {
        let mut counts = [0u32; 10];
        for b in RandomIdGenerator.digits(100_000).bytes() {
            counts[usize::from(b - b'0')] += 1;
        }
        // Expected 10 000 each (σ ≈ 95); the bound is over 6σ so the test never
        // flakes. It catches a broken generator, not a subtle bias: freedom from
        // modulo bias comes from `Uniform`'s rejection sampling.
        for (digit, &count) in counts.iter().enumerate() {
            assert!((9_400..=10_600).contains(&count), "digit {digit} drawn {count} times");
        }
    }
}
