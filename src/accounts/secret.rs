//! Random secrets (session ids, CSRF tokens, API tokens) and the SHA-256 digests the database
//! keeps instead of them.

use sha2::{Digest, Sha256};

/// Every API token starts with this, so that one pasted somewhere is recognisable.
pub const TOKEN_PREFIX: &str = "attune_";

/// 256 random bits from the thread's cryptographically secure generator, as 64 hex digits.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// A new API token: the prefix and 256 random bits.
pub fn new_api_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_hex())
}

/// The SHA-256 digest of a secret, as hex: what the database stores and looks up by. A plain
/// hash suffices because the secrets are long random values, not passwords.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compare two secrets in time that depends only on their lengths.
pub fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_and_different_each_time() {
        let (a, b) = (random_hex(), random_hex());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(new_api_token().starts_with("attune_"));
    }

    #[test]
    fn equal_compares_whole_secrets() {
        assert!(equal("abc", "abc"));
        assert!(!equal("abc", "abd"));
        assert!(!equal("abc", "abcd"));
        assert_eq!(digest("x").len(), 64);
    }
}
