//! Password hashing with argon2id at OWASP's minimum parameters (19 MiB, 2 iterations, 1 lane).
//! Hashes are PHC strings, so each carries its parameters: old hashes keep verifying after the
//! parameters are raised, and a login rehashes them.
//!
//! Hashing costs tens of milliseconds of CPU on purpose; callers run it on tokio's blocking
//! pool so one login never stalls the requests beside it.

use argon2::password_hash::{rand_core::OsRng, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};

use crate::error::AppError;

/// Memory cost in KiB.
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Iterations.
pub const ITERATIONS: u32 = 2;
/// Lanes.
pub const LANES: u32 = 1;

fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hash a password into a PHC string with a fresh random salt.
pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hasher()?
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// The result of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Wrong password (or no such account).
    Wrong,
    /// Right password, hash at the current parameters.
    Right,
    /// Right password, but the hash uses other parameters: store a new one.
    RightRehash,
}

/// Check a password against a stored PHC string. A hash that does not parse counts as wrong
/// (and is logged): the reader sees the same answer as for any wrong password.
pub fn verify(password: &str, phc: &str) -> Result<Verdict, AppError> {
    let Ok(parsed) = PasswordHash::new(phc) else {
        tracing::error!("a stored password hash does not parse");
        return Ok(Verdict::Wrong);
    };
    if hasher()?
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Ok(Verdict::Wrong);
    }
    let current = parsed.algorithm == Algorithm::Argon2id.ident()
        && Params::try_from(&parsed).is_ok_and(|p| {
            p.m_cost() == MEMORY_KIB && p.t_cost() == ITERATIONS && p.p_cost() == LANES
        });
    Ok(if current {
        Verdict::Right
    } else {
        Verdict::RightRehash
    })
}

/// Spend the time a real verification takes, for a username that does not exist, so the
/// answer's timing does not tell whether an account exists.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if let Some(phc) = DUMMY.get_or_init(|| hash("not a real password at all").ok()) {
        let _ = verify(password, phc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(
            verify("correct horse battery", &phc).unwrap(),
            Verdict::Right
        );
        assert_eq!(
            verify("correct horse batterY", &phc).unwrap(),
            Verdict::Wrong
        );
        assert_eq!(verify("x", "not a hash").unwrap(), Verdict::Wrong);
    }

    #[test]
    fn older_parameters_ask_for_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let phc = weak
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert_eq!(
            verify("correct horse battery", &phc).unwrap(),
            Verdict::RightRehash
        );
    }
}
