-- Provisioned tenants and their Intune licence (DESIGN §3).
CREATE TABLE tenants (
    tenant_id       uuid    NOT NULL PRIMARY KEY,
    display_name    text,
    intune_licensed boolean NOT NULL,
    created         bigint  NOT NULL
);
