//! The partner lifecycle of DESIGN §2: every change a client can ask for, and the rule that turns
//! the current row into the next one; and the rule of a settings patch. Engines run [`apply`] and
//! [`apply_settings`] inside their write transaction.

use crate::{
    AuditContext, AuditEntry, BeginOnboardingInput, Change, OnboardingStatus, OperationKind,
    Partner, PartnerId, PartnerInput, RemoteAssistanceSettings, SettingsPatch, TenantId, Timestamp,
};

/// A change asked for through the Graph surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    Create {
        id: PartnerId,
        input: PartnerInput,
    },
    Update {
        id: PartnerId,
        input: PartnerInput,
    },
    Delete {
        id: PartnerId,
    },
    BeginOnboarding {
        id: PartnerId,
        input: BeginOnboardingInput,
        ttl_secs: i64,
        /// The new one-time code's secret (random, made by the caller).
        code: String,
    },
    Disconnect {
        id: PartnerId,
    },
    /// The partner redeems the onboarding code and receives a credential (its hash is stored).
    Connect {
        id: PartnerId,
        code: String,
        credential_hash: [u8; 32],
    },
    /// A call of the partner with its credential: refreshes `lastConnectionDateTime` when the
    /// recorded one is older than `min_interval_secs` (so heavy traffic is not a write per call).
    Heartbeat {
        id: PartnerId,
        credential_hash: [u8; 32],
        min_interval_secs: i64,
    },
}

/// Why a mutation does not apply to the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("no such partner")]
    NotFound,
    #[error("a partner with this id already exists")]
    AlreadyExists,
    #[error("the onboarding code is unknown, used or expired")]
    InvalidCode,
    #[error("the partner credential is unknown or revoked")]
    InvalidCredential,
}

impl Mutation {
    /// The audit kind of this mutation.
    pub fn kind(&self) -> OperationKind {
        match self {
            Mutation::Create { .. } => OperationKind::Create,
            Mutation::Update { .. } => OperationKind::Patch,
            Mutation::Delete { .. } => OperationKind::Delete,
            Mutation::BeginOnboarding { .. } => OperationKind::BeginOnboarding,
            Mutation::Disconnect { .. } => OperationKind::Disconnect,
            Mutation::Connect { .. } => OperationKind::Connect,
            Mutation::Heartbeat { .. } => OperationKind::Heartbeat,
        }
    }

    /// The partner the mutation is about.
    pub fn target(&self) -> PartnerId {
        match self {
            Mutation::Create { id, .. }
            | Mutation::Update { id, .. }
            | Mutation::Delete { id }
            | Mutation::BeginOnboarding { id, .. }
            | Mutation::Disconnect { id }
            | Mutation::Connect { id, .. }
            | Mutation::Heartbeat { id, .. } => *id,
        }
    }
}

/// Applies `mutation` to the stored row `current` (as read inside the write transaction).
pub fn apply(
    tenant: TenantId,
    current: Option<&Partner>,
    mutation: &Mutation,
    now: Timestamp,
) -> Result<Change, Rejection> {
    let before = current.cloned();
    let after = match (mutation, current) {
        (Mutation::Create { id, input }, None) => Some(Partner {
            tenant,
            id: *id,
            display_name: input.display_name.clone().flatten(),
            onboarding_url: input.onboarding_url.clone().flatten(),
            onboarding_status: OnboardingStatus::NotOnboarded,
            last_connection: Timestamp::ZERO,
            onboarding_expiry: Timestamp::ZERO,
            partner_domain: None,
            onboarding_code_hash: None,
            credential_hash: None,
            created: now,
            revision: 1,
        }),
        (Mutation::Create { .. }, Some(_)) => return Err(Rejection::AlreadyExists),
        (_, None) => return Err(Rejection::NotFound),
        (Mutation::Update { input, .. }, Some(p)) => {
            let mut next = settled(p, now);
            if let Some(name) = &input.display_name {
                next.display_name = name.clone();
            }
            if let Some(url) = &input.onboarding_url {
                next.onboarding_url = url.clone();
            }
            Some(next)
        }
        (Mutation::Delete { .. }, Some(_)) => None,
        (
            Mutation::BeginOnboarding {
                input,
                ttl_secs,
                code,
                ..
            },
            Some(p),
        ) => {
            let mut next = settled(p, now);
            if next.onboarding_status != OnboardingStatus::Onboarded {
                next.onboarding_status = OnboardingStatus::Onboarding;
                next.onboarding_expiry = now.plus_secs(*ttl_secs);
                next.onboarding_code_hash = Some(crate::code_hash(code));
                next.partner_domain = input.partner_domain.clone().or(next.partner_domain);
            }
            Some(next)
        }
        (Mutation::Disconnect { .. }, Some(p)) => {
            let mut next = settled(p, now);
            next.onboarding_status = OnboardingStatus::NotOnboarded;
            next.onboarding_expiry = Timestamp::ZERO;
            next.onboarding_code_hash = None;
            next.credential_hash = None; // revoked: the very next partner call is refused
            Some(next)
        }
        (
            Mutation::Connect {
                code,
                credential_hash,
                ..
            },
            Some(p),
        ) => {
            let open = p.status_at(now) == OnboardingStatus::Onboarding
                && p.onboarding_code_hash
                    .as_deref()
                    .is_some_and(|h| same(h.as_bytes(), crate::code_hash(code).as_bytes()));
            if !open {
                return Err(Rejection::InvalidCode);
            }
            let mut next = p.clone();
            next.onboarding_status = OnboardingStatus::Onboarded;
            next.onboarding_code_hash = None;
            next.credential_hash = Some(*credential_hash);
            next.last_connection = now;
            Some(next)
        }
        (
            Mutation::Heartbeat {
                credential_hash,
                min_interval_secs,
                ..
            },
            Some(p),
        ) => {
            if !p.accepts_credential(credential_hash) {
                return Err(Rejection::InvalidCredential);
            }
            if p.last_connection.plus_secs(*min_interval_secs) > now {
                return Ok(Change {
                    before: Some(p.clone()),
                    after: Some(p.clone()),
                });
            }
            let mut next = p.clone();
            next.last_connection = now;
            Some(next)
        }
    };
    Ok(Change {
        before,
        after: after.map(|mut p| {
            p.revision = current.map_or(1, |c| c.revision + 1);
            p
        }),
    })
}

/// The settings singleton after a write, and the audit record committed with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsChange {
    pub after: RemoteAssistanceSettings,
    pub entry: AuditEntry,
}

/// Applies `patch` to the tenant's stored settings `current` (its defaults until first written,
/// as read inside the write transaction). Every patch is recorded, even one that changes nothing.
pub fn apply_settings(
    tenant: TenantId,
    current: &RemoteAssistanceSettings,
    patch: &SettingsPatch,
    audit: &AuditContext,
    now: Timestamp,
) -> SettingsChange {
    let after = current.apply(patch);
    SettingsChange {
        entry: AuditEntry::for_settings(tenant, current, &after, audit, now),
        after,
    }
}

/// Compares secrets in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Partner {
    /// Whether a partner call presenting a credential with this hash is accepted: only while
    /// onboarded, and only for the credential issued at connection.
    pub fn accepts_credential(&self, hash: &[u8; 32]) -> bool {
        self.onboarding_status == OnboardingStatus::Onboarded
            && self.credential_hash.is_some_and(|h| same(&h, hash))
    }
}

impl Change {
    /// A change that changed nothing (a heartbeat inside its interval): nothing to write or audit.
    pub fn is_noop(&self) -> bool {
        self.before == self.after
    }
}

/// The row with any expiry that has passed written down, so a change starts from what readers see.
fn settled(p: &Partner, now: Timestamp) -> Partner {
    let mut next = p.clone();
    if next.status_at(now) != next.onboarding_status {
        next.onboarding_status = OnboardingStatus::NotOnboarded;
        next.onboarding_expiry = Timestamp::ZERO;
        next.onboarding_code_hash = None;
    }
    next
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    const T: TenantId = TenantId(Uuid::nil());

    fn created(now: Timestamp) -> Partner {
        let id = PartnerId::new_random();
        let m = Mutation::Create {
            id,
            input: PartnerInput::default(),
        };
        apply(T, None, &m, now).unwrap().after.unwrap()
    }

    fn act(p: &Partner, m: Mutation, now: Timestamp) -> Partner {
        apply(T, Some(p), &m, now).unwrap().after.unwrap()
    }

    fn begin(id: PartnerId) -> Mutation {
        Mutation::BeginOnboarding {
            id,
            input: BeginOnboardingInput::default(),
            ttl_secs: 60,
            code: "secret".into(),
        }
    }

    #[test]
    fn the_transition_table() {
        let now = Timestamp::from_unix_secs(1_000_000);
        let p = created(now);
        assert_eq!(p.onboarding_status, OnboardingStatus::NotOnboarded);
        assert_eq!(p.last_connection, Timestamp::ZERO);

        let off = act(&p, Mutation::Disconnect { id: p.id }, now);
        assert_eq!(off.onboarding_status, OnboardingStatus::NotOnboarded);

        let on = act(&p, begin(p.id), now);
        assert_eq!(on.onboarding_status, OnboardingStatus::Onboarding);
        assert_eq!(on.onboarding_expiry, now.plus_secs(60));
        assert_eq!(on.revision, 2);

        let renewed = act(&on, begin(p.id), now.plus_secs(30));
        assert_eq!(renewed.onboarding_expiry, now.plus_secs(90));

        let off = act(&on, Mutation::Disconnect { id: p.id }, now);
        assert_eq!(off.onboarding_status, OnboardingStatus::NotOnboarded);
        assert_eq!(off.onboarding_expiry, Timestamp::ZERO);

        let mut onboarded = on.clone();
        onboarded.onboarding_status = OnboardingStatus::Onboarded;
        let same = act(&onboarded, begin(p.id), now);
        assert_eq!(same.onboarding_status, OnboardingStatus::Onboarded);
        let off = act(&onboarded, Mutation::Disconnect { id: p.id }, now);
        assert_eq!(off.onboarding_status, OnboardingStatus::NotOnboarded);
    }

    #[test]
    fn expiry_reads_not_onboarded() {
        let now = Timestamp::from_unix_secs(1_000_000);
        let on = act(&created(now), begin(PartnerId::new_random()), now);
        assert_eq!(
            on.status_at(now.plus_secs(59)),
            OnboardingStatus::Onboarding
        );
        assert_eq!(
            on.status_at(now.plus_secs(60)),
            OnboardingStatus::NotOnboarded
        );
        let patched = act(
            &on,
            Mutation::Update {
                id: on.id,
                input: PartnerInput::default(),
            },
            now.plus_secs(61),
        );
        assert_eq!(patched.onboarding_status, OnboardingStatus::NotOnboarded);
    }

    #[test]
    fn the_partner_connects_with_the_code_and_is_cut_off_by_disconnect() {
        let now = Timestamp::from_unix_secs(1_000_000);
        let p = created(now);
        let on = act(&p, begin(p.id), now);
        let wrong = Mutation::Connect {
            id: p.id,
            code: "guess".into(),
            credential_hash: [1; 32],
        };
        assert_eq!(
            apply(T, Some(&on), &wrong, now),
            Err(Rejection::InvalidCode)
        );
        let connect = Mutation::Connect {
            id: p.id,
            code: "secret".into(),
            credential_hash: [1; 32],
        };
        let connected = act(&on, connect.clone(), now.plus_secs(5));
        assert_eq!(connected.onboarding_status, OnboardingStatus::Onboarded);
        assert_eq!(connected.last_connection, now.plus_secs(5));
        assert_eq!(
            apply(T, Some(&connected), &connect, now),
            Err(Rejection::InvalidCode),
            "one-time"
        );

        let beat = |hash: [u8; 32]| Mutation::Heartbeat {
            id: p.id,
            credential_hash: hash,
            min_interval_secs: 60,
        };
        let early = apply(T, Some(&connected), &beat([1; 32]), now.plus_secs(30)).unwrap();
        assert!(early.is_noop(), "coalesced inside the interval");
        let later = act(&connected, beat([1; 32]), now.plus_secs(65));
        assert_eq!(later.last_connection, now.plus_secs(65));
        assert_eq!(
            apply(T, Some(&later), &beat([2; 32]), now),
            Err(Rejection::InvalidCredential)
        );

        let off = act(&later, Mutation::Disconnect { id: p.id }, now.plus_secs(70));
        assert_eq!(
            apply(T, Some(&off), &beat([1; 32]), now.plus_secs(71)),
            Err(Rejection::InvalidCredential)
        );
    }

    #[test]
    fn an_expired_code_is_refused() {
        let now = Timestamp::from_unix_secs(1_000_000);
        let on = act(&created(now), begin(PartnerId::new_random()), now);
        let connect = Mutation::Connect {
            id: on.id,
            code: "secret".into(),
            credential_hash: [1; 32],
        };
        assert_eq!(
            apply(T, Some(&on), &connect, now.plus_secs(60)),
            Err(Rejection::InvalidCode)
        );
    }

    #[test]
    fn rejections() {
        let now = Timestamp::from_unix_secs(1);
        let p = created(now);
        let id = PartnerId::new_random();
        assert_eq!(
            apply(T, None, &Mutation::Disconnect { id }, now),
            Err(Rejection::NotFound)
        );
        let again = Mutation::Create {
            id: p.id,
            input: PartnerInput::default(),
        };
        assert_eq!(
            apply(T, Some(&p), &again, now),
            Err(Rejection::AlreadyExists)
        );
        let gone = apply(T, Some(&p), &Mutation::Delete { id: p.id }, now).unwrap();
        assert!(gone.after.is_none());
    }

    #[test]
    fn a_settings_patch_changes_what_it_names_and_is_recorded() {
        let now = Timestamp::from_unix_secs(1);
        let audit = AuditContext {
            actor: crate::Actor::default(),
            correlation_id: Uuid::nil(),
        };
        let current = RemoteAssistanceSettings::defaults(T.0);
        let patch = SettingsPatch {
            block_chat: Some(true),
            ..SettingsPatch::default()
        };
        let change = apply_settings(T, &current, &patch, &audit, now);
        assert!(change.after.block_chat);
        assert_eq!(
            change.after.remote_assistance_state,
            current.remote_assistance_state
        );
        assert_eq!(change.entry.kind, OperationKind::PatchSettings);
        let named: Vec<&str> = change
            .entry
            .modified_properties
            .iter()
            .map(|m| m.display_name.as_str())
            .collect();
        assert_eq!(named, ["blockChat"]);

        let unchanged = apply_settings(T, &change.after, &patch, &audit, now);
        assert_eq!(unchanged.after, change.after);
        assert!(
            unchanged.entry.modified_properties.is_empty(),
            "recorded, naming nothing"
        );
    }
}
