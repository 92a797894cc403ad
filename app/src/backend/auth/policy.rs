//! What a username and a password must be. No composition rules (NIST SP 800-63B): length,
//! and not one of the most common passwords.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::error::AppError;

/// Shortest username.
pub const USERNAME_MIN: usize = 3;
/// Longest username.
pub const USERNAME_MAX: usize = 32;
/// Shortest password, in characters.
pub const PASSWORD_MIN: usize = 8;
/// Longest password, in characters (bounds the hashing work an attacker can ask for).
pub const PASSWORD_MAX: usize = 128;

/// The 1,000 most common passwords (OWASP SecLists; see `SOURCE.md` beside the list).
static COMMON: &str = include_str!("common-passwords.txt");

fn common() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().map(|l| l.trim().to_lowercase()).collect())
}

/// Check a username: 3–32 characters, letters, digits, `_`, `.`, `-`. Returns it trimmed.
pub fn validate_username(username: &str) -> Result<String, AppError> {
    let name = username.trim();
    let len = name.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&len) {
        return Err(AppError::Invalid(format!(
            "A username has {USERNAME_MIN} to {USERNAME_MAX} characters."
        )));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Err(AppError::Invalid(format!(
            "A username may use letters, digits, \"_\", \".\" and \"-\"; not {bad:?}."
        )));
    }
    Ok(name.to_string())
}

/// Check a new password: 8–128 characters and not one of the 1,000 most common.
pub fn validate_password(password: &str) -> Result<(), AppError> {
    let len = password.chars().count();
    if len < PASSWORD_MIN {
        return Err(AppError::Invalid(format!(
            "Use at least {PASSWORD_MIN} characters for your password."
        )));
    }
    if len > PASSWORD_MAX {
        return Err(AppError::Invalid(format!(
            "Use at most {PASSWORD_MAX} characters for your password."
        )));
    }
    if common().contains(&password.to_lowercase()) {
        return Err(AppError::Invalid(
            "That password is one of the most common ones; choose another.".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(validate_username("  ann_b.c-d ").unwrap(), "ann_b.c-d");
        assert!(validate_username("ab").is_err());
        assert!(validate_username(&"a".repeat(33)).is_err());
        assert!(validate_username(&"a".repeat(32)).is_ok());
        assert!(validate_username("ann smith").is_err());
        assert!(validate_username("<script>").is_err());
        assert!(validate_username("zoë").is_err());
    }

    #[test]
    fn passwords() {
        assert!(validate_password("short").is_err());
        assert!(validate_password(&"x".repeat(129)).is_err());
        assert!(validate_password(&"é".repeat(128)).is_ok());
        // On the list, in any case.
        assert!(validate_password("password1").is_err());
        assert!(validate_password("PASSWORD1").is_err());
        assert!(validate_password("baseball").is_err());
        assert!(validate_password("correct horse battery").is_ok());
        // 1,000 lines; "password" appears three times in different cases, one entry once lowered.
        assert_eq!(COMMON.lines().count(), 1000);
        assert_eq!(common().len(), 998);
    }
}
