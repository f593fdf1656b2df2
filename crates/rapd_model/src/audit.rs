//! Audit records, shaped after Intune's `auditEvent`, built from an accepted change.
//!
//! Engines store each entry in the same transaction as the change it records. Both versions list
//! the same records; each shows only the properties its CSDL declares
//! ([`AuditEntry::modified_properties_in`], and the server's `audit_events.rs` for the rest).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{ApiVersion, Change, Partner, Property, RemoteAssistanceSettings, TenantId, Timestamp};

/// Which kind of change an entry records (`activityOperationType` and the verb of `activityType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Create,
    Patch,
    Delete,
    BeginOnboarding,
    Disconnect,
    /// The partner redeemed its onboarding code.
    Connect,
    /// A partner call refreshed `lastConnectionDateTime`.
    Heartbeat,
    /// Beta's `remoteAssistanceSettings` changed.
    PatchSettings,
}

impl OperationKind {
    pub const ALL: [OperationKind; 8] = [
        OperationKind::Create,
        OperationKind::Patch,
        OperationKind::Delete,
        OperationKind::BeginOnboarding,
        OperationKind::Disconnect,
        OperationKind::Connect,
        OperationKind::Heartbeat,
        OperationKind::PatchSettings,
    ];

    /// `activityOperationType`, as Intune writes it.
    pub fn operation_type(self) -> &'static str {
        match self {
            OperationKind::Create => "Create",
            OperationKind::Patch | OperationKind::PatchSettings => "Patch",
            OperationKind::Delete => "Delete",
            OperationKind::BeginOnboarding
            | OperationKind::Disconnect
            | OperationKind::Connect
            | OperationKind::Heartbeat => "Action",
        }
    }

    /// The type of the resource a record is about.
    pub fn resource_type(self) -> &'static str {
        match self {
            OperationKind::PatchSettings => "RemoteAssistanceSettings",
            _ => "RemoteAssistancePartner",
        }
    }

    /// Whether `version` declares the property `name` of the resource a record is about: the
    /// partner's as the catalogue has them, the settings' only in beta (v1.0 has no settings).
    fn declares(self, version: ApiVersion, name: &str) -> bool {
        match self {
            OperationKind::PatchSettings => version == ApiVersion::Beta,
            _ => Property::parse(version, name).is_some(),
        }
    }

    /// `activityType`, e.g. `Disconnect RemoteAssistancePartner`.
    pub fn activity_type(self) -> &'static str {
        match self {
            OperationKind::Create => "Create RemoteAssistancePartner",
            OperationKind::Patch => "Patch RemoteAssistancePartner",
            OperationKind::Delete => "Delete RemoteAssistancePartner",
            OperationKind::BeginOnboarding => "BeginOnboarding RemoteAssistancePartner",
            OperationKind::Disconnect => "Disconnect RemoteAssistancePartner",
            OperationKind::Connect => "Connect RemoteAssistancePartner",
            OperationKind::Heartbeat => "Heartbeat RemoteAssistancePartner",
            OperationKind::PatchSettings => "Patch RemoteAssistanceSettings",
        }
    }
}

/// Who made a change: `auditActor`, taken from the verified token. Its serde form is how the
/// engines store it, not the wire: `audit_events.rs` writes each version's `auditActor`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// `ItPro` for a delegated user, `Application` for an app-only caller.
    #[serde(rename = "type")]
    pub actor_type: String,
    pub user_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub application_id: Option<String>,
    pub ip_address: Option<String>,
}

/// One `modifiedProperties` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifiedProperty {
    pub display_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: Uuid,
    pub tenant: TenantId,
    pub activity_date_time: Timestamp,
    pub kind: OperationKind,
    pub actor: Actor,
    /// The partner's id, or the settings singleton's.
    pub resource_id: Uuid,
    pub resource_display_name: Option<String>,
    pub modified_properties: Vec<ModifiedProperty>,
    /// The request id of the call that made the change.
    pub correlation_id: Uuid,
}

pub const CATEGORY: &str = "RemoteAssistance";
pub const COMPONENT_NAME: &str = "RemoteAssistance";

/// What the caller brings to a change: the actor and the request id it is audited under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    pub actor: Actor,
    pub correlation_id: Uuid,
}

impl AuditEntry {
    /// The record of `change`, made by `kind` at `now`.
    pub fn for_change(
        tenant: TenantId,
        kind: OperationKind,
        change: &Change,
        context: &AuditContext,
        now: Timestamp,
    ) -> AuditEntry {
        let subject = change.after.as_ref().or(change.before.as_ref());
        AuditEntry {
            id: Uuid::new_v4(),
            tenant,
            activity_date_time: now,
            kind,
            actor: context.actor.clone(),
            resource_id: subject.map_or(Uuid::nil(), |p| p.id.0),
            resource_display_name: subject.and_then(|p| p.display_name.clone()),
            modified_properties: modified_properties(change.before.as_ref(), change.after.as_ref()),
            correlation_id: context.correlation_id,
        }
    }
}

impl AuditEntry {
    /// `modifiedProperties` as `version` shows them: v1.0 never names a beta-only property (the
    /// partner's `onboardingRequestExpiryDateTime`, any of the settings'), so a v1.0 record of a
    /// settings change lists none. The record itself stays, so both versions page alike.
    pub fn modified_properties_in(
        &self,
        version: ApiVersion,
    ) -> impl Iterator<Item = &ModifiedProperty> {
        self.modified_properties
            .iter()
            .filter(move |m| self.kind.declares(version, &m.display_name))
    }

    /// The record of a change to the settings singleton.
    pub fn for_settings(
        tenant: TenantId,
        before: &RemoteAssistanceSettings,
        after: &RemoteAssistanceSettings,
        context: &AuditContext,
        now: Timestamp,
    ) -> AuditEntry {
        let props = |s: &RemoteAssistanceSettings| {
            [
                (
                    "remoteAssistanceState",
                    s.remote_assistance_state.as_str().to_owned(),
                ),
                (
                    "allowSessionsToUnenrolledDevices",
                    s.allow_sessions_to_unenrolled_devices.to_string(),
                ),
                ("blockChat", s.block_chat.to_string()),
            ]
        };
        let modified_properties = props(before)
            .into_iter()
            .zip(props(after))
            .filter(|((_, old), (_, new))| old != new)
            .map(|((name, old), (_, new))| ModifiedProperty {
                display_name: name.to_owned(),
                old_value: Some(old),
                new_value: Some(new),
            })
            .collect();
        AuditEntry {
            id: Uuid::new_v4(),
            tenant,
            activity_date_time: now,
            kind: OperationKind::PatchSettings,
            actor: context.actor.clone(),
            resource_id: after.id,
            resource_display_name: Some("remoteAssistanceSettings".into()),
            modified_properties,
            correlation_id: context.correlation_id,
        }
    }
}

fn modified_properties(before: Option<&Partner>, after: Option<&Partner>) -> Vec<ModifiedProperty> {
    let props = |p: Option<&Partner>| -> [(&'static str, Option<String>); 5] {
        [
            ("displayName", p.and_then(|p| p.display_name.clone())),
            ("onboardingUrl", p.and_then(|p| p.onboarding_url.clone())),
            (
                "onboardingStatus",
                p.map(|p| p.onboarding_status.as_str().to_owned()),
            ),
            (
                "lastConnectionDateTime",
                p.map(|p| p.last_connection.to_string()),
            ),
            (
                "onboardingRequestExpiryDateTime",
                p.map(|p| p.onboarding_expiry.to_string()),
            ),
        ]
    };
    props(before)
        .into_iter()
        .zip(props(after))
        .filter(|((_, old), (_, new))| old != new)
        .map(|((name, old), (_, new))| ModifiedProperty {
            display_name: name.to_owned(),
            old_value: old,
            new_value: new,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::lifecycle::{Mutation, apply};
    use crate::{BeginOnboardingInput, PartnerId, PartnerInput, RemoteAssistanceState};

    const T: TenantId = TenantId(Uuid::nil());

    fn names(e: &AuditEntry, version: ApiVersion) -> Vec<&str> {
        e.modified_properties_in(version)
            .map(|m| m.display_name.as_str())
            .collect()
    }

    #[test]
    fn v1_records_name_no_beta_only_property() {
        let now = Timestamp::from_unix_secs(1_000_000);
        let context = AuditContext {
            actor: Actor::default(),
            correlation_id: Uuid::nil(),
        };
        let id = PartnerId::new_random();
        let create = Mutation::Create {
            id,
            input: PartnerInput::default(),
        };
        let created = apply(T, None, &create, now).unwrap().after.unwrap();
        let begin = Mutation::BeginOnboarding {
            id,
            input: BeginOnboardingInput::default(),
            ttl_secs: 60,
            code: "secret".into(),
        };
        let change = apply(T, Some(&created), &begin, now).unwrap();
        let e = AuditEntry::for_change(T, OperationKind::BeginOnboarding, &change, &context, now);
        assert_eq!(
            names(&e, ApiVersion::Beta),
            ["onboardingStatus", "onboardingRequestExpiryDateTime"]
        );
        assert_eq!(names(&e, ApiVersion::V1), ["onboardingStatus"]);

        let before = RemoteAssistanceSettings::defaults(Uuid::nil());
        let after = RemoteAssistanceSettings {
            remote_assistance_state: RemoteAssistanceState::Enabled,
            block_chat: true,
            ..before
        };
        let e = AuditEntry::for_settings(T, &before, &after, &context, now);
        assert_eq!(
            names(&e, ApiVersion::Beta),
            ["remoteAssistanceState", "blockChat"]
        );
        assert!(names(&e, ApiVersion::V1).is_empty());
    }
}
