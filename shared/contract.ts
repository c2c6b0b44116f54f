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

export const Variable = z.object({
  key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name is letters, digits and _, not starting with a digit'),
  value: z.string().max(10_000),
});
export type Variable = z.infer<typeof Variable>;

export const EnvironmentInput = z.object({
  name: z.string().trim().min(1, 'an environment needs a name').max(80),
  tier: Tier,
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb'),
  description: z.string().max(4000).default(''),
  variables: z.array(Variable).max(500).default([]),
});
export type EnvironmentInput = z.input<typeof EnvironmentInput>;

export const Environment = z.object({
  id: z.string(),
  name: z.string(),
  tier: Tier,
  color: z.string(),
  description: z.string(),
  variables: z.array(Variable),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Environment = z.infer<typeof Environment>;

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

const Id = z.object({ id: z.string().min(1).max(200) });
const Ok = z.object({ ok: z.literal(true) });

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
    input: z.object({ id: z.string().min(1), patch: EnvironmentInput.partial() }),
    output: Environment,
  },
  'environments.duplicate': { input: Id, output: Environment },
  'environments.delete': { input: Id, output: Ok },
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
} as const;

/** Events pushed from the core to every connected renderer. */
export const events = {
  'preferences.changed': Preferences,
  'environments.changed': z.object({ ids: z.array(z.string()) }),
  'runbooks.changed': z.object({ ids: z.array(z.string()) }),
  'sources.changed': z.object({ ids: z.array(z.string()) }),
} as const;

/**
 * Byte streams: high-rate output that must never travel as JSON events through the call layer
 * (terminal output, from the terminals issue on). Each open stream gets its own channel: a
 * MessagePort in Electron, binary WebSocket frames tagged with the stream id in the headless host.
 * `log.tail` streams the core's own log, which the UI shows under Help.
 */
export const streams = {
  'log.tail': { params: z.object({}).strict() },
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
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  /** For invalid_arguments: which fields, and what is wrong with each. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiErrorShape = z.infer<typeof ApiErrorShape>;

/** The error every call rejects with, on both hosts. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly issues: ApiErrorShape['issues'];
  constructor(shape: ApiErrorShape) {
    super(shape.message);
    this.name = 'ApiError';
    this.code = shape.code;
    this.issues = shape.issues;
  }
  toShape(): ApiErrorShape {
    return { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) };
  }
}
