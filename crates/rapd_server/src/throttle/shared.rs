//! Throttling counters in Redis, shared by every node, so a tenant's limits hold across the
//! fleet rather than per node.
//!
//! One Lua script checks and counts a request against the tenant's and the app's windows
//! atomically. A window is a hash that expires `window_secs` after its first request (Redis's
//! clock, so nodes with skewed clocks agree); a refused request counts nowhere. Both keys of a
//! tenant share a hash tag, so the script also runs on Redis Cluster.

use std::time::Duration;

use rapd_model::TenantId;
use redis::{Script, aio::ConnectionManager};

use super::{RetryAfter, ThrottleLimits};

/// How long a request waits for Redis before this node counts it alone.
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);

const ADMIT: &str = r"
local window_ms = tonumber(ARGV[1])
local write = tonumber(ARGV[2]) == 1
local function room(key, max_requests, max_writes)
  local c = redis.call('HMGET', key, 'r', 'w')
  local r, w = tonumber(c[1]) or 0, tonumber(c[2]) or 0
  return r < max_requests and (not write or w < max_writes)
end
local tenant_ok = room(KEYS[1], tonumber(ARGV[3]), tonumber(ARGV[4]))
local app_ok = room(KEYS[2], tonumber(ARGV[5]), tonumber(ARGV[6]))
if tenant_ok and app_ok then
  for _, key in ipairs(KEYS) do
    redis.call('HINCRBY', key, 'r', 1)
    if write then redis.call('HINCRBY', key, 'w', 1) end
    if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, window_ms) end
  end
  return 0
end
local wait = 0
if not tenant_ok then wait = math.max(wait, redis.call('PTTL', KEYS[1])) end
if not app_ok then wait = math.max(wait, redis.call('PTTL', KEYS[2])) end
return math.max(wait, 1)
";

/// Why the shared counters could not answer; the caller then counts on this node.
#[derive(Debug, thiserror::Error)]
pub enum SharedError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("redis did not answer within {REDIS_TIMEOUT:?}")]
    Timeout,
}

/// A connection to the Redis that holds the fleet's counters; cheap to clone.
#[derive(Clone)]
pub struct SharedCounters {
    connection: ConnectionManager,
    prefix: String,
    script: Script,
}

impl SharedCounters {
    /// Connects to the Redis at `url`; every key starts with `prefix`.
    pub async fn connect(url: &str, prefix: &str) -> Result<SharedCounters, SharedError> {
        let client = redis::Client::open(url)?;
        let connection = tokio::time::timeout(REDIS_TIMEOUT * 20, ConnectionManager::new(client))
            .await
            .map_err(|_| SharedError::Timeout)??;
        Ok(SharedCounters {
            connection,
            prefix: prefix.to_owned(),
            script: Script::new(ADMIT),
        })
    }

    /// Checks and counts one request, as [`super::Throttle`] does on one node.
    pub(super) async fn admit(
        &self,
        limits: &ThrottleLimits,
        tenant: TenantId,
        app: &str,
        write: bool,
    ) -> Result<Result<(), RetryAfter>, SharedError> {
        let tag = format!("{}:throttle:{{{}}}", self.prefix, tenant.0);
        let mut invocation = self.script.prepare_invoke();
        invocation
            .key(format!("{tag}:tenant"))
            .key(format!("{tag}:app:{app}"))
            .arg(limits.window_secs.saturating_mul(1000))
            .arg(u8::from(write))
            .arg(limits.tenant_requests)
            .arg(limits.tenant_writes)
            .arg(limits.app_requests)
            .arg(limits.app_writes);
        let mut connection = self.connection.clone();
        let wait_ms: i64 =
            tokio::time::timeout(REDIS_TIMEOUT, invocation.invoke_async(&mut connection))
                .await
                .map_err(|_| SharedError::Timeout)??;
        Ok(match wait_ms {
            0 => Ok(()),
            ms => Err(RetryAfter((ms.max(1) as u64).div_ceil(1000).max(1))),
        })
    }
}
