/**
 * Reports, bundles and hand-offs: an incident's report in Markdown, HTML, PDF or as a JSON bundle,
 * the shift hand-off of every open incident, the operator's report template, and bundles imported
 * from other laptops (kept read-only, verified on import).
 *
 * One path for every format: the report's data is gathered, redacted once (redact.ts, counted by
 * kind), then rendered. So the redaction counts a preview shows are those of every format.
 */
import { randomUUID } from 'node:crypto';
import {
  ApiError,
  BundleVerification,
  IncidentBundle,
  type ImportedBundle,
  type ImportedBundleSummary,
  type IncidentDetail,
  type JournalEvent,
  type RedactionSummary,
  type ReportFile,
  type ReportFormat,
  type ReportTarget,
  type ReportTemplate,
  type RunbookDetail,
} from '../../../shared/contract';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { buildBundle, parseBundle, verifyBundle } from './bundle';
import { handoffEntry, handoffMarkdown, type HandoffEntry } from './handoff';
import { renderReportHtml } from './html';
import { buildReport, redactSource, type RedactedSource } from './model';
import { ExportRedactor } from './redact';
import { checkTemplate, fillTemplate, placeholderValues, templateOf } from './template';

export { renderReportHtml, REPORT_CSP } from './html';
export { verifyBundle, parseBundle, buildBundle } from './bundle';
export { ExportRedactor, REDACTED } from './redact';
export { DEFAULT_TEMPLATE, PLACEHOLDERS, escapeMarkdown } from './template';
export { describeEvent } from '../../../shared/journal-text';
export { buildReport, followUpsOf, redactSource, type IncidentReport, type ReportSource } from './model';
export type { HandoffEntry } from './handoff';

/** Renders a self-contained HTML page to PDF bytes (headless Chromium, or Electron's printToPDF). */
export type PdfPrinter = (html: string) => Promise<Buffer>;

export interface ReportServiceOptions {
  db: Db;
  clock: Clock;
  /** IncidentService's reads: the incident with clocks and walkthrough, its whole journal, open ids. */
  incidents: { get(id: string): IncidentDetail; events(id: string): JournalEvent[]; openIds(): string[] };
  runbook(id: string): RunbookDetail;
  /** The vault's redactor: known secret values. */
  redact(text: string): string;
  /** Whether the vault is set up but locked: its redactor then knows no value, so nothing is exported. */
  vaultLocked(): boolean;
  /** This laptop's device id (the journal's). */
  deviceId: string;
  printPdf?: PdfPrinter | null;
  /** Tell the UI bundles were imported or deleted (bundles.changed). */
  bundlesChanged(ids: string[]): void;
}

const MEDIA: Record<ReportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  json: 'application/json',
};

interface BundleRow {
  id: string;
  file_name: string;
  imported_at: string;
  exported_at: string;
  exported_by: string;
  title: string;
  severity: string;
  status: string;
  verification: string;
  bundle: string;
}

/** A rendered target, before it becomes bytes of one format. */
interface Rendered {
  markdown: string;
  title: string;
  baseName: string;
  redactions: RedactionSummary;
  json: () => unknown;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48) || 'incident';

export class ReportService {
  constructor(private readonly options: ReportServiceOptions) {}

  /** The report as Markdown, already redacted, and what redaction took out. */
  preview(target: ReportTarget): { markdown: string; redactions: RedactionSummary } {
    const r = this.render(target);
    return { markdown: r.markdown, redactions: r.redactions };
  }

  async export(target: ReportTarget, format: ReportFormat): Promise<ReportFile> {
    const r = this.render(target);
    let bytes: Buffer;
    if (format === 'md') bytes = Buffer.from(r.markdown, 'utf8');
    else if (format === 'json') bytes = Buffer.from(JSON.stringify(r.json(), null, 2) + '\n', 'utf8');
    else {
      const html = renderReportHtml(r.markdown, r.title);
      if (format === 'html') bytes = Buffer.from(html, 'utf8');
      else {
        if (!this.options.printPdf) {
          throw new ApiError({
            code: 'internal',
            message: 'PDF needs Chromium, and this host has none to print with. Nothing was exported; export HTML and print it from a browser, or install Chromium (Debian: apt-get install chromium).',
          });
        }
        bytes = await this.options.printPdf(html);
      }
    }
    return { fileName: `${r.baseName}.${format}`, mediaType: MEDIA[format], bytes: bytes.byteLength, base64: bytes.toString('base64'), redactions: r.redactions };
  }

  template(): ReportTemplate {
    const row = this.options.db.prepare<[], { template: string }>('SELECT template FROM report_template WHERE singleton = 1').get();
    return templateOf(row?.template ?? null);
  }

  /** Save the operator's template (null: back to the default); unknown placeholders are refused. */
  setTemplate(template: string | null): ReportTemplate {
    const { db, clock } = this.options;
    if (template === null) db.prepare('DELETE FROM report_template').run();
    else {
      checkTemplate(template);
      db.prepare('INSERT INTO report_template (singleton, template, updated_at) VALUES (1, ?, ?) ON CONFLICT (singleton) DO UPDATE SET template = excluded.template, updated_at = excluded.updated_at').run(
        template,
        clock.now().toISOString(),
      );
    }
    return this.template();
  }

  /**
   * Import a bundle: parsed strictly, verified, stored as imported. A broken chain is still
   * imported (the operator may need to read it) and says where it breaks. The same bundle twice
   * (same incident, same last event) answers the one already imported.
   */
  importBundle(fileName: string, text: string): ImportedBundleSummary {
    const bundle = parseBundle(text, fileName);
    const verification = verifyBundle(bundle);
    const lastHash = bundle.journal.at(-1)?.hash ?? '';
    const { db, clock } = this.options;
    const existing = db.prepare<[string, string], BundleRow>('SELECT * FROM bundles WHERE incident_id = ? AND last_hash = ?').get(bundle.incident.id, lastHash);
    if (existing) return toSummary(existing);
    const id = randomUUID();
    db.prepare(
      'INSERT INTO bundles (id, file_name, imported_at, incident_id, last_hash, exported_at, exported_by, title, severity, status, verification, bundle) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(id, fileName, clock.now().toISOString(), bundle.incident.id, lastHash, bundle.exportedAt, bundle.exportedBy, bundle.incident.title, bundle.incident.severity, bundle.incident.status, JSON.stringify(verification), JSON.stringify(bundle));
    this.options.bundlesChanged([id]);
    return toSummary(this.row(id));
  }

  listBundles(): ImportedBundleSummary[] {
    return this.options.db.prepare<[], BundleRow>('SELECT * FROM bundles ORDER BY imported_at DESC, id').all().map(toSummary);
  }

  getBundle(id: string): ImportedBundle {
    const row = this.row(id);
    return { summary: toSummary(row), bundle: IncidentBundle.parse(JSON.parse(row.bundle)) };
  }

  deleteBundle(id: string): void {
    this.row(id);
    this.options.db.prepare('DELETE FROM bundles WHERE id = ?').run(id);
    this.options.bundlesChanged([id]);
  }

  private row(id: string): BundleRow {
    const row = this.options.db.prepare<[string], BundleRow>('SELECT * FROM bundles WHERE id = ?').get(id);
    if (!row) throw new ApiError({ code: 'not_found', message: `No imported bundle with id ${id}; nothing was changed. Reload the bundle list.` });
    return row;
  }

  private render(target: ReportTarget): Rendered {
    if (this.options.vaultLocked()) {
      throw new ApiError({
        code: 'conflict',
        message: 'The secrets vault is locked, so the secret values it keeps could not be redacted from the report. Nothing was exported; unlock the vault and export again.',
      });
    }
    const now = this.options.clock.now().toISOString();
    const redactor = new ExportRedactor(this.options.redact);
    if (target.kind === 'handoff') {
      const entries: HandoffEntry[] = this.options.incidents.openIds().map((id) => {
        const detail = this.options.incidents.get(id);
        const events = this.options.incidents.events(id);
        return handoffEntry(
          { incident: detail.incident, clocks: detail.clocks, walkthrough: detail.walkthrough, opened: events.find((e) => e.kind === 'opened') ?? null, notes: events.filter((e) => e.kind === 'note') },
          redactor,
        );
      });
      return { markdown: handoffMarkdown(entries, now), title: `Shift hand-off ${now.slice(0, 10)}`, baseName: `handoff-${now.slice(0, 16).replace(/[T:]/g, '-')}`, redactions: redactor.summary(), json: () => entries };
    }
    const source = this.source(target.id, redactor);
    const report = buildReport(source);
    const markdown = fillTemplate(this.template().template, placeholderValues(report));
    return {
      markdown,
      title: `Incident report: ${source.incident.title}`,
      baseName: `incident-${source.incident.openedAt.slice(0, 10)}-${slug(source.incident.title)}`,
      redactions: source.redactions,
      // The bundle, plus `report`: the durations and timeline lines as this report computed them, for
      // a reader of the file. Not part of the chain and not verified: import keeps it as written but
      // recomputes whatever it shows from the journal.
      json: () => ({
        ...buildBundle(source, now, this.options.deviceId),
        report: { impact: report.impact, durations: report.durations, escalation: report.escalation, timeline: report.timeline, followUps: report.followUps },
      }),
    };
  }

  private source(id: string, redactor: ExportRedactor): RedactedSource {
    const detail = this.options.incidents.get(id);
    const journal = this.options.incidents.events(id);
    // The runbooks it used, those the library still has (a deleted one is named in the journal only).
    const ids = new Set<string>();
    if (detail.incident.runbookId) ids.add(detail.incident.runbookId);
    for (const e of journal) if (e.kind === 'runbook-attached' && typeof e.data.runbookId === 'string') ids.add(e.data.runbookId);
    const runbooks: RunbookDetail[] = [];
    for (const rid of ids) {
      try {
        runbooks.push(this.options.runbook(rid));
      } catch {
        // gone from the library: the journal still names it
      }
    }
    return redactSource({ incident: detail.incident, clocks: detail.clocks, walkthrough: detail.walkthrough, journal, runbooks }, redactor);
  }
}

function toSummary(row: BundleRow): ImportedBundleSummary {
  return {
    id: row.id,
    fileName: row.file_name,
    importedAt: row.imported_at,
    exportedAt: row.exported_at,
    exportedBy: row.exported_by,
    title: row.title,
    severity: row.severity as ImportedBundleSummary['severity'],
    status: row.status as ImportedBundleSummary['status'],
    verification: BundleVerification.parse(JSON.parse(row.verification)),
  };
}
