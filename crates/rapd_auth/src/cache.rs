//! Tokens already verified, so a client repeating its token skips the signature check.
//!
//! Keyed by a keyed hash of the token's last bytes, which are its signature's: only verified
//! tokens are stored, and no one without the issuer's key can make another token end with a
//! stored one's signature (hashing the whole token cost a GET item 3 % of its instructions). A
//! hit compares the full token, so a hash collision is only ever a miss. Time claims are checked again on every hit. Sharded read-write locks
//! keep hits concurrent; a hit allocates nothing: the `Caller` is shared.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, RwLock};

use crate::claims::Lifetime;
use crate::{AuthError, CACHE_CAPACITY, Caller};

const SHARDS: usize = 16;
/// How much of a token's end is hashed: 32 bytes of base64url, 192 bits of its signature.
const HASHED_TAIL: usize = 32;
const SHARD_CAPACITY: usize = CACHE_CAPACITY.div_ceil(SHARDS);

struct Entry {
    token: Box<str>,
    caller: Arc<Caller>,
    lifetime: Lifetime,
}

pub(crate) struct VerifiedCache {
    hasher: RandomState,
    shards: [RwLock<HashMap<u64, Entry>>; SHARDS],
}

impl VerifiedCache {
    pub(crate) fn new() -> Self {
        VerifiedCache {
            hasher: RandomState::new(),
            shards: std::array::from_fn(|_| RwLock::new(HashMap::new())),
        }
    }

    fn hash(&self, token: &str) -> u64 {
        let bytes = token.as_bytes();
        self.hasher
            .hash_one(&bytes[bytes.len().saturating_sub(HASHED_TAIL)..])
    }

    fn shard(&self, hash: u64) -> &RwLock<HashMap<u64, Entry>> {
        // The low bits pick the shard; the map hashes the full u64 again.
        &self.shards[(hash % SHARDS as u64) as usize]
    }

    /// `None` on a miss; on a hit, the caller or the lifetime failure as of `now`.
    pub(crate) fn get(&self, token: &str, now: i64) -> Option<Result<Arc<Caller>, AuthError>> {
        let hash = self.hash(token);
        let shard = self.shard(hash).read().unwrap_or_else(|e| e.into_inner());
        let entry = shard.get(&hash).filter(|e| *e.token == *token)?;
        Some(entry.lifetime.check(now).map(|()| entry.caller.clone()))
    }

    pub(crate) fn insert(&self, token: &str, caller: &Arc<Caller>, lifetime: Lifetime, now: i64) {
        let hash = self.hash(token);
        let mut shard = self.shard(hash).write().unwrap_or_else(|e| e.into_inner());
        if shard.len() >= SHARD_CAPACITY && !shard.contains_key(&hash) {
            shard.retain(|_, e| e.lifetime.check(now).is_ok());
            if shard.len() >= SHARD_CAPACITY {
                // Any victim will do: a wrongly evicted token only costs one signature check.
                if let Some(&victim) = shard.keys().next() {
                    shard.remove(&victim);
                }
            }
        }
        shard.insert(
            hash,
            Entry {
                token: token.into(),
                caller: caller.clone(),
                lifetime,
            },
        );
    }

    /// Forgets every verified token, for when a key they were verified with is withdrawn.
    pub(crate) fn clear(&self) {
        for shard in &self.shards {
            shard.write().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CallerKind, DEV_TENANT};

    fn caller(exp: i64) -> Caller {
        Caller {
            tenant: DEV_TENANT,
            kind: CallerKind::Delegated,
            app_id: None,
            object_id: None,
            display: None,
            scopes: vec![],
            expires_at: exp,
        }
    }

    fn lifetime(exp: i64) -> Lifetime {
        Lifetime {
            exp,
            nbf: None,
            iat: 0,
        }
    }

    #[test]
    fn stays_bounded_and_drops_expired_first() {
        let cache = VerifiedCache::new();
        for i in 0..CACHE_CAPACITY * 2 {
            cache.insert(
                &format!("token-{i}"),
                &Arc::new(caller(1000)),
                lifetime(1000),
                0,
            );
        }
        assert!(cache.len() <= SHARD_CAPACITY * SHARDS);
        assert!(cache.len() >= CACHE_CAPACITY / 2);
        // Later inserts at a time past every exp purge the expired entries.
        for i in 0..SHARDS * 20 {
            cache.insert(
                &format!("late-{i}"),
                &Arc::new(caller(9000)),
                lifetime(9000),
                5000,
            );
        }
        assert!(cache.len() < CACHE_CAPACITY / 2);
    }

    #[test]
    fn hit_needs_the_same_token_and_rechecks_time() {
        let cache = VerifiedCache::new();
        cache.insert("a.b.c", &Arc::new(caller(1000)), lifetime(1000), 0);
        assert_eq!(*cache.get("a.b.c", 10).unwrap().unwrap(), caller(1000));
        assert!(cache.get("a.b.d", 10).is_none());
        assert!(matches!(
            cache.get("a.b.c", 2000),
            Some(Err(AuthError::Expired))
        ));
    }
}
