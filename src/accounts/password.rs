//! The password policy (NIST SP 800-63B style: length and a list of very common passwords, no
//! composition rules) and argon2id hashing at OWASP's recommended minimum, run off the async
//! runtime because each hash deliberately takes tens of milliseconds of CPU and 19 MiB.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// The shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 12;
/// The longest password accepted, in characters (long enough for any passphrase, short enough
/// that hashing cannot be abused).
pub const MAX_LENGTH: usize = 128;

/// argon2id with m = 19 MiB, t = 2, p = 1: OWASP's minimum recommendation.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Why a password was refused. The texts are shown to people as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is too short: use at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("the password is too long: use at most {MAX_LENGTH} characters")]
    TooLong,
    #[error("this password is one of the most common ones: choose another")]
    Common,
    #[error("the password must not be the e-mail address")]
    IsEmail,
}

/// A password that satisfies the policy, ready to be hashed.
#[derive(Clone)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

impl NewPassword {
    /// Check `text` (taken as typed, spaces included) for the account `email`.
    pub fn parse(text: &str, email: &str) -> Result<NewPassword, PasswordError> {
        let length = text.chars().count();
        if length < MIN_LENGTH {
            return Err(PasswordError::TooShort);
        }
        if length > MAX_LENGTH {
            return Err(PasswordError::TooLong);
        }
        let lower = text.to_lowercase();
        let mut chars = lower.chars();
        let first = chars.next();
        let one_character_repeated = chars.all(|c| Some(c) == first);
        if COMMON.contains(lower.as_str()) || one_character_repeated {
            return Err(PasswordError::Common);
        }
        let email = email.trim().to_lowercase();
        let local_part = email.split('@').next().unwrap_or_default();
        if lower == email || lower == local_part {
            return Err(PasswordError::IsEmail);
        }
        Ok(NewPassword(text.to_string()))
    }

    /// A random password of 20 characters from an alphabet without look-alikes (about 116 bits).
    pub fn generate() -> NewPassword {
        const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut bytes = [0u8; 20];
        rand::fill(&mut bytes);
        let text = bytes
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        NewPassword(text)
    }

    /// The password itself (to print a generated one once).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("the argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> String {
    argon2()
        .hash_password(password.as_bytes())
        .expect("argon2id hashing with a fresh random salt cannot fail")
        .to_string()
}

/// A hash of a random password, verified against when an account does not exist so that
/// unknown and known e-mail addresses take the same time to refuse.
static DECOY: LazyLock<String> = LazyLock::new(|| hash_now(NewPassword::generate().expose()));

/// The argon2id PHC string of a password (with a fresh random salt), computed on a blocking
/// thread.
pub async fn hash(password: NewPassword) -> String {
    tokio::task::spawn_blocking(move || hash_now(&password.0))
        .await
        .expect("the hashing task does not panic")
}

/// Whether `password` matches the stored `phc` hash. With no hash (no such account, or the
/// account is disabled) this still spends the time of a verification and answers false.
pub async fn verify(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let decoy = phc.is_none();
        let phc = phc.unwrap_or_else(|| DECOY.clone());
        let matches = PasswordHash::new(&phc).is_ok_and(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        });
        matches && !decoy
    })
    .await
    .expect("the verification task does not panic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_needs_at_least_twelve_characters() {
        assert_eq!(
            NewPassword::parse("elevenchars", "a@b.c").unwrap_err(),
            PasswordError::TooShort
        );
        assert!(NewPassword::parse("twelve chars", "a@b.c").is_ok());
        // Characters, not bytes: twelve accented letters are enough.
        assert!(NewPassword::parse("éàüöçñøåæßêî", "a@b.c").is_ok());
    }

    #[test]
    fn a_password_may_be_a_long_passphrase_but_not_endless() {
        assert!(NewPassword::parse(&"correct horse ".repeat(9), "a@b.c").is_ok());
        assert_eq!(
            NewPassword::parse(&"x1".repeat(65), "a@b.c").unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        for common in [
            "password1234",
            "123456789012",
            "QwertyuiopAS",
            "aaaaaaaaaaaaaa",
        ] {
            assert_eq!(
                NewPassword::parse(common, "a@b.c").unwrap_err(),
                PasswordError::Common,
                "{common}"
            );
        }
    }

    #[test]
    fn the_email_address_is_not_a_password() {
        assert_eq!(
            NewPassword::parse("ann.smith.hr@example.com", "Ann.Smith.HR@example.com").unwrap_err(),
            PasswordError::IsEmail
        );
    }

    #[test]
    fn generated_passwords_pass_the_policy() {
        let generated = NewPassword::generate();
        assert_eq!(generated.expose().chars().count(), 20);
        assert!(NewPassword::parse(generated.expose(), "a@b.c").is_ok());
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let password = NewPassword::parse("a long enough secret", "a@b.c").unwrap();
        let phc = hash(password).await;
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("a long enough secret".into(), Some(phc.clone())).await);
        assert!(!verify("a long enough secreT".into(), Some(phc)).await);
        assert!(!verify("a long enough secret".into(), None).await);
    }
}
