// An environment's targets: SSH hosts, Kubernetes contexts, Cloudflare accounts and health URLs.
//
// Kept as JSON columns beside `variables`, not child tables: they are always read and written
// with their environment, never queried on their own, and an update replaces a list whole. Each
// item keeps a stable id (a jump host refers to another host by it); the core validates the
// lists with the contract's schemas before they are written. Secrets (passwords, key
// passphrases, the Cloudflare API token) live in the vault, referenced by name, never here.
export default /* sql */ `
ALTER TABLE environments ADD COLUMN ssh_hosts   TEXT NOT NULL DEFAULT '[]';  -- JSON [SshHost]
ALTER TABLE environments ADD COLUMN kubernetes  TEXT NOT NULL DEFAULT '[]';  -- JSON [KubernetesTarget]
ALTER TABLE environments ADD COLUMN cloudflare  TEXT NOT NULL DEFAULT '[]';  -- JSON [CloudflareTarget]
ALTER TABLE environments ADD COLUMN health_urls TEXT NOT NULL DEFAULT '[]';  -- JSON [HealthUrl]
`;
