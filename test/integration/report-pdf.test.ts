/**
 * PDF reports in the headless host, for real: a scripted incident exported with format 'pdf'
 * through the core, printed by Debian's Chromium, and the PDF's text read back with PDF.js. The
 * printer itself: no network while printing (a canary on loopback), a clear error without
 * Chromium, and a stuck Chromium stopped.
 */
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chromiumPdfPrinter, findChromium, PdfPrinterError, UNTAGGED_ABOVE_BYTES } from '../../electron/core/reports/pdf-chromium';
import type { ReportFile } from '../../shared/contract';
import { TestClock } from '../support/clock';
import { useTestCore } from '../support/core';
import { startHttpServer, type TestHttpServer } from '../support/http-servers';
import { pdfText } from '../support/pdf-text';
import { playScriptedIncident, SECRETS } from '../support/scripted-incident';
import { tempDir } from '../support/temp';

const clock = new TestClock();
const t = useTestCore({ clock, printPdf: chromiumPdfPrinter() });

/** PDF.js gives text as laid out: lines may break anywhere a long line wrapped. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('an incident report exported as PDF', () => {
  it('holds the timeline, the durations and the command, and no secret', async () => {
    const incident = await playScriptedIncident(t, clock);
    const file = (await t.call('reports.export', { target: { kind: 'incident', id: incident.incidentId }, format: 'pdf' })) as unknown as ReportFile;
    expect(file).toMatchObject({ mediaType: 'application/pdf', fileName: expect.stringMatching(/\.pdf$/) });
    const pdf = Buffer.from(file.base64, 'base64');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(file.bytes).toBe(pdf.length);

    const text = flat(await pdfText(pdf));
    expect(text).toContain('Billing queue backlog');
    // The timeline: each note, the step settled with its note, in order.
    const positions = [incident.notes[0]!, incident.stepNote].map((line) => text.indexOf(flat(line)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // The durations against their targets (the test clock: a response at 4 min, resolved at 20).
    expect(text).toMatch(/Time to acknowledge:? 4 min\b.*target 30 min/);
    expect(text).toMatch(/Time to recover:? 20 min\b/);
    expect(text).toContain('10:05:00 UTC');
    // The command as sent (its secret already a placeholder) and its output.
    expect(text).toContain(incident.command);
    expect(text).toContain('token=[secret:API_TOKEN]');
    // Redacted in the PDF's text and in its bytes.
    for (const secret of Object.values(SECRETS)) {
      expect(text).not.toContain(secret);
      expect(pdf.includes(Buffer.from(secret, 'latin1'))).toBe(false);
    }
    expect(file.redactions.total).toBeGreaterThanOrEqual(3);
  });
});

describe("the headless host's Chromium PDF printer", () => {
  let canary: TestHttpServer;
  let requests: string[];
  beforeEach(async () => {
    requests = [];
    canary = await startHttpServer((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('canary');
    });
  });
  afterEach(() => canary.close());

  it('reaches no network while printing, even for HTML full of remote references', async () => {
    const at = canary.url;
    const html = `<!doctype html><html><head><link rel="stylesheet" href="${at}/style.css"><style>@import url("${at}/import.css"); body { background: url("${at}/bg.png"); }</style></head>
      <body><h1>Printed offline</h1><img src="${at}/img.png"><iframe src="${at}/frame"></iframe><script src="${at}/script.js"></script>
      <img src="http://canary.example/x.png"><object data="${at}/object"></object><video poster="${at}/poster.png"></video></body></html>`;
    const text = await pdfText(await chromiumPdfPrinter()(html));
    expect(text).toContain('Printed offline');
    expect(requests).toEqual([]);
  });

  it('prints ordinary reports tagged (accessible) and very long ones untagged, which is most of their print time', async () => {
    const small = Buffer.from(await chromiumPdfPrinter()('<h1>Report</h1><p>short</p>')).toString('latin1');
    expect(small).toContain('/StructTreeRoot');
    // Long lines, so the page is past the threshold with few elements and prints in seconds.
    const line = (i: number) => `<p>event ${String(i).padStart(6, '0')}: ${'consumer lag on the billing queue, backlog draining, watching the dead letter queue '.repeat(2)}</p>\n`;
    let html = '<h1>Long report</h1>\n';
    for (let i = 0; html.length <= UNTAGGED_ABOVE_BYTES; i++) html += line(i); // ASCII: length is bytes
    expect(Buffer.byteLength(html)).toBeGreaterThan(UNTAGGED_ABOVE_BYTES);
    const long = Buffer.from(await chromiumPdfPrinter()(html));
    expect(long.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(long.toString('latin1')).not.toContain('/StructTreeRoot');
  }, 60_000);

  it('leaves no file behind: the HTML, the profile and the PDF go with their private folder', async () => {
    const tmp = tempDir();
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp.path;
    try {
      await chromiumPdfPrinter()('<p>gone after</p>');
      expect(readdirSync(tmp.path)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      tmp.cleanup();
    }
  });

  it('says what to install when there is no Chromium, and that nothing was lost', () => {
    expect(() => findChromium({ env: { PATH: '/nonexistent' } })).toThrow(PdfPrinterError);
    expect(() => findChromium({ env: { PATH: '/nonexistent' } })).toThrow(/PDF export needs Chromium: install it \(Debian: apt install chromium\) or set WATCHFLOOR_CHROMIUM.*chromium, chromium-browser, google-chrome.*unchanged/);
    expect(() => findChromium({ env: { PATH: '', WATCHFLOOR_CHROMIUM: '/nonexistent/chromium' } })).toThrow(/\/nonexistent\/chromium \(WATCHFLOOR_CHROMIUM\) is not an executable/);
    expect(findChromium({ env: { PATH: '/nonexistent:/usr/bin' } })).toBe('/usr/bin/chromium');
  });

  it('stops a Chromium that hangs, and says so', async () => {
    const dir = tempDir();
    try {
      const stuck = join(dir.path, 'chromium');
      writeFileSync(stuck, '#!/bin/sh\nexec sleep 30\n');
      chmodSync(stuck, 0o755);
      const started = Date.now();
      await expect(chromiumPdfPrinter({ executable: stuck, timeoutMs: 500 })('<p>x</p>')).rejects.toThrow(/longer than 1 s to print the report and was stopped.*unchanged/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      dir.cleanup();
    }
  });
});
