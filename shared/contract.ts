/**
 * The one API contract between the renderer and the core. Every method, event and byte stream the
 * UI uses is named here and nowhere else; both hosts (Electron IPC over a MessagePort, and the
 * headless WebSocket) serve this table, and the renderer's client is typed from it.
 * Arguments are validated with these schemas where they enter the core.
 */
import { z } from 'zod';
import { ImportedRunbook } from './runbook';

// ---- domain schemas -------------------------------------------------------------------------

export const Tier = z.enum(['production', 'staging', 'development', 'other']);
export type Tier = z.infer<typeof Tier>;

/** A secret's name: what a runbook placeholder or an environment variable would call it. */
export const SecretName = z
  .string()
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a secret name is letters, digits and _, not starting with a digit');

export const Variable = z.object({
  key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name is letters, digits and _, not starting with a digit'),
  value: z.string().max(10_000),
});
export type Variable = z.infer<typeof Variable>;

// ---- environment targets: where an operator's terminals and checks point -------------------
// Every value here may later reach an ssh, kubectl or wrangler argument list, so each is held to
// what the real thing can be: no whitespace, no shell metacharacters, nothing that starts with `-`
// (which a CLI would read as an option).

const TargetId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'an id is letters, digits, _ and -');
const TargetName = z.string().trim().min(1, 'a name is needed').max(80);
/** A file path as written by the operator (`~/` allowed): no control characters, not an option. */
const FilePath = z
  .string()
  .trim()
  .min(1, 'a path is needed')
  .max(4096)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'a path has no control characters')
  .refine((p) => !p.startsWith('-'), 'a path cannot start with -');

export const SshAuth = z.enum(['agent', 'key', 'password', 'keyboard-interactive']);
export type SshAuth = z.infer<typeof SshAuth>;

export const SshHost = z.object({
  /** Given by the core when absent; a jump host is referred to by it. */
  id: TargetId.optional(),
  name: TargetName,
  host: z
    .string()
    .trim()
    .min(1, 'a host name or address is needed')
    .max(253)
    .regex(/^[A-Za-z0-9[][A-Za-z0-9._:%[\]-]*$/, 'a host is a name or an IP address: letters, digits, . - : only, no spaces or shell characters'),
  port: z.number({ error: 'a port is a number' }).int('a port is a whole number').min(1, 'a port is 1-65535').max(65_535, 'a port is 1-65535').default(22),
  user: z
    .string()
    .trim()
    .min(1, 'a user is needed')
    .max(64)
    .regex(/^[A-Za-z0-9_.][A-Za-z0-9_.@-]*$/, 'a user name is letters, digits, . _ - and @'),
  auth: SshAuth.default('agent'),
  /** The private key file, for `key` auth; its passphrase is a vault secret, never stored here. */
  keyPath: FilePath.nullable().default(null),
  /** Another SSH host of the same environment to connect through. */
  jumpHostId: TargetId.nullable().default(null),
  keepaliveSeconds: z.number().int().min(0, 'keepalive is 0 (off) to 3600 seconds').max(3600, 'keepalive is 0 (off) to 3600 seconds').default(30),
  /**
   * The vault secret (of this environment) holding the password, for `password` and
   * `keyboard-interactive` auth, or the key file's passphrase, for `key` auth. Null: none.
   */
  secret: SecretName.nullable().default(null),
});
export type SshHostInput = z.input<typeof SshHost>;

const KubeName = z
  .string()
  .trim()
  .min(1, 'a context is needed')
  .max(253)
  .regex(/^[^\s\u0000-\u001f'"`$;&|<>\\]+$/, 'no spaces or shell characters')
  .refine((v) => !v.startsWith('-'), 'cannot start with -');

export const KubernetesTarget = z.object({
  id: TargetId.optional(),
  name: TargetName,
  kubeconfigPath: FilePath,
  context: KubeName,
  namespace: z
    .string()
    .trim()
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace is lower-case letters, digits and -')
    .default('default'),
});
export type KubernetesTargetInput = z.input<typeof KubernetesTarget>;

export const CloudflareTarget = z.object({
  id: TargetId.optional(),
  name: TargetName,
  accountId: z.string().trim().regex(/^[0-9a-f]{32}$/, 'an account id is 32 hex characters'),
  /** wrangler's `--env`; null: wrangler's top-level environment. */
  wranglerEnv: z.string().trim().regex(/^[A-Za-z0-9_-]{1,100}$/, 'a wrangler env is letters, digits, _ and -').nullable().default(null),
  /** The name of the vault secret holding the API token: the token itself never lives here. */
  /** The name of the vault secret holding the API token (never the token itself). */
  apiTokenSecret: SecretName.nullable().default(null),
});
export type CloudflareTargetInput = z.input<typeof CloudflareTarget>;

/** An http:// or https:// address, as the operator typed it (trimmed). */
function httpUrl(message: string) {
  return z
    .string()
    .trim()
    .max(2048)
    .refine((u) => {
      try {
        const { protocol } = new URL(u);
        return protocol === 'http:' || protocol === 'https:';
      } catch {
        return false;
      }
    }, message);
}

export const HealthUrl = z.object({
  id: TargetId.optional(),
  name: TargetName,
  url: httpUrl('a health URL is a full http:// or https:// address'),
  expectedStatus: z.number().int().min(100, 'an HTTP status is 100-599').max(599, 'an HTTP status is 100-599').default(200),
});
export type HealthUrlInput = z.input<typeof HealthUrl>;

const Description = z.string().max(4000);
const TargetLists = {
  variables: z.array(Variable).max(500),
  sshHosts: z.array(SshHost).max(200),
  kubernetes: z.array(KubernetesTarget).max(200),
  cloudflare: z.array(CloudflareTarget).max(50),
  healthUrls: z.array(HealthUrl).max(200),
};
const EnvironmentFields = z.object({
  name: z.string().trim().min(1, 'an environment needs a name').max(80),
  tier: Tier,
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb'),
  description: Description.default(''),
  variables: TargetLists.variables.default([]),
  // Absent means none. Optional rather than defaulted, so callers written before targets existed
  // (the CLI, older tests calling the core directly) still type-check.
  sshHosts: TargetLists.sshHosts.optional(),
  kubernetes: TargetLists.kubernetes.optional(),
  cloudflare: TargetLists.cloudflare.optional(),
  healthUrls: TargetLists.healthUrls.optional(),
});

/** Checks that span targets: ids are unique, a key file is named for key auth, and a jump host
 * is another SSH host of this environment. */
function checkTargets(env: Partial<z.output<typeof EnvironmentFields>>, ctx: z.RefinementCtx): void {
  const hosts = env.sshHosts ?? [];
  const ids = new Set<string>();
  const lists = [['sshHosts', hosts], ['kubernetes', env.kubernetes ?? []], ['cloudflare', env.cloudflare ?? []], ['healthUrls', env.healthUrls ?? []]] as const;
  for (const [list, items] of lists) {
    for (const [i, item] of items.entries()) {
      if (item.id === undefined) continue;
      if (ids.has(item.id)) ctx.addIssue({ code: 'custom', path: [list, i, 'id'], message: 'this id is used twice' });
      ids.add(item.id);
    }
  }
  for (const [i, h] of hosts.entries()) {
    if (h.auth === 'key' && !h.keyPath) ctx.addIssue({ code: 'custom', path: ['sshHosts', i, 'keyPath'], message: 'key authentication needs a key file' });
    if (h.jumpHostId === null) continue;
    if (h.jumpHostId === h.id) ctx.addIssue({ code: 'custom', path: ['sshHosts', i, 'jumpHostId'], message: 'a host cannot be its own jump host' });
    else if (!hosts.some((o) => o.id === h.jumpHostId)) {
      ctx.addIssue({ code: 'custom', path: ['sshHosts', i, 'jumpHostId'], message: 'the jump host must be another SSH host of this environment' });
    }
  }
}

export const EnvironmentInput = EnvironmentFields.superRefine(checkTargets);
export type EnvironmentInput = z.input<typeof EnvironmentInput>;
/** What `environments.update` takes: any subset of the fields, checked together once merged.
 * No defaults here: a field the patch leaves out is kept, not reset. */
export const EnvironmentPatch = EnvironmentFields.extend({ description: Description, ...TargetLists }).partial().superRefine(checkTargets);

const WithId = { id: z.string() };
export const Environment = z.object({
  id: z.string(),
  name: z.string(),
  tier: Tier,
  color: z.string(),
  description: z.string(),
  variables: z.array(Variable),
  sshHosts: z.array(SshHost.extend(WithId)),
  kubernetes: z.array(KubernetesTarget.extend(WithId)),
  cloudflare: z.array(CloudflareTarget.extend(WithId)),
  healthUrls: z.array(HealthUrl.extend(WithId)),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Environment = z.infer<typeof Environment>;
export type SshHost = Environment['sshHosts'][number];
export type KubernetesTarget = Environment['kubernetes'][number];
export type CloudflareTarget = Environment['cloudflare'][number];
export type HealthUrl = Environment['healthUrls'][number];

/** A host found in an ssh config file, offered to the operator; nothing is saved until they pick. */
export const SshConfigCandidate = z.object({
  /** The `Host` alias. */
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  user: z.string().nullable(),
  keyPath: z.string().nullable(),
  /** The first hop of `ProxyJump`, as written (usually another alias). */
  jumpHost: z.string().nullable(),
});
export type SshConfigCandidate = z.infer<typeof SshConfigCandidate>;

export const KubeconfigCandidate = z.object({
  /** The context's name. */
  name: z.string(),
  cluster: z.string().nullable(),
  namespace: z.string().nullable(),
  server: z.string().nullable(),
  /** The kubeconfig file it was found in. */
  kubeconfigPath: z.string(),
});
export type KubeconfigCandidate = z.infer<typeof KubeconfigCandidate>;

const ImportPath = z.object({ path: z.string().trim().min(1).max(4096).optional() });

/** Where a runbook came from: a file the operator imported, the app's own, a watched folder,
 * or a git repository (read-only). */
export const RunbookOrigin = z.enum(['upload', 'bundled', 'folder', 'git']);
export type RunbookOrigin = z.infer<typeof RunbookOrigin>;

export const RunbookSummary = z.object({
  id: z.string(),
  title: z.string(),
  sourcePath: z.string(),
  sourceName: z.string(),
  sha256: z.string(),
  bundled: z.boolean(),
  origin: RunbookOrigin,
  /** The folder or git source it belongs to; null for uploads and bundled runbooks. */
  sourceId: z.string().nullable(),
  /** True once its file disappeared from its source: kept, read-only, never silently lost. */
  archived: z.boolean(),
  /** When its source last changed (file modification time, or the commit's time for git). */
  changedAt: z.string().nullable(),
  /** Whether Watchfloor may rewrite its source (uploads and folder files; not bundled or git). */
  editable: z.boolean(),
  procedureCount: z.number().int(),
  stepCount: z.number().int(),
  commandCount: z.number().int(),
  importedAt: z.string(),
});
export type RunbookSummary = z.infer<typeof RunbookSummary>;

export const RunbookDetail = z.object({
  summary: RunbookSummary,
  runbook: ImportedRunbook,
  sourceText: z.string(),
});
export type RunbookDetail = z.infer<typeof RunbookDetail>;

export const SearchHit = z.object({
  runbookId: z.string(),
  runbookTitle: z.string(),
  kind: z.enum(['runbook', 'procedure', 'step', 'command']),
  procedureIndex: z.number().int().nullable(),
  procedureTitle: z.string().nullable(),
  stepIndex: z.number().int().nullable(),
  stepTitle: z.string().nullable(),
  line: z.number().int().nullable(),
  /** A short excerpt; `[start, end)` ranges in it are the matched words. */
  snippet: z.string(),
  highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const LintFinding = z.object({
  /** A stable rule id: `step-without-command`, `undefined-placeholder`, `missing-recovery-target`,
   * `destructive-without-confirm`, `broken-alert-link`, ... */
  rule: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  /** 1-based source line; 0 when the finding is about the whole file. */
  line: z.number().int().nonnegative(),
  procedureIndex: z.number().int().nullable(),
  stepIndex: z.number().int().nullable(),
});
export type LintFinding = z.infer<typeof LintFinding>;

export const RunbookSourceKind = z.enum(['folder', 'git']);
export const RunbookSource = z.object({
  id: z.string(),
  kind: RunbookSourceKind,
  /** A folder path, or a git repository URL (any URL or path the system `git` can clone). */
  location: z.string(),
  /** git only: the branch followed; null means the remote's default. */
  branch: z.string().nullable(),
  /** git only: pull on this schedule; null means on demand only. */
  pullIntervalMinutes: z.number().int().positive().nullable(),
  /** Folder sources are watched while the core runs. */
  watching: z.boolean(),
  lastSyncAt: z.string().nullable(),
  /** What went wrong on the last sync, written for the operator; null when it went well. */
  lastError: z.string().nullable(),
  runbookCount: z.number().int(),
  createdAt: z.string(),
});
export type RunbookSource = z.infer<typeof RunbookSource>;

export const StoreNotice = z.object({
  kind: z.literal('recovered'),
  message: z.string(),
  movedTo: z.string(),
});
export type StoreNotice = z.infer<typeof StoreNotice>;

export const ThemePreference = z.enum(['system', 'dark', 'light']);
export type ThemePreference = z.infer<typeof ThemePreference>;

export const Preferences = z.object({
  /** The environment the operator is working in; null: none chosen. */
  currentEnvironmentId: z.string().nullable(),
  theme: ThemePreference,
});
export type Preferences = z.infer<typeof Preferences>;

export const AppInfo = z.object({
  version: z.string(),
  host: z.enum(['electron', 'headless']),
  dataDir: z.string(),
  storeNotice: StoreNotice.nullable(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const ImportFile = z.object({
  name: z.string().min(1).max(1024),
  /** The file's text. Files over the limit are refused before they are parsed. */
  text: z.string().max(16 * 1024 * 1024, 'a runbook file is at most 16 MB'),
});

export const ImportResult = z.object({
  imported: z.array(RunbookSummary),
  errors: z.array(z.object({ name: z.string(), message: z.string() })),
});
export type ImportResult = z.infer<typeof ImportResult>;

// ---- secrets ----------------------------------------------------------------------------------

/** How the vault is: not created yet, locked (its key not in memory), or unlocked. Its key comes
 * from the operator's passphrase (headless host) or the operating system's keychain (Electron). */
export const VaultStatus = z.object({
  state: z.enum(['uninitialised', 'locked', 'unlocked']),
  kind: z.enum(['passphrase', 'os-keychain']),
});
export type VaultStatus = z.infer<typeof VaultStatus>;

/** A secret as listed: never its value. */
export const SecretSummary = z.object({
  environmentId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SecretSummary = z.infer<typeof SecretSummary>;

const SecretRef = z.object({ environmentId: z.string().min(1).max(200), name: SecretName });

const Id = z.object({ id: z.string().min(1).max(200) });
const Ok = z.object({ ok: z.literal(true) });

// ---- terminals --------------------------------------------------------------------------------

/**
 * What a terminal runs: a local shell; a shell on one of the environment's SSH hosts; a local
 * shell pinned to one of its Kubernetes contexts (private KUBECONFIG); a local shell with its
 * Cloudflare account (wrangler's environment variables).
 */
export const TerminalKind = z.enum(['local', 'ssh', 'kubectl', 'wrangler']);
export type TerminalKind = z.infer<typeof TerminalKind>;

export const TerminalInfo = z.object({
  id: z.string(),
  kind: TerminalKind,
  title: z.string(),
  /** The environment it is locked to; null for a plain local shell. */
  environmentId: z.string().nullable(),
  /** The SSH host, Kubernetes target or Cloudflare account (its id in the environment). */
  targetId: z.string().nullable(),
  /** Where it points, for the header: `deploy@10.0.0.5:22 via bastion`, `prod-eu / payments`... */
  target: z.string().nullable(),
  cols: z.number().int(),
  rows: z.number().int(),
  /** `reconnecting`: an SSH connection dropped and is being made again; the scrollback is kept. */
  status: z.enum(['running', 'reconnecting', 'exited']),
  exitCode: z.number().int().nullable(),
  /** A line for the header while something is wrong (the drop, the next attempt); null when fine. */
  notice: z.string().nullable(),
  /** Whether the shell reports each command's end and exit status (OSC 133 shell integration). */
  shellIntegration: z.boolean(),
  createdAt: z.string(),
});
export type TerminalInfo = z.infer<typeof TerminalInfo>;

const TerminalSize = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };

/** A host key the operator has been shown and accepts, for one environment. */
export const HostKeyOffer = z.object({
  environmentId: z.string().min(1).max(200),
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65_535),
  keyType: z.string().min(1).max(64),
  /** `SHA256:...` as `ssh-keygen -l` prints it. */
  fingerprint: z.string().min(1).max(200),
  /** The key blob, base64, as in a known_hosts line. */
  publicKey: z.string().min(1).max(16_384),
});
export type HostKeyOffer = z.infer<typeof HostKeyOffer>;

const OpenTerminal = z.object({
  kind: TerminalKind.default('local'),
  environmentId: z.string().min(1).max(200).nullable().default(null),
  /** Which SSH host / Kubernetes target / Cloudflare account of the environment; null: its first. */
  targetId: z.string().min(1).max(200).nullable().default(null),
  ...TerminalSize,
});

/** A command sent from a runbook step, and what came back: for the incident journal. */
export const Transcript = z.object({
  id: z.string(),
  runbookId: z.string(),
  runbookTitle: z.string(),
  /** The line of the command block in the runbook. */
  line: z.number().int(),
  environmentId: z.string(),
  environmentName: z.string(),
  terminalId: z.string(),
  terminalTitle: z.string(),
  /** The command as sent, with known secret values redacted. */
  command: z.string(),
  sentAt: z.string(),
  /** When the shell reported the command finished (OSC 133), or the output stopped being recorded. */
  finishedAt: z.string().nullable(),
  /** From shell integration; null where the shell did not report it. */
  exitCode: z.number().int().nullable(),
  /** ANSI stripped, redacted, capped at TRANSCRIPT_OUTPUT_CAP bytes. */
  output: z.string(),
  truncated: z.boolean(),
});
export type Transcript = z.infer<typeof Transcript>;
export const TRANSCRIPT_OUTPUT_CAP = 64 * 1024;


// ---- alerts -----------------------------------------------------------------------------------

export const Severity = z.enum(['P1', 'P2', 'P3', 'P4']);
export type Severity = z.infer<typeof Severity>;

export const AlertState = z.enum(['firing', 'acknowledged', 'silenced', 'resolved']);
export type AlertState = z.infer<typeof AlertState>;

export const AlertSourceKind = z.enum(['alertmanager', 'alertmanager-webhook', 'prometheus-rule', 'http-health', 'statuspage', 'json-webhook']);
export type AlertSourceKind = z.infer<typeof AlertSourceKind>;

const HttpUrl = httpUrl('a full http:// or https:// address');

/** Each kind's settings. Webhook tokens are made by the core and shown once; never set here. */
export const AlertSourceConfig = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('alertmanager'), url: HttpUrl }),
  z.object({
    kind: z.literal('alertmanager-webhook'),
    /** Port on 127.0.0.1 (0: any free port); `listenAll` binds every interface instead, knowingly. */
    port: z.number().int().min(0).max(65_535).default(0),
    listenAll: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal('prometheus-rule'),
    url: HttpUrl,
    /** PromQL; each series of the result is one alert (its labels are the alert's). */
    expr: z.string().trim().min(1, 'a PromQL expression is needed').max(10_000),
    comparator: z.enum(['>', '>=', '<', '<=', '==', '!=']).default('>'),
    threshold: z.number(),
    /** The condition must hold this long before the alert fires (Prometheus' `for`). */
    forSeconds: z.number().int().min(0).max(86_400).default(0),
    alertName: z.string().trim().min(1).max(200),
    severity: Severity.default('P3'),
  }),
  z.object({
    kind: z.literal('http-health'),
    url: HttpUrl,
    expectedStatus: z.number().int().min(100).max(599).default(200),
    /** A substring (or /regex/) the body must contain. */
    bodyMatch: z.string().max(1000).nullable().default(null),
    latencyThresholdMs: z.number().int().min(1).max(600_000).nullable().default(null),
    severity: Severity.default('P2'),
  }),
  z.object({ kind: z.literal('statuspage'), url: HttpUrl, severity: Severity.default('P3') }),
  z.object({
    kind: z.literal('json-webhook'),
    port: z.number().int().min(0).max(65_535).default(0),
    listenAll: z.boolean().default(false),
    /** Where in the posted JSON each field is: dot paths (`alert.name`, `labels`), `[]` for a list. */
    mapping: z.object({
      alerts: z.string().max(200).default(''),
      name: z.string().min(1).max(200),
      fingerprint: z.string().max(200).nullable().default(null),
      severity: z.string().max(200).nullable().default(null),
      status: z.string().max(200).nullable().default(null),
      labels: z.string().max(200).nullable().default(null),
      summary: z.string().max(200).nullable().default(null),
      url: z.string().max(200).nullable().default(null),
    }),
  }),
]);
export type AlertSourceConfig = z.infer<typeof AlertSourceConfig>;

export const AlertSourceInput = z.object({
  name: z.string().trim().min(1, 'a source needs a name').max(120),
  environmentId: z.string().min(1).max(200).nullable().default(null),
  config: AlertSourceConfig,
  pollSeconds: z.number().int().min(5, 'poll at most every 5 s').max(86_400).default(30),
  timeoutSeconds: z.number().int().min(1).max(300).default(10),
  enabled: z.boolean().default(true),
});

export const AlertSourceHealth = z.object({
  lastSuccessAt: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  lastError: z.string().nullable(),
  latencyMs: z.number().nullable(),
  /** True when the last poll failed: its alerts are the last known ones, `staleSince` old. */
  stale: z.boolean(),
  staleSince: z.string().nullable(),
  /** After failures the next poll waits longer (backoff). */
  nextPollAt: z.string().nullable(),
  consecutiveFailures: z.number().int(),
});
export type AlertSourceHealth = z.infer<typeof AlertSourceHealth>;

export const AlertSource = AlertSourceInput.extend({
  id: z.string(),
  config: AlertSourceConfig,
  /** Webhooks: where to post (`http://127.0.0.1:<port>/...`); null for polled sources. */
  endpoint: z.string().nullable(),
  health: AlertSourceHealth,
  createdAt: z.string(),
});
export type AlertSource = z.infer<typeof AlertSource>;

export const RunbookLink = z.object({
  runbookId: z.string(),
  runbookTitle: z.string(),
  /** The procedure that answers the alert (`RB-01`), when the runbook has several. */
  procedureId: z.string().nullable(),
  procedureTitle: z.string().nullable(),
  /** The line of that procedure (or of the alert table row) in the runbook. */
  line: z.number().int().nullable(),
  /** Why: "alert table row 'Queue backlog' → RB-01", "front matter alerts: queue=billing", "chosen by you"... */
  reason: z.string(),
  /** Set by the operator: kept over automatic links. */
  pinned: z.boolean(),
});
export type RunbookLink = z.infer<typeof RunbookLink>;

export const Alert = z.object({
  id: z.string(),
  sourceId: z.string(),
  sourceName: z.string(),
  sourceKind: AlertSourceKind,
  environmentId: z.string().nullable(),
  fingerprint: z.string(),
  name: z.string(),
  summary: z.string(),
  labels: z.record(z.string(), z.string()),
  severity: Severity,
  state: AlertState,
  startsAt: z.string(),
  endsAt: z.string().nullable(),
  lastSeenAt: z.string(),
  /** Link to the alert at its source (Alertmanager, the health URL...). */
  url: z.string().nullable(),
  /** The Alertmanager silence muting it, when there is one. */
  silenceId: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  /** From a source whose last poll failed: the last known state, not the present one. */
  stale: z.boolean(),
  runbook: RunbookLink.nullable(),
});
export type Alert = z.infer<typeof Alert>;

// ---- incidents --------------------------------------------------------------------------------

export const IncidentStatus = z.enum(['investigating', 'identified', 'mitigating', 'monitoring', 'resolved']);
export type IncidentStatus = z.infer<typeof IncidentStatus>;

/**
 * What a journal event records, and its `data`:
 * - opened { title, severity, environmentId, environmentName, commander }
 * - note { text }; correction { ofSeq, text } (a correction never edits the event it corrects)
 * - status / severity { from, to }; details { changes: { field: { from, to } } } (title, commander, scribe, tags)
 * - alert-attached { alertId, name, summary, severity, sourceName }
 * - alert-fired / alert-resolved { alertId, name, state } (an attached alert fired again or resolved)
 * - runbook-attached { runbookId, runbookTitle, procedureId, procedureTitle }
 * - step-started / step-done / step-skipped / step-failed / step-reopened { key, title, note? }
 * - path-chosen { groupId, key, title, note? } (an alternative chosen among a group's steps)
 * - command-sent { key (step key or null), transcriptId, command (redacted), terminalId, terminalTitle, environmentName }
 * - output-captured { transcriptId, key, exitCode, output (redacted, trimmed), truncated, interrupted }
 * - escalation-reached { rung, fromMinutes, toMinutes, action, dueAt }
 * - clock-overdue { clockId, label, targetAt, key? } (once per clock: the UI notifies from this event)
 * - attachment { sha256, name, mediaType, size, caption? }
 * - journal-damaged { firstBrokenSeq, lastGoodSeq, lastGoodAt, lastGoodKind, keptAside, reason }
 */
export const JournalKind = z.enum([
  'opened',
  'note',
  'correction',
  'status',
  'severity',
  'details',
  'alert-attached',
  'alert-fired',
  'alert-resolved',
  'runbook-attached',
  'step-started',
  'step-done',
  'step-skipped',
  'step-failed',
  'step-reopened',
  'path-chosen',
  'command-sent',
  'output-captured',
  'escalation-reached',
  'clock-overdue',
  'attachment',
  'journal-damaged',
]);
export type JournalKind = z.infer<typeof JournalKind>;

/**
 * One append-only journal event. `hash` is SHA-256 over the previous event's hash and this event's
 * canonical content, so the chain shows any edit; `id` is globally unique and `deviceId` names the
 * laptop that wrote it, so journals from several laptops can be merged.
 */
export const JournalEvent = z.object({
  id: z.string(),
  incidentId: z.string(),
  seq: z.number().int().positive(),
  kind: JournalKind,
  at: z.string(),
  deviceId: z.string(),
  /** Kind-specific: { text } for a note, { from, to } for status and severity, { alertId, name } ... */
  data: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type JournalEvent = z.infer<typeof JournalEvent>;

export const IncidentSummary = z.object({
  id: z.string(),
  title: z.string(),
  severity: Severity,
  status: IncidentStatus,
  environmentId: z.string().nullable(),
  runbookId: z.string().nullable(),
  procedureId: z.string().nullable(),
  alertIds: z.array(z.string()),
  commander: z.string().nullable(),
  scribe: z.string().nullable(),
  tags: z.array(z.string()),
  openedAt: z.string(),
  resolvedAt: z.string().nullable(),
  events: z.number().int(),
});
export type IncidentSummary = z.infer<typeof IncidentSummary>;

/**
 * One incident clock, computed from journal timestamps and the time asked: `remainingMs` is to
 * the target (negative when overdue), frozen at `metAt` once met; null when there is no target.
 */
export const IncidentClock = z.object({
  id: z.string(),
  label: z.string(),
  startedAt: z.string(),
  targetAt: z.string().nullable(),
  metAt: z.string().nullable(),
  remainingMs: z.number().nullable(),
  overdue: z.boolean(),
});
export type IncidentClock = z.infer<typeof IncidentClock>;

export const IncidentClocks = z.object({
  /** The `now` the clocks were computed for; a view ticks on from here. */
  computedAt: z.string(),
  resolvedAt: z.string().nullable(),
  elapsedMs: z.number(),
  elapsed: IncidentClock,
  /** The response target of the current severity: from the runbook's severity table or the defaults. */
  response: IncidentClock.extend({ minutes: z.number(), source: z.enum(['runbook', 'default']) }),
  /** The recovery-time target of the procedure, else of the runbook; targetAt null when none. */
  recovery: IncidentClock.extend({ minutes: z.number().nullable(), source: z.enum(['procedure', 'runbook']).nullable() }),
  /** The current step's own timer, when the runbook sets one; null otherwise. */
  step: IncidentClock.extend({ key: z.string() }).nullable(),
  /** The runbook's escalation ladder; `current` indexes the last rung reached. */
  escalation: z.object({
    rungs: z.array(z.object({ fromMinutes: z.number(), toMinutes: z.number().nullable(), action: z.string(), reachedAt: z.string().nullable() })),
    current: z.number().int().nullable(),
  }),
});
export type IncidentClocks = z.infer<typeof IncidentClocks>;

/** Where a walkthrough item stands. `not-taken`: an alternative the operator did not choose. */
export const WalkState = z.enum(['pending', 'current', 'done', 'skipped', 'failed', 'not-taken']);
export type WalkState = z.infer<typeof WalkState>;

/** A runnable command of a walkthrough step, as steps.prepare / steps.run address it. */
export const WalkCommand = z.object({
  line: z.number().int().positive(),
  code: z.string(),
  language: z.string(),
  runnable: z.boolean(),
  destructive: z.boolean(),
  placeholders: z.array(z.string()),
});
export type WalkCommand = z.infer<typeof WalkCommand>;

/**
 * One step of a walkthrough. `key` is stable for a runbook version: `<procedureIndex>.<stepIndex>`
 * (indexes into the runbook's procedures and that procedure's steps), and journal events name it.
 */
export const WalkItem = z.object({
  key: z.string(),
  /** The section it comes from (Immediate Actions, Resolution...) or the procedure's title. */
  section: z.string(),
  /** `step` in order; `alternative` one path of a group; `check` a checklist item (ticked = done). */
  kind: z.enum(['step', 'alternative', 'check']),
  /** The alternatives group it belongs to; null for plain steps and checks. */
  groupId: z.string().nullable(),
  title: z.string(),
  /** The step's Markdown, as written. */
  text: z.string(),
  commands: z.array(WalkCommand),
  timerSeconds: z.number().int().positive().nullable(),
  state: WalkState,
  /** The one-line note it was settled with (the last one, if reopened and settled again). */
  note: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** Its own timer (runbook `timerSeconds`) once started; frozen when it ends. */
  clock: IncidentClock.nullable(),
});
export type WalkItem = z.infer<typeof WalkItem>;

/** Alternatives (resolution paths): the operator chooses one explicitly. */
export const WalkGroup = z.object({
  id: z.string(),
  title: z.string(),
  keys: z.array(z.string()),
  chosenKey: z.string().nullable(),
  chosenAt: z.string().nullable(),
});
export type WalkGroup = z.infer<typeof WalkGroup>;

/** The incident's procedure as a walkthrough: derived from the runbook and the journal alone. */
export const Walkthrough = z.object({
  runbookId: z.string(),
  runbookTitle: z.string(),
  procedureId: z.string(),
  procedureTitle: z.string(),
  /** Shown as context, not steps: Alert, Symptoms, Investigation notes, Prevention... (Markdown). */
  context: z.array(z.object({ title: z.string(), text: z.string() })),
  items: z.array(WalkItem),
  groups: z.array(WalkGroup),
  /** What the operator is on: a step, a choice between alternatives, or nothing left. */
  current: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('step'), key: z.string() }),
    z.object({ kind: z.literal('choose'), groupId: z.string() }),
    z.object({ kind: z.literal('finished') }),
  ]),
});
export type Walkthrough = z.infer<typeof Walkthrough>;

/** Whether the incident's hash chain holds; on a break, the last good event to resume from. */
export const JournalIntegrity = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), lastSeq: z.number().int() }),
  z.object({
    ok: z.literal(false),
    brokenSeq: z.number().int(),
    reason: z.string(),
    lastGood: z.object({ seq: z.number().int(), at: z.string(), kind: z.string() }).nullable(),
  }),
]);
export type JournalIntegrity = z.infer<typeof JournalIntegrity>;

/** Events set aside at start because they broke the chain at the journal's tail: kept for inspection. */
export const DamagedEvent = z.object({
  incidentId: z.string(),
  seq: z.number().int(),
  keptAt: z.string(),
  reason: z.string(),
  /** The row as it was found, every column, as text. */
  raw: z.record(z.string(), z.unknown()),
});
export type DamagedEvent = z.infer<typeof DamagedEvent>;

/** The newest journal events that come with an incident; the rest are paged with incidents.journal. */
export const RECENT_EVENTS = 100;

export const IncidentDetail = z.object({
  incident: IncidentSummary,
  /** The last RECENT_EVENTS events, in seq order. */
  recent: z.array(JournalEvent),
  clocks: IncidentClocks,
  walkthrough: Walkthrough.nullable(),
  integrity: JournalIntegrity,
  /** Damaged events set aside from this incident's journal (see incidents.damaged). */
  damaged: z.number().int(),
});
export type IncidentDetail = z.infer<typeof IncidentDetail>;

/** Attachment limit: a screenshot or a log file, not a disk image. */
export const ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024;

// ---- reports, bundles, hand-offs ------------------------------------------------------------

export const ReportFormat = z.enum(['md', 'html', 'pdf', 'json']);
export type ReportFormat = z.infer<typeof ReportFormat>;

/** What a report is of: one incident, or the shift hand-off (every open incident on one page). */
export const ReportTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('incident'), id: z.string().min(1).max(200) }),
  z.object({ kind: z.literal('handoff') }),
]);
export type ReportTarget = z.infer<typeof ReportTarget>;

/**
 * What redaction took out of a report, by kind ("vault secret", "bearer token", "AWS key",
 * "private key", "password in URL", ...): shown before export, and the same for every format.
 */
export const RedactionSummary = z.object({ total: z.number().int(), byKind: z.record(z.string(), z.number().int()) });
export type RedactionSummary = z.infer<typeof RedactionSummary>;

/** An exported report: its bytes (base64), what to call the file, and what was redacted. */
export const ReportFile = z.object({
  fileName: z.string(),
  mediaType: z.string(),
  bytes: z.number().int(),
  base64: z.string(),
  redactions: RedactionSummary,
});
export type ReportFile = z.infer<typeof ReportFile>;

/** The operator's report template: Markdown with {{placeholders}}; null `custom` means the default. */
export const ReportTemplate = z.object({
  template: z.string(),
  isDefault: z.boolean(),
  /** Every placeholder the renderer fills, with what it becomes. */
  placeholders: z.array(z.object({ name: z.string(), description: z.string() })),
});
export type ReportTemplate = z.infer<typeof ReportTemplate>;

/** A journal event as exported: `redacted` when export redaction changed its data (its own hash then no longer covers it). */
export const BundleEvent = JournalEvent.extend({ redacted: z.boolean().optional() });
export type BundleEvent = z.infer<typeof BundleEvent>;

export const BUNDLE_FORMAT = 'watchfloor.incident-bundle';

/** The JSON bundle: an incident, its whole journal with the hash chain, the runbook versions used, attachments' hashes. */
export const IncidentBundle = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(1),
  exportedAt: z.string(),
  /** The device id of the laptop that exported it. */
  exportedBy: z.string(),
  incident: IncidentSummary,
  journal: z.array(BundleEvent),
  runbooks: z.array(z.object({ id: z.string(), title: z.string(), sourcePath: z.string(), sha256: z.string(), text: z.string() })),
  attachments: z.array(z.object({ sha256: z.string(), name: z.string(), mediaType: z.string(), size: z.number().int() })),
  redactions: RedactionSummary,
  /**
   * The report as the exporting laptop computed it (impact window, durations against targets,
   * escalations, timeline lines, follow-ups), for a reader of the file. Outside the hash chain:
   * never trusted on import, where everything shown is recomputed from the journal.
   */
  report: z.record(z.string(), z.unknown()).optional(),
});
export type IncidentBundle = z.infer<typeof IncidentBundle>;

/**
 * A bundle's chain, checked on import: whole (events whose data export redaction changed are
 * counted: their links hold but their content cannot be re-hashed), or where it first breaks.
 */
export const BundleVerification = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), events: z.number().int(), redactedEvents: z.number().int() }),
  z.object({ ok: z.literal(false), events: z.number().int(), brokenSeq: z.number().int(), reason: z.string() }),
]);
export type BundleVerification = z.infer<typeof BundleVerification>;

export const ImportedBundleSummary = z.object({
  id: z.string(),
  fileName: z.string(),
  importedAt: z.string(),
  exportedAt: z.string(),
  exportedBy: z.string(),
  title: z.string(),
  severity: Severity,
  status: IncidentStatus,
  verification: BundleVerification,
});
export type ImportedBundleSummary = z.infer<typeof ImportedBundleSummary>;

/** An imported bundle, read-only: shown like an incident, never walked or appended to. */
export const ImportedBundle = z.object({ summary: ImportedBundleSummary, bundle: IncidentBundle });
export type ImportedBundle = z.infer<typeof ImportedBundle>;

// ---- the tables -----------------------------------------------------------------------------

/** Request/response calls: `input` is validated where it enters the core. */
export const calls = {
  'app.info': { input: z.object({}).strict(), output: AppInfo },
  'preferences.get': { input: z.object({}).strict(), output: Preferences },
  'preferences.update': { input: Preferences.partial().strict(), output: Preferences },
  'environments.list': { input: z.object({}).strict(), output: z.array(Environment) },
  'environments.get': { input: Id, output: Environment },
  'environments.create': { input: EnvironmentInput, output: Environment },
  'environments.update': {
    input: z.object({ id: z.string().min(1), patch: EnvironmentPatch }),
    output: Environment,
  },
  'environments.duplicate': { input: Id, output: Environment },
  'environments.delete': { input: Id, output: Ok },
  /** Hosts from `~/.ssh/config` (or `path`), for the operator to pick from; nothing is saved. */
  'environments.importSshConfig': {
    input: ImportPath,
    output: z.object({ path: z.string(), hosts: z.array(SshConfigCandidate) }),
  },
  /** Contexts from `$KUBECONFIG` / `~/.kube/config` (or `path`); nothing is saved. */
  'environments.importKubeconfig': {
    input: ImportPath,
    output: z.object({ paths: z.array(z.string()), contexts: z.array(KubeconfigCandidate) }),
  },
  'runbooks.list': { input: z.object({}).strict(), output: z.array(RunbookSummary) },
  'runbooks.get': { input: Id, output: RunbookDetail },
  'runbooks.import': {
    input: z.object({ files: z.array(ImportFile).min(1).max(500) }),
    output: ImportResult,
  },
  'runbooks.delete': { input: Id, output: Ok },
  'runbooks.export': { input: Id, output: z.object({ fileName: z.string(), markdown: z.string() }) },
  /** Replace the code of the command that starts on `line`; only that block's bytes change. */
  'runbooks.updateCommand': {
    input: z.object({ id: z.string().min(1), line: z.number().int().positive(), code: z.string().max(1_000_000) }),
    output: RunbookDetail,
  },
  'runbooks.lint': { input: Id, output: z.array(LintFinding) },
  'sources.list': { input: z.object({}).strict(), output: z.array(RunbookSource) },
  'sources.addFolder': { input: z.object({ path: z.string().trim().min(1, 'a folder path is needed').max(4096) }), output: RunbookSource },
  'sources.addGit': {
    input: z.object({
      url: z.string().trim().min(1, 'a repository URL is needed').max(4096),
      branch: z.string().trim().min(1).max(255).regex(/^[^\s~^:?*[\\]+$/, 'not a valid branch name').nullable().default(null),
      pullIntervalMinutes: z.number().int().min(1).max(10_080).nullable().default(60),
    }),
    output: RunbookSource,
  },
  /** Re-read a folder, or pull a git repository, now. */
  'sources.sync': { input: Id, output: RunbookSource },
  'sources.remove': { input: Id, output: Ok },
  'runbooks.search': {
    input: z.object({ query: z.string().max(500), limit: z.number().int().min(1).max(200).default(50) }),
    output: z.array(SearchHit),
  },
  'secrets.status': { input: z.object({}).strict(), output: VaultStatus },
  /** First use (passphrase vaults): create the vault and unlock it. */
  'secrets.setup': {
    input: z.object({ passphrase: z.string().min(8, 'a vault passphrase is at least 8 characters').max(1024) }),
    output: VaultStatus,
  },
  'secrets.unlock': { input: z.object({ passphrase: z.string().min(1, 'enter the vault passphrase').max(1024) }), output: VaultStatus },
  'secrets.lock': { input: z.object({}).strict(), output: VaultStatus },
  /** Names and times, never values; works while locked (names are not secret). */
  'secrets.list': { input: z.object({ environmentId: z.string().min(1).max(200) }), output: z.array(SecretSummary) },
  'secrets.set': {
    input: SecretRef.extend({ value: z.string().min(1, 'a secret needs a value').max(65_536) }),
    output: SecretSummary,
  },
  'secrets.delete': { input: SecretRef, output: Ok },
  /** The value, only while unlocked; the UI asks only when the operator clicks Reveal. */
  'secrets.reveal': { input: SecretRef, output: z.object({ value: z.string() }) },
  'terminals.list': { input: z.object({}).strict(), output: z.array(TerminalInfo) },
  /**
   * Local terminals open at once; SSH terminals resolve once the shell is up. An SSH host whose key
   * is not known yet fails with `host_key_unknown` (and `hostKey` set) before any credential is
   * sent: show the fingerprint, then `terminals.trustHostKey` and open again.
   */
  'terminals.open': { input: OpenTerminal, output: TerminalInfo },
  'terminals.trustHostKey': { input: HostKeyOffer, output: Ok },
  /** Keystrokes and pasted text. Output never comes back here: it is the `terminal.output` stream. */
  'terminals.write': { input: z.object({ id: z.string().min(1), data: z.string().max(1_000_000) }), output: Ok },
  'terminals.resize': { input: z.object({ id: z.string().min(1), ...TerminalSize }), output: Ok },
  'terminals.close': { input: Id, output: Ok },
  /**
   * Fill the placeholders of the runbook command that starts on `line` for an environment (values
   * shell-quoted, never logged) and say what running it needs: `confirmation` is set for a
   * destructive command in a production environment.
   */
  'steps.prepare': {
    input: z.object({
      runbookId: z.string().min(1).max(200),
      line: z.number().int().positive(),
      environmentId: z.string().min(1).max(200),
      values: z.record(z.string(), z.string().max(100_000)).default({}),
    }),
    output: z.object({
      /** The exact command line to send, except that vault secret values are redacted. */
      text: z.string(),
      /**
       * Placeholders the operator gave no value for, filled from the environment: a variable of
       * that name, or a vault secret (its value stays in the core; `text` shows it redacted).
       */
      prefilled: z.array(z.object({ name: z.string(), from: z.enum(['variable', 'secret']) })),
      /** Placeholders left without a value (still written as in the runbook). */
      missing: z.array(z.string()),
      destructive: z.boolean(),
      /** Why it counts as destructive, for the operator. */
      reasons: z.array(z.string()),
      confirmation: z.object({ kind: z.literal('type-environment-name'), expected: z.string() }).nullable(),
      /** The terminal kind this command is for, by its program (`kubectl ...` → kubectl). */
      suggestedKind: TerminalKind,
    }),
  },
  /**
   * Prepare the step's command again (same rules as steps.prepare), check the confirmation, and send
   * it to `terminalId`, or to a new terminal of `open`. A destructive command in production needs
   * `confirmation` equal to the environment's name, else it fails with `confirmation_required`
   * and nothing is sent. The command and its output are recorded as a transcript.
   */
  'steps.run': {
    input: z.object({
      runbookId: z.string().min(1).max(200),
      line: z.number().int().positive(),
      environmentId: z.string().min(1).max(200),
      values: z.record(z.string(), z.string().max(100_000)).default({}),
      terminalId: z.string().min(1).max(200).nullable().default(null),
      /** Used when terminalId is null. */
      open: OpenTerminal.omit({ environmentId: true }).nullable().default(null),
      confirmation: z.string().max(200).nullable().default(null),
      /** Journal the command and its output in this incident, against this walkthrough step. */
      incidentId: z.string().min(1).max(200).nullable().default(null),
      stepKey: z.string().min(1).max(100).nullable().default(null),
    }),
    output: z.object({ terminal: TerminalInfo, transcriptId: z.string() }),
  },
  'alerts.list': {
    input: z.object({
      /** Resolved alerts too (history), newest first, up to `limit`. */
      includeResolved: z.boolean().default(false),
      environmentId: z.string().min(1).max(200).nullable().default(null),
      limit: z.number().int().min(1).max(20_000).default(5_000),
    }),
    output: z.array(Alert),
  },
  'alerts.acknowledge': { input: Id, output: Alert },
  /** Creates a silence at the alert's Alertmanager (matchers from its labels) and marks it silenced. */
  'alerts.silence': {
    input: z.object({
      id: z.string().min(1).max(200),
      durationMinutes: z.number().int().min(1).max(60 * 24 * 30),
      comment: z.string().trim().min(1, 'say why it is silenced').max(2000),
    }),
    output: Alert,
  },
  /** Expires the alert's silence at its Alertmanager. */
  'alerts.expireSilence': { input: Id, output: Alert },
  /** Pin the runbook that answers this alert (and alerts of the same name); null: back to automatic. */
  'alerts.linkRunbook': {
    input: z.object({ id: z.string().min(1).max(200), runbookId: z.string().min(1).max(200).nullable(), procedureId: z.string().max(200).nullable().default(null) }),
    output: Alert,
  },
  'alertSources.list': { input: z.object({}).strict(), output: z.array(AlertSource) },
  /** Webhook sources answer with their bearer token once, here; it is never shown again. */
  'alertSources.create': { input: AlertSourceInput, output: z.object({ source: AlertSource, token: z.string().nullable() }) },
  'alertSources.update': { input: z.object({ id: z.string().min(1).max(200), patch: AlertSourceInput.partial() }), output: AlertSource },
  'alertSources.delete': { input: Id, output: Ok },
  /** Poll now (polled sources), whatever the schedule. */
  'alertSources.poll': { input: Id, output: AlertSource },
  /** Prometheus rules from a runbook's alert table, for the operator to review; nothing is saved. */
  'alertSources.rulesFromRunbook': {
    input: z.object({ runbookId: z.string().min(1).max(200), prometheusUrl: HttpUrl }),
    output: z.array(AlertSourceInput),
  },
  'incidents.list': { input: z.object({ includeResolved: z.boolean().default(true) }), output: z.array(IncidentSummary) },
  'incidents.get': { input: Id, output: IncidentDetail },
  /**
   * Open an incident. From an alert: `alertIds` attaches it, and its runbook link and environment
   * fill `runbookId`, `procedureId`, `environmentId` and the title when those are not given.
   */
  'incidents.start': {
    input: z.object({
      title: z.string().trim().max(300).nullable().default(null),
      severity: Severity.nullable().default(null),
      environmentId: z.string().min(1).max(200).nullable().default(null),
      runbookId: z.string().min(1).max(200).nullable().default(null),
      procedureId: z.string().max(200).nullable().default(null),
      alertIds: z.array(z.string().min(1).max(200)).max(100).default([]),
      commander: z.string().trim().max(120).nullable().default(null),
    }),
    output: IncidentDetail,
  },
  /** Appended (and on disk, synchronous=FULL) before this answers. */
  'incidents.note': { input: z.object({ id: z.string().min(1).max(200), text: z.string().trim().min(1, 'a note needs text').max(100_000) }), output: JournalEvent },
  'incidents.setStatus': { input: z.object({ id: z.string().min(1).max(200), status: IncidentStatus }), output: IncidentSummary },
  'incidents.setSeverity': { input: z.object({ id: z.string().min(1).max(200), severity: Severity }), output: IncidentSummary },
  /** Title, commander, scribe and tags: one `details` event with what changed. */
  'incidents.update': {
    input: z.object({
      id: z.string().min(1).max(200),
      patch: z.object({
        title: z.string().trim().min(1).max(300),
        commander: z.string().trim().max(120).nullable(),
        scribe: z.string().trim().max(120).nullable(),
        tags: z.array(z.string().trim().min(1).max(60)).max(50),
      }).partial(),
    }),
    output: IncidentSummary,
  },
  /** A correction of an earlier event (a note, a step's note): a new event, the old one stays. */
  'incidents.correct': {
    input: z.object({ id: z.string().min(1).max(200), ofSeq: z.number().int().positive(), text: z.string().trim().min(1, 'a correction needs text').max(100_000) }),
    output: JournalEvent,
  },
  /** Choose (or change) the runbook and procedure the incident walks through. */
  'incidents.attachRunbook': {
    input: z.object({ id: z.string().min(1).max(200), runbookId: z.string().min(1).max(200), procedureId: z.string().min(1).max(300) }),
    output: IncidentDetail,
  },
  /**
   * Act on a walkthrough step: done, skip and fail settle it (skip and fail need a note), start
   * makes it current, reopen puts it back to pending (a correction), choose picks an alternative.
   * The next step is started in the same transaction. Answers once it is on disk.
   */
  'incidents.step': {
    input: z.object({
      id: z.string().min(1).max(200),
      key: z.string().min(1).max(100),
      action: z.enum(['start', 'done', 'skip', 'fail', 'reopen', 'choose']),
      note: z.string().trim().max(2000).nullable().default(null),
    }),
    output: IncidentDetail,
  },
  /** A page of the journal, newest first: events with seq < beforeSeq (null: from the end), of the kinds given (empty: all). */
  'incidents.journal': {
    input: z.object({
      id: z.string().min(1).max(200),
      kinds: z.array(JournalKind).default([]),
      beforeSeq: z.number().int().positive().nullable().default(null),
      limit: z.number().int().min(1).max(5000).default(500),
    }),
    output: z.object({ events: z.array(JournalEvent), total: z.number().int(), hasMore: z.boolean() }),
  },
  /** Store a file by content hash in the data dir and journal it. */
  'incidents.attach': {
    input: z.object({
      id: z.string().min(1).max(200),
      name: z.string().trim().min(1).max(255),
      mediaType: z.string().trim().min(1).max(200),
      /** The file's bytes, base64; at most ATTACHMENT_MAX_BYTES once decoded. */
      base64: z.string().max(Math.ceil(ATTACHMENT_MAX_BYTES / 3) * 4 + 4),
      caption: z.string().trim().max(2000).nullable().default(null),
    }),
    output: JournalEvent,
  },
  /** An attachment's bytes, checked against its hash. */
  'incidents.attachment': {
    input: z.object({ id: z.string().min(1).max(200), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    output: z.object({ name: z.string(), mediaType: z.string(), size: z.number().int(), base64: z.string() }),
  },
  /** Events set aside because they broke the chain at the journal's tail. */
  'incidents.damaged': { input: Id, output: z.array(DamagedEvent) },
  /** What export would redact, and the report as Markdown (already redacted), before exporting. */
  'reports.preview': { input: z.object({ target: ReportTarget }), output: z.object({ markdown: z.string(), redactions: RedactionSummary }) },
  /** The report in a format, redacted; for pdf the host renders the HTML report in Chromium. */
  'reports.export': { input: z.object({ target: ReportTarget, format: ReportFormat }), output: ReportFile },
  'reports.template': { input: z.object({}).default({}), output: ReportTemplate },
  /** Save the operator's template; null goes back to the default. Unknown placeholders are refused. */
  'reports.setTemplate': { input: z.object({ template: z.string().max(200_000).nullable() }), output: ReportTemplate },
  /** Import a JSON bundle (from another laptop): verified, kept read-only. A broken chain is still imported, and says where it breaks. */
  'bundles.import': { input: z.object({ fileName: z.string().trim().min(1).max(255), text: z.string().max(200 * 1024 * 1024) }), output: ImportedBundleSummary },
  'bundles.list': { input: z.object({}).default({}), output: z.array(ImportedBundleSummary) },
  'bundles.get': { input: Id, output: ImportedBundle },
  'bundles.delete': { input: Id, output: Ok },
  'transcripts.list': {
    input: z.object({
      environmentId: z.string().min(1).max(200).nullable().default(null),
      terminalId: z.string().min(1).max(200).nullable().default(null),
      limit: z.number().int().min(1).max(1000).default(100),
    }),
    output: z.array(Transcript),
  },
} as const;

/** Events pushed from the core to every connected renderer. */
export const events = {
  'preferences.changed': Preferences,
  'environments.changed': z.object({ ids: z.array(z.string()) }),
  'runbooks.changed': z.object({ ids: z.array(z.string()) }),
  'sources.changed': z.object({ ids: z.array(z.string()) }),
  'terminals.changed': z.object({ ids: z.array(z.string()) }),
  /** A transcript was started, got output, or finished. */
  'transcripts.changed': z.object({ ids: z.array(z.string()) }),
  /** An incident was opened or changed, or its journal grew. */
  'incidents.changed': z.object({ ids: z.array(z.string()) }),
  /** A bundle was imported or deleted. */
  'bundles.changed': z.object({ ids: z.array(z.string()) }),
  /** Alerts that appeared, changed state or were linked. */
  'alerts.changed': z.object({ ids: z.array(z.string()) }),
  /** Sources added, changed or removed, or their health changed. */
  'alertSources.changed': z.object({ ids: z.array(z.string()) }),
  /** A secret was set or deleted, or the vault was created, unlocked or locked. No values. */
  'secrets.changed': z.object({ environmentIds: z.array(z.string()), status: VaultStatus }),
} as const;

/**
 * Byte streams: high-rate output that must never travel as JSON events through the call layer
 * (terminal output, from the terminals issue on). Each open stream gets its own channel: a
 * MessagePort in Electron, binary WebSocket frames tagged with the stream id in the headless host.
 * `log.tail` streams the core's own log, which the UI shows under Help.
 */
export const streams = {
  'log.tail': { params: z.object({}).strict() },
  /** A terminal's output: its kept scrollback first, then live bytes, until it exits. */
  'terminal.output': { params: z.object({ id: z.string().min(1) }).strict() },
} as const;

export type CallName = keyof typeof calls;
export type EventName = keyof typeof events;
export type StreamName = keyof typeof streams;
export type CallInput<M extends CallName> = z.input<(typeof calls)[M]['input']>;
export type CallParsedInput<M extends CallName> = z.output<(typeof calls)[M]['input']>;
export type CallOutput<M extends CallName> = z.output<(typeof calls)[M]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;
export type StreamParams<S extends StreamName> = z.input<(typeof streams)[S]['params']>;

export const callNames = Object.keys(calls) as CallName[];
export const isCallName = (name: string): name is CallName => Object.hasOwn(calls, name);
export const isStreamName = (name: string): name is StreamName => Object.hasOwn(streams, name);

// ---- errors ---------------------------------------------------------------------------------

export const ErrorCode = z.enum([
  'invalid_arguments', // the call's arguments do not match the contract
  'unknown_method',
  'not_found',
  'conflict',
  'import_failed',
  'host_key_unknown', // first contact with an SSH host: `hostKey` says which key to show
  'confirmation_required', // a destructive production command was sent without the environment's name
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  /** For invalid_arguments: which fields, and what is wrong with each. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** For host_key_unknown: the key the host presented. */
  hostKey: HostKeyOffer.optional(),
});
export type ApiErrorShape = z.infer<typeof ApiErrorShape>;

/** The error every call rejects with, on both hosts. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly issues: ApiErrorShape['issues'];
  readonly hostKey: ApiErrorShape['hostKey'];
  constructor(shape: ApiErrorShape) {
    super(shape.message);
    this.name = 'ApiError';
    this.code = shape.code;
    this.issues = shape.issues;
    this.hostKey = shape.hostKey;
  }
  toShape(): ApiErrorShape {
    return { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}), ...(this.hostKey ? { hostKey: this.hostKey } : {}) };
  }
}
