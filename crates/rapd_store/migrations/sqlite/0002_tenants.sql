-- Provisioned tenants and their Intune licence (DESIGN §3).
CREATE TABLE tenants (
    tenant_id       BLOB    NOT NULL PRIMARY KEY,
    display_name    TEXT,
    intune_licensed INTEGER NOT NULL,
    created         INTEGER NOT NULL
) WITHOUT ROWID;
