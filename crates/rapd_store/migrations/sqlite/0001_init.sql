-- Partners and their audit trail. Every key starts with the tenant (DESIGN §5).
CREATE TABLE partners (
    tenant_id         BLOB    NOT NULL,
    id                BLOB    NOT NULL,
    display_name      TEXT,
    onboarding_url    TEXT,
    onboarding_status INTEGER NOT NULL,
    last_connection   INTEGER NOT NULL,
    onboarding_expiry INTEGER NOT NULL,
    partner_domain    TEXT,
    created           INTEGER NOT NULL,
    revision          INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;

-- seq orders a tenant's records in commit order: the tenant's previous maximum plus one.
CREATE TABLE audit_events (
    tenant_id                BLOB    NOT NULL,
    seq                      INTEGER NOT NULL,
    activity_date_time       INTEGER NOT NULL,
    id                       BLOB    NOT NULL,
    operation_kind           TEXT    NOT NULL,
    actor_json               TEXT    NOT NULL,
    resource_id              BLOB    NOT NULL,
    resource_display_name    TEXT,
    modified_properties_json TEXT    NOT NULL,
    correlation_id           BLOB    NOT NULL,
    PRIMARY KEY (tenant_id, seq)
) WITHOUT ROWID;
