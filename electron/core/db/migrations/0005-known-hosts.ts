// Host keys the operator trusted on first contact, per environment (trust on first use). A key is
// public: nothing here is secret. Deleting an environment forgets the keys trusted for it.
export default /* sql */ `
CREATE TABLE known_hosts (
  environment_id     TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
  host               TEXT NOT NULL,
  port               INTEGER NOT NULL,
  key_type           TEXT NOT NULL,   -- as on the wire: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa
  fingerprint_sha256 TEXT NOT NULL,   -- SHA256:<base64, no padding>, as OpenSSH prints it
  public_key         TEXT NOT NULL,   -- the key blob, base64, as in a known_hosts line
  added_at           TEXT NOT NULL,
  PRIMARY KEY (environment_id, host, port, key_type)
);
`;
