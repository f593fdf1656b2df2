//! Back-off after failed sign-ins, as Entra's smart lockout does it: after
//! [`LOCKOUT_THRESHOLD`] wrong passwords for a user (password grant and `/devicelogin`), or wrong
//! secrets for a client, every attempt is refused unchecked for [`FIRST_LOCKOUT_SECS`]; each
//! further failure once a lockout has passed doubles it, up to [`MAX_LOCKOUT_SECS`]. A success
//! forgets the failures. Only configured users and apps are counted, so the table is bounded.

use std::{collections::HashMap, sync::Mutex};

use uuid::Uuid;

use crate::OAuthError;

/// Consecutive failures before the first lockout.
pub const LOCKOUT_THRESHOLD: u32 = 5;
/// The first lockout, in seconds.
pub const FIRST_LOCKOUT_SECS: i64 = 10;
/// The longest lockout, in seconds.
pub const MAX_LOCKOUT_SECS: i64 = 15 * 60;

/// Whose failures are counted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Principal {
    /// A user, by the configured username in lower case.
    User(String),
    /// A client, by its id.
    Client(Uuid),
}

#[derive(Debug, Default, Clone, Copy)]
struct Failures {
    count: u32,
    locked_until: i64,
}

/// Failure counts of users and clients.
#[derive(Debug, Default)]
pub struct Lockouts {
    failures: Mutex<HashMap<Principal, Failures>>,
}

impl Lockouts {
    /// Runs `check` for `who` unless `who` is locked out; counts its failure or forgets the
    /// failures on success. `check` fails only with a wrong password or secret.
    pub fn attempt<T>(
        &self,
        who: Principal,
        now: i64,
        check: impl FnOnce() -> Result<T, OAuthError>,
    ) -> Result<T, OAuthError> {
        let mut table = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let record = table.get(&who).copied().unwrap_or_default();
        if record.locked_until > now {
            let secs = record.locked_until - now;
            return Err(match &who {
                Principal::User(_) => OAuthError::user_locked_out(secs),
                Principal::Client(client_id) => OAuthError::client_locked_out(*client_id, secs),
            });
        }
        match check() {
            Ok(done) => {
                table.remove(&who);
                Ok(done)
            }
            Err(refused) => {
                let count = record.count.saturating_add(1);
                let locked_until = match count.checked_sub(LOCKOUT_THRESHOLD) {
                    Some(beyond) => now.saturating_add(lockout_secs(beyond)),
                    None => 0,
                };
                table.insert(
                    who,
                    Failures {
                        count,
                        locked_until,
                    },
                );
                Err(refused)
            }
        }
    }
}

/// The lockout after `beyond` failures past the threshold: 10 s, 20 s, 40 s, … up to 15 minutes.
fn lockout_secs(beyond: u32) -> i64 {
    let doubled = FIRST_LOCKOUT_SECS.saturating_mul(1_i64 << beyond.min(20));
    doubled.min(MAX_LOCKOUT_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockouts_grow_and_are_capped() {
        assert_eq!(lockout_secs(0), 10);
        assert_eq!(lockout_secs(1), 20);
        assert_eq!(lockout_secs(6), 640);
        assert_eq!(lockout_secs(7), MAX_LOCKOUT_SECS);
        assert_eq!(lockout_secs(u32::MAX), MAX_LOCKOUT_SECS);
    }
}
