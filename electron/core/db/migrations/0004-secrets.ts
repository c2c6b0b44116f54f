// The secrets vault. A secret's value is stored only as AES-256-GCM ciphertext (its IV and tag
// beside it; the AAD binds it to its environment and name). `vault` holds one row: how the key is
// obtained, and a verifier (a known value encrypted with the key) that tells a wrong passphrase
// apart from a right one without storing anything that could be used to recover the key.
export default /* sql */ `
CREATE TABLE vault (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  kind        TEXT NOT NULL CHECK (kind IN ('passphrase', 'os-keychain')),
  kdf_salt    BLOB,                 -- passphrase: scrypt's random 16-byte salt
  kdf_params  TEXT,                 -- passphrase: JSON {"N", "r", "p"}, so the cost can be raised later
  verifier    BLOB NOT NULL,        -- iv (12) | tag (16) | ciphertext of a known value
  created_at  TEXT NOT NULL
);

CREATE TABLE secrets (
  environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  iv             BLOB NOT NULL,
  tag            BLOB NOT NULL,
  ciphertext     BLOB NOT NULL,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  PRIMARY KEY (environment_id, name)
);
`;
