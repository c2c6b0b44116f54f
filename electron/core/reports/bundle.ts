/**
 * The JSON incident bundle: the incident, its whole journal as written (with seq, prevHash and hash,
 * so the chain can be checked on another laptop), the runbooks it used and its attachments' hashes.
 *
 * Export redaction applies here too. An event whose data it changed keeps its original hashes and
 * is marked `redacted: true`: its links in the chain can still be checked, its content no longer
 * can. A runbook's text is redacted the same way; its sha256 stays the library's (of the text as
 * imported), so it names the version used even when the text shown is redacted.
 */
import { BUNDLE_FORMAT, ApiError, IncidentBundle, type BundleVerification } from '../../../shared/contract';
import { GENESIS_HASH, eventHash } from '../incidents/journal';
import type { RedactedSource } from './model';

export function buildBundle(source: RedactedSource, exportedAt: string, exportedBy: string): IncidentBundle {
  const attachments = source.journal
    .filter((e) => e.kind === 'attachment' && typeof e.data.sha256 === 'string')
    .map((e) => ({
      sha256: String(e.data.sha256),
      name: typeof e.data.name === 'string' ? e.data.name : '',
      mediaType: typeof e.data.mediaType === 'string' ? e.data.mediaType : 'application/octet-stream',
      size: typeof e.data.size === 'number' ? e.data.size : 0,
    }));
  return {
    format: BUNDLE_FORMAT,
    version: 1,
    exportedAt,
    exportedBy,
    incident: source.incident,
    journal: source.journal,
    runbooks: source.runbooks.map((r) => ({ id: r.summary.id, title: r.summary.title, sourcePath: r.summary.sourcePath, sha256: r.summary.sha256, text: r.sourceText })),
    attachments,
    redactions: source.redactions,
  };
}

/**
 * Check a bundle's chain: seqs run 1..n, every event belongs to the bundle's incident and names the
 * previous event's hash, and every event export did not redact hashes to what it says. Redacted
 * events are counted: their links hold, their content cannot be re-hashed.
 */
export function verifyBundle(bundle: IncidentBundle): BundleVerification {
  let prevHash = GENESIS_HASH;
  let redactedEvents = 0;
  const events = bundle.journal.length;
  for (const [i, e] of bundle.journal.entries()) {
    const broken = (reason: string): BundleVerification => ({ ok: false, events, brokenSeq: e.seq, reason });
    if (e.seq !== i + 1) return { ok: false, events, brokenSeq: i + 1, reason: `event ${i + 1} is missing (found ${e.seq} in its place)` };
    if (e.incidentId !== bundle.incident.id) return broken(`event ${e.seq} belongs to another incident`);
    if (e.prevHash !== prevHash) return broken(`event ${e.seq} does not follow event ${e.seq - 1}`);
    if (e.redacted === true) redactedEvents++;
    else if (eventHash(prevHash, e) !== e.hash) return broken(`event ${e.seq} was changed after it was written`);
    prevHash = e.hash;
  }
  return { ok: true, events, redactedEvents };
}

/**
 * A bundle from a file's text, strictly: JSON that does not parse says where; JSON of another
 * kind says it is not a bundle; a bundle that does not match the schema says which field.
 */
export function parseBundle(text: string, fileName: string): IncidentBundle {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ApiError({ code: 'invalid_arguments', message: `${fileName} is not valid JSON (${detail}); nothing was imported. Export the bundle again as JSON and import that file.` });
  }
  const format = value !== null && typeof value === 'object' ? (value as { format?: unknown }).format : undefined;
  if (format !== BUNDLE_FORMAT) {
    throw new ApiError({ code: 'invalid_arguments', message: `${fileName} is not a Watchfloor incident bundle (its "format" is not "${BUNDLE_FORMAT}"); nothing was imported. Export the incident as JSON from Watchfloor and import that file.` });
  }
  const parsed = IncidentBundle.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0]!;
    throw new ApiError({
      code: 'invalid_arguments',
      message: `${fileName} looks like a Watchfloor bundle but does not match the bundle format (${first.path || 'the file'}: ${first.message}); nothing was imported. It may come from a newer Watchfloor, or was edited by hand.`,
      issues,
    });
  }
  return parsed.data;
}
