-- The partner's side of onboarding: the open request's one-time code, and the hash of the
-- credential issued when the partner connects.
ALTER TABLE partners ADD COLUMN onboarding_code text;
ALTER TABLE partners ADD COLUMN credential_hash bytea;
CREATE INDEX partners_onboarding ON partners (onboarding_status) WHERE onboarding_status = 1;
