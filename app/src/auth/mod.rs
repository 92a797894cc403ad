//! Authentication (server only): password policy and hashing, sessions in cookies, and login
//! throttling. Server functions in [`crate::functions::accounts`] put these together.

pub mod password;
pub mod policy;
pub mod session;
pub mod throttle;

/// Unix seconds now.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
