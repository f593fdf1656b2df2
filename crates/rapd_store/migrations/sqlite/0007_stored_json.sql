-- Each partner's list item without `$select`, in v1.0 and beta, written with the row (a list page
-- is then a concatenation of stored bytes), and the revision it was rendered at (readers render
-- a row whose revisions differ). Rows written before stay NULL and are rendered when read, until
-- their next write.
ALTER TABLE partners ADD COLUMN json_v1 BLOB;
ALTER TABLE partners ADD COLUMN json_beta BLOB;
ALTER TABLE partners ADD COLUMN json_revision INTEGER;
