-- Onboarding codes are kept only as the SHA-256 (hex) of their secret, so none can be read back
-- from the database; an open request's code is hashed in place (`rapd_sha256_hex` is registered
-- by the migration runner).
ALTER TABLE partners RENAME COLUMN onboarding_code TO onboarding_code_hash;
UPDATE partners SET onboarding_code_hash = rapd_sha256_hex(onboarding_code_hash)
  WHERE onboarding_code_hash IS NOT NULL;
