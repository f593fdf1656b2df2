//! What a seed (the test-control API's `POST /_rapd/seed`, `rapd seed`) writes over a tenant's
//! stored rows, and the audit records it commits with them. Engines read each row inside their
//! seed transaction and write what these functions return.

use crate::{
    AuditContext, AuditEntry, Change, OperationKind, Partner, RemoteAssistanceSettings,
    SettingsChange, Tenant, TenantId, Timestamp,
};

/// The registration a seed writes over the stored one: the fixture's name and licence, keeping
/// the time a registered tenant was first provisioned.
pub fn registration(seeded: &Tenant, registered: Option<&Tenant>) -> Tenant {
    let mut next = seeded.clone();
    if let Some(existing) = registered {
        next.created = existing.created;
    }
    next
}

/// Seeded settings replace the stored ones whole, recorded as a settings patch.
pub fn settings(
    tenant: TenantId,
    current: &RemoteAssistanceSettings,
    seeded: &RemoteAssistanceSettings,
    audit: &AuditContext,
    now: Timestamp,
) -> SettingsChange {
    SettingsChange {
        after: *seeded,
        entry: AuditEntry::for_settings(tenant, current, seeded, audit, now),
    }
}

/// A seeded partner as it is written, and the audit record committed with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededPartner {
    pub partner: Partner,
    /// Whether it replaces a stored row rather than adding one.
    pub replaces: bool,
    pub entry: AuditEntry,
}

/// A seeded partner over the stored row `current` (as read inside the seed transaction): the
/// fixture's values, keeping the stored row's `created` and counting on from its revision;
/// recorded as a create, or as a patch of the row it replaces.
pub fn partner(
    tenant: TenantId,
    current: Option<Partner>,
    seeded: &Partner,
    audit: &AuditContext,
    now: Timestamp,
) -> SeededPartner {
    let mut after = seeded.clone();
    if let Some(before) = &current {
        after.created = before.created;
        after.revision = before.revision + 1;
    }
    let (kind, replaces) = match current {
        Some(_) => (OperationKind::Patch, true),
        None => (OperationKind::Create, false),
    };
    let change = Change {
        before: current,
        after: Some(after.clone()),
    };
    SeededPartner {
        partner: after,
        replaces,
        entry: AuditEntry::for_change(tenant, kind, &change, audit, now),
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::{Actor, Mutation, PartnerId, PartnerInput, lifecycle};

    const T: TenantId = TenantId(Uuid::nil());

    fn audit() -> AuditContext {
        AuditContext {
            actor: Actor::default(),
            correlation_id: Uuid::nil(),
        }
    }

    #[test]
    fn a_seeded_partner_adds_a_row_or_replaces_one_counting_revisions() {
        let (then, now) = (Timestamp::from_unix_secs(1), Timestamp::from_unix_secs(2));
        let id = PartnerId::new_random();
        let create = Mutation::Create {
            id,
            input: PartnerInput::default(),
        };
        let stored = lifecycle::apply(T, None, &create, then)
            .unwrap()
            .after
            .unwrap();
        let mut seeded = stored.clone();
        seeded.display_name = Some("seeded".into());
        seeded.created = now;

        let fresh = partner(T, None, &seeded, &audit(), now);
        assert!(!fresh.replaces);
        assert_eq!(fresh.partner, seeded);
        assert_eq!(fresh.entry.kind, OperationKind::Create);

        let over = partner(T, Some(stored.clone()), &seeded, &audit(), now);
        assert!(over.replaces);
        assert_eq!(over.partner.created, then, "keeps when it was created");
        assert_eq!(over.partner.revision, stored.revision + 1);
        assert_eq!(over.partner.display_name.as_deref(), Some("seeded"));
        assert_eq!(over.entry.kind, OperationKind::Patch);
        assert_eq!(over.entry.resource_id, id.0);
    }

    #[test]
    fn a_seeded_registration_keeps_when_the_tenant_was_provisioned() {
        let tenant = |created: i64, licensed: bool| Tenant {
            id: T,
            display_name: None,
            intune_licensed: licensed,
            created: Timestamp::from_unix_secs(created),
        };
        let seeded = tenant(2, false);
        assert_eq!(registration(&seeded, None), seeded);
        assert_eq!(
            registration(&seeded, Some(&tenant(1, true))),
            tenant(1, false)
        );
    }

    #[test]
    fn seeded_settings_replace_the_stored_ones_and_are_recorded() {
        let current = RemoteAssistanceSettings::defaults(T.0);
        let seeded = RemoteAssistanceSettings {
            block_chat: true,
            ..current
        };
        let change = settings(T, &current, &seeded, &audit(), Timestamp::ZERO);
        assert_eq!(change.after, seeded);
        assert_eq!(change.entry.kind, OperationKind::PatchSettings);
        assert_eq!(change.entry.modified_properties.len(), 1);
    }
}
