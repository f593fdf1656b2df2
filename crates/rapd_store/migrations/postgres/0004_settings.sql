-- Beta's remoteAssistanceSettings singleton, one row per tenant once it is first changed.
CREATE TABLE remote_assistance_settings (
    tenant_id                uuid    NOT NULL PRIMARY KEY,
    remote_assistance_state  bigint  NOT NULL,
    allow_unenrolled_devices boolean NOT NULL,
    block_chat               boolean NOT NULL
);
