//! Beta's `remoteAssistanceSettings` singleton: one per tenant.

use serde_json::Value;
use uuid::Uuid;

use crate::InputError;

const SETTINGS_ODATA_TYPE: &str = "#microsoft.graph.remoteAssistanceSettings";

/// `microsoft.graph.remoteAssistanceState` (its members start at 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteAssistanceState {
    Disabled,
    Enabled,
}

impl RemoteAssistanceState {
    pub fn as_str(self) -> &'static str {
        match self {
            RemoteAssistanceState::Disabled => "disabled",
            RemoteAssistanceState::Enabled => "enabled",
        }
    }

    /// The CSDL value, also the stored form.
    pub fn value(self) -> i64 {
        match self {
            RemoteAssistanceState::Disabled => 1,
            RemoteAssistanceState::Enabled => 2,
        }
    }

    pub fn from_value(value: i64) -> Option<RemoteAssistanceState> {
        [
            RemoteAssistanceState::Disabled,
            RemoteAssistanceState::Enabled,
        ]
        .into_iter()
        .find(|s| s.value() == value)
    }

    pub fn parse(name: &str) -> Option<RemoteAssistanceState> {
        [
            RemoteAssistanceState::Disabled,
            RemoteAssistanceState::Enabled,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteAssistanceSettings {
    /// The singleton's id: the tenant's id, so it is stable from the first read.
    pub id: Uuid,
    pub remote_assistance_state: RemoteAssistanceState,
    pub allow_sessions_to_unenrolled_devices: bool,
    pub block_chat: bool,
}

impl RemoteAssistanceSettings {
    /// What a tenant has before an administrator configures anything: `disabled`, `false`, `false`.
    pub fn defaults(tenant: Uuid) -> RemoteAssistanceSettings {
        RemoteAssistanceSettings {
            id: tenant,
            remote_assistance_state: RemoteAssistanceState::Disabled,
            allow_sessions_to_unenrolled_devices: false,
            block_chat: false,
        }
    }

    pub fn apply(&self, patch: &SettingsPatch) -> RemoteAssistanceSettings {
        RemoteAssistanceSettings {
            id: self.id,
            remote_assistance_state: patch
                .remote_assistance_state
                .unwrap_or(self.remote_assistance_state),
            allow_sessions_to_unenrolled_devices: patch
                .allow_sessions_to_unenrolled_devices
                .unwrap_or(self.allow_sessions_to_unenrolled_devices),
            block_chat: patch.block_chat.unwrap_or(self.block_chat),
        }
    }

    /// The singleton as Graph shows it, with `@odata.context`.
    pub fn to_json(&self, context: &str) -> Value {
        serde_json::json!({
            "@odata.context": context,
            "@odata.type": SETTINGS_ODATA_TYPE,
            "id": self.id.to_string(),
            "remoteAssistanceState": self.remote_assistance_state.as_str(),
            "allowSessionsToUnenrolledDevices": self.allow_sessions_to_unenrolled_devices,
            "blockChat": self.block_chat,
        })
    }
}

/// A PATCH body of the settings: each property optional, none nullable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsPatch {
    pub remote_assistance_state: Option<RemoteAssistanceState>,
    pub allow_sessions_to_unenrolled_devices: Option<bool>,
    pub block_chat: Option<bool>,
}

impl SettingsPatch {
    pub fn parse(body: &[u8]) -> Result<SettingsPatch, InputError> {
        let object = match crate::strict_json::parse(body) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(InputError::NotAnObject),
            Err(e) => return Err(InputError::InvalidJson(e.to_string())),
        };
        let boolean = |key: &str, value: &Value| match value {
            Value::Bool(b) => Ok(*b),
            Value::Null => Err(InputError::NullNotAllowed(key.to_owned())),
            _ => Err(InputError::WrongType {
                property: key.to_owned(),
                expected: "true or false",
            }),
        };
        let mut patch = SettingsPatch::default();
        for (key, value) in &object {
            match key.as_str() {
                "@odata.type" if value.as_str() == Some(SETTINGS_ODATA_TYPE) => {}
                "@odata.type" => return Err(InputError::WrongODataType(value.to_string())),
                "@odata.context" | "id" => {}
                "remoteAssistanceState" => {
                    let state = value.as_str().and_then(RemoteAssistanceState::parse);
                    patch.remote_assistance_state =
                        Some(state.ok_or_else(|| InputError::InvalidEnum {
                            property: key.clone(),
                            value: value.to_string(),
                        })?);
                }
                "allowSessionsToUnenrolledDevices" => {
                    patch.allow_sessions_to_unenrolled_devices = Some(boolean(key, value)?)
                }
                "blockChat" => patch.block_chat = Some(boolean(key, value)?),
                _ => {
                    return Err(InputError::UnknownProperty(
                        key.clone(),
                        "remoteAssistanceSettings",
                    ));
                }
            }
        }
        Ok(patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_patch_body_and_refusals() {
        let body = br##"{"@odata.type":"#microsoft.graph.remoteAssistanceSettings","remoteAssistanceState":"enabled","allowSessionsToUnenrolledDevices":true,"blockChat":true}"##;
        let patch = SettingsPatch::parse(body).unwrap();
        let settings = RemoteAssistanceSettings::defaults(Uuid::nil()).apply(&patch);
        assert_eq!(
            settings.remote_assistance_state,
            RemoteAssistanceState::Enabled
        );
        assert!(settings.allow_sessions_to_unenrolled_devices && settings.block_chat);
        for bad in [
            r#"{"blockChat":null}"#,
            r#"{"blockChat":"yes"}"#,
            r#"{"remoteAssistanceState":"on"}"#,
            r#"{"x":1}"#,
            "[]",
        ] {
            assert!(SettingsPatch::parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
