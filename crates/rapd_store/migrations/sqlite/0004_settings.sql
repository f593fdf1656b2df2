-- Beta's remoteAssistanceSettings singleton, one row per tenant once it is first changed.
CREATE TABLE remote_assistance_settings (
    tenant_id                  BLOB    NOT NULL PRIMARY KEY,
    remote_assistance_state    INTEGER NOT NULL,
    allow_unenrolled_devices   INTEGER NOT NULL,
    block_chat                 INTEGER NOT NULL
) WITHOUT ROWID;
