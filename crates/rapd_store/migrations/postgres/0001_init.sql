-- Partners and their audit trail. Every key starts with the tenant (DESIGN §5), so each table can
-- be distributed by tenant_id. Text that OData compares or sorts uses the "C" collation: byte
-- order, as SQLite compares, whatever the database's locale.
CREATE TABLE partners (
    tenant_id         uuid   NOT NULL,
    id                uuid   NOT NULL,
    display_name      text COLLATE "C",
    onboarding_url    text COLLATE "C",
    onboarding_status bigint NOT NULL,
    last_connection   bigint NOT NULL,
    onboarding_expiry bigint NOT NULL,
    partner_domain    text,
    created           bigint NOT NULL,
    revision          bigint NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- seq orders a tenant's records in commit order. audit_heads holds each tenant's last seq; its
-- row is locked by the writing transaction until commit, so seqs follow commit order.
CREATE TABLE audit_events (
    tenant_id                uuid   NOT NULL,
    seq                      bigint NOT NULL,
    activity_date_time       bigint NOT NULL,
    id                       uuid   NOT NULL,
    operation_kind           text   NOT NULL,
    actor_json               text   NOT NULL,
    resource_id              uuid   NOT NULL,
    resource_display_name    text,
    modified_properties_json text   NOT NULL,
    correlation_id           uuid   NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

CREATE TABLE audit_heads (
    tenant_id uuid   NOT NULL PRIMARY KEY,
    last_seq  bigint NOT NULL
);
