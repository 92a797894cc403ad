//! Authentication: password policy and hashing, and sessions in cookies. The account server
//! functions put these together with the login throttle ([`super::throttle`]).

pub mod hashing;
pub mod password;
pub mod policy;
pub mod session;

/// Unix seconds now.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
