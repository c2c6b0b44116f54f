/**
 * Report export benchmarks (issue 8): a 50,000-event incident exported to each format through the
 * core's `reports.export` (the redaction pass, the report model, the template, then the format),
 * each beside a bare baseline measured in the same run on the same events:
 *   - md: a bare string join of one line per event;
 *   - html: markdown-it rendering the same Markdown the export produced;
 *   - json: JSON.stringify of the same 50,000 journal rows;
 *   - pdf: the same headless Chromium printing a static HTML page of the same size.
 * md, html and json: median of 3 on 50,000 events. pdf: one run on the same 50,000 events (see
 * PDF_EVENTS), skipped, saying so, where there is no Chromium.
 * Every export is checked (its size, and that the last event is in it) so a report that lost the
 * timeline fails instead of reporting a speed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import type { ReportFile, ReportFormat } from '../shared/contract';
import { systemClock } from '../electron/core/clock';
import { createCore, type Core } from '../electron/core';
import { dispatch } from '../electron/core/api/dispatch';
import { Journal } from '../electron/core/incidents';
import { chromiumPdfPrinter, findChromium, UNTAGGED_ABOVE_BYTES } from '../electron/core/reports/pdf-chromium';
import type { Measured } from './terminals';

const EVENTS = Number(process.env.BENCH_REPORT_EVENTS ?? 50_000);
const RUNS = 3;
/**
 * PDF: the same 50,000 events, one run (and one of the baseline): about 95 s, against 60 s for the
 * static page (2026-11-25, this 2-core machine). A report that long prints untagged
 * (UNTAGGED_ABOVE_BYTES in pdf-chromium.ts); tagged, it had not finished after 10 minutes.
 * BENCH_PDF_EVENTS and BENCH_PDF_RUNS change the size and the runs.
 */
const PDF_EVENTS = Number(process.env.BENCH_PDF_EVENTS ?? EVENTS);
const PDF_RUNS = Number(process.env.BENCH_PDF_RUNS ?? 1);

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

/** Time `fn` `runs` times; the median and the last result. */
async function timed<T>(runs: number, fn: () => T | Promise<T>): Promise<{ ms: number; result: T }> {
  const times: number[] = [];
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    result = await fn();
    times.push(ms(s));
  }
  return { ms: median(times), result };
}

/** An incident's events as a long one goes: mostly notes, every tenth a command and its output. */
function fill(core: Core, incidentId: string, events: number): void {
  const journal = new Journal(core.db, systemClock);
  // One transaction: 50,000 fsyncs would measure the disk, not the export.
  core.db.transaction(() => {
    let seq = journal.events(incidentId).length;
    for (let i = 1; seq < events; i++) {
      if (i % 10 === 0 && seq + 2 <= events) {
        const transcriptId = `bench-transcript-${i}`;
        journal.append(incidentId, 'command-sent', { key: null, transcriptId, command: `kubectl -n ingest rollout restart deploy/worker-${i % 7}`, terminalId: 'bench', terminalTitle: 'bench', environmentName: 'Bench' });
        seq = journal.append(incidentId, 'output-captured', { transcriptId, key: null, exitCode: 0, output: `deployment.apps/worker-${i % 7} restarted\n`, truncated: false, interrupted: false }).seq;
      } else {
        seq = journal.append(incidentId, 'note', { text: `#${i} backlog on q${i % 97} down from 12,400 to ${9_000 - (i % 900)}, watching consumer lag on host-${i % 13}.eu-west-1.internal` }).seq;
      }
    }
  })();
}

export async function benchReports(record: (r: Measured) => void): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'wf-bench-reports-'));
  // A long print: the core's default printer stops Chromium after 60 s; a 50,000-event report may need more here.
  const core = createCore({ dataDir: work, host: 'headless', bundledRunbooksDir: null, watchSources: false, printPdf: chromiumPdfPrinter({ timeoutMs: 600_000 }) });
  try {
    const call = async (method: string, params: unknown) => {
      const r = await dispatch(core, method, params);
      if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
      return r.value as unknown;
    };
    const incident = async (events: number) => {
      const started = (await call('incidents.start', { title: `bench: ${events}-event incident`, severity: 'P1' })) as { incident: { id: string } };
      const id = started.incident.id;
      fill(core, id, events);
      const rows = core.db.prepare<[string], { seq: number; kind: string; at: string; data: string }>('SELECT * FROM journal WHERE incident_id = ? ORDER BY seq').all(id);
      if (rows.length !== events) throw new Error(`reports bench: expected ${events} events, found ${rows.length}`);
      return { id, rows };
    };
    const { id: incidentId, rows } = await incident(EVENTS);
    const lastText = (JSON.parse(rows.at(-1)!.data) as { text?: string }).text ?? '';

    const exportAs = async (format: ReportFormat, id = incidentId) => {
      const file = (await call('reports.export', { target: { kind: 'incident', id }, format })) as ReportFile;
      const bytes = Buffer.from(file.base64, 'base64');
      if (format !== 'pdf' && id === incidentId && lastText && !bytes.toString('utf8').includes(lastText.slice(0, 40))) throw new Error(`reports bench: the ${format} export lacks the last event`);
      if (format === 'pdf' && bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw new Error('reports bench: the pdf export is not a PDF');
      return bytes;
    };
    const kb = (b: Buffer) => `${(b.length / 1e6).toFixed(1)} MB`;
    const label = (format: string, bytes: Buffer, runs: number, events = EVENTS) => `export a ${events.toLocaleString('en')}-event incident to ${format} (${kb(bytes)}, median of ${runs})`;

    // md: beside a bare join of one line per event.
    const mdExport = await timed(RUNS, () => exportAs('md'));
    const mdBare = await timed(RUNS, () => rows.map((r) => `- ${r.at} · #${r.seq} · ${r.kind} · ${r.data}`).join('\n'));
    record({ name: label('Markdown', mdExport.result, RUNS), value: mdExport.ms, unit: 'ms', baseline: mdBare.ms, ratio: mdExport.ms / mdBare.ms, note: 'reports.export md (redaction, model, template); baseline: a bare string join of one line per event' });

    // html: beside markdown-it rendering the same Markdown.
    const markdown = mdExport.result.toString('utf8');
    const htmlExport = await timed(RUNS, () => exportAs('html'));
    const md = new MarkdownIt();
    const htmlBare = await timed(RUNS, () => md.render(markdown));
    record({ name: label('HTML', htmlExport.result, RUNS), value: htmlExport.ms, unit: 'ms', baseline: htmlBare.ms, ratio: htmlExport.ms / htmlBare.ms, note: 'reports.export html; baseline: markdown-it render of the same Markdown' });

    // json: beside JSON.stringify of the same rows.
    const jsonExport = await timed(RUNS, () => exportAs('json'));
    const jsonBare = await timed(RUNS, () => JSON.stringify(rows));
    record({ name: label('JSON bundle', jsonExport.result, RUNS), value: jsonExport.ms, unit: 'ms', baseline: jsonBare.ms, ratio: jsonExport.ms / jsonBare.ms, note: `reports.export json (bundle with hash chain); baseline: JSON.stringify of the same ${EVENTS.toLocaleString('en')} rows` });

    // pdf: beside the same Chromium printing a static page of the same size.
    try {
      findChromium();
    } catch {
      console.log('  (PDF export skipped: no Chromium here; install it with apt install chromium)');
      return;
    }
    const pdfIncident = await incident(PDF_EVENTS);
    const pdfExport = await timed(PDF_RUNS, () => exportAs('pdf', pdfIncident.id));
    const htmlSize = (await exportAs('html', pdfIncident.id)).length;
    const line = (i: number) => `<p>${i} backlog on q${i % 97} down from 12,400, watching consumer lag on host-${i % 13}.eu-west-1.internal</p>\n`;
    let staticHtml = '<!doctype html><html><head><meta charset="utf-8"><title>static</title></head><body>\n';
    for (let i = 0; staticHtml.length < htmlSize; i++) staticHtml += line(i);
    staticHtml += '</body></html>\n';
    const print = chromiumPdfPrinter({ timeoutMs: 600_000 });
    const pdfBare = await timed(PDF_RUNS, () => print(staticHtml));
    record({
      name: label('PDF', pdfExport.result, PDF_RUNS, PDF_EVENTS),
      value: pdfExport.ms,
      unit: 'ms',
      baseline: pdfBare.ms,
      ratio: pdfExport.ms / pdfBare.ms,
      note: `reports.export pdf (headless Chromium); baseline: the same Chromium printing a static ${(htmlSize / 1e6).toFixed(2)} MB HTML page (${kb(pdfBare.result)} PDF); printed untagged above ${(UNTAGGED_ABOVE_BYTES / 1e6).toFixed(0)} MB of HTML`,
    });
  } finally {
    core.close();
    rmSync(work, { recursive: true, force: true });
  }
}
