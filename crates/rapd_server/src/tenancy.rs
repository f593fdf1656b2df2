//! Which tenants may call: provisioned and holding an Intune licence (DESIGN §3).
//!
//! In the development profile an unknown tenant is provisioned and licensed on its first call;
//! in production only an operator provisions tenants (`rapd tenant add`). Answers are cached for
//! a few seconds, so a change made by `rapd tenant` reaches a running server within that time.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use rapd_control::TenantCache;
use rapd_model::{Tenant, TenantId, Timestamp};
use rapd_store::PartnerStore;

use crate::error::ApiError;

/// How long a tenant's licence answer is reused.
const CACHE_SECS: i64 = 5;
/// The cache is emptied rather than grown past this many tenants.
const CACHE_CAPACITY: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provisioning {
    /// Development: an unknown tenant is provisioned and licensed on first use.
    OnFirstUse,
    /// Production: unknown tenants are refused.
    ByOperator,
}

pub struct Tenancy {
    store: Arc<dyn PartnerStore>,
    provisioning: Provisioning,
    cache: RwLock<HashMap<TenantId, (bool, Timestamp)>>,
}

impl Tenancy {
    pub fn new(store: Arc<dyn PartnerStore>, provisioning: Provisioning) -> Tenancy {
        Tenancy {
            store,
            provisioning,
            cache: RwLock::new(HashMap::new()),
        }
    }

    /// Ok when `tenant` is provisioned and licensed; otherwise the 403 to answer.
    pub async fn admit(&self, tenant: TenantId, now: Timestamp) -> Result<(), ApiError> {
        let cached = self
            .cache
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&tenant)
            .copied();
        let licensed = match cached {
            Some((licensed, until)) if until > now => licensed,
            _ => {
                let licensed = self.look_up(tenant, now).await?;
                let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
                if cache.len() >= CACHE_CAPACITY {
                    cache.clear();
                }
                cache.insert(tenant, (licensed, now.plus_secs(CACHE_SECS)));
                licensed
            }
        };
        if licensed {
            Ok(())
        } else {
            Err(ApiError::Unlicensed(tenant))
        }
    }

    async fn look_up(&self, tenant: TenantId, now: Timestamp) -> Result<bool, ApiError> {
        match (self.store.tenant(tenant).await?, self.provisioning) {
            (Some(t), _) => Ok(t.intune_licensed),
            (None, Provisioning::OnFirstUse) => {
                let new = Tenant {
                    id: tenant,
                    display_name: None,
                    intune_licensed: true,
                    created: now,
                };
                self.store.put_tenant(new).await?;
                Ok(true)
            }
            (None, Provisioning::ByOperator) => Err(ApiError::UnknownTenant(tenant)),
        }
    }
}

impl TenantCache for Tenancy {
    /// Drops every cached answer, after the test-control API changed tenants behind our back.
    fn forget(&self) {
        self.cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
