-- Onboarding codes are kept only as the SHA-256 (hex) of their secret, so none can be read back
-- from the database; an open request's code is hashed in place.
ALTER TABLE partners RENAME COLUMN onboarding_code TO onboarding_code_hash;
UPDATE partners SET onboarding_code_hash = encode(sha256(convert_to(onboarding_code_hash, 'UTF8')), 'hex')
  WHERE onboarding_code_hash IS NOT NULL;
