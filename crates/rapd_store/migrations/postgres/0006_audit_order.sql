-- Audit records are ordered by the id of the transaction that wrote them (`xact`), then by a
-- global sequence (`seq`), so writers of one tenant no longer queue on its `audit_heads` row;
-- readers return only records of transactions below their snapshot's horizon (why that order
-- is append-only: `src/postgres/audit_order.rs`). Existing records keep their per-tenant `seq`
-- under `xact` 0, so they stay first and in order, and a paging token issued before keeps its
-- meaning. The default lets a node of the previous release, still inserting by `audit_heads`,
-- write records in the same order during a rolling upgrade; a later release drops `audit_heads`.
ALTER TABLE audit_events ADD COLUMN xact bigint NOT NULL DEFAULT 0;
ALTER TABLE audit_events ALTER COLUMN xact SET DEFAULT (pg_current_xact_id()::text::bigint);
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey;
ALTER TABLE audit_events ADD PRIMARY KEY (tenant_id, xact, seq);
CREATE SEQUENCE audit_seq;
