/**
 * The HTML report opened in a real browser (Debian's Chromium, driven by Playwright) phones no
 * one: a canary HTTP server on loopback, referenced by a malicious journal note every way a page
 * can fetch something, receives nothing, whether the report is opened as a file or set as a
 * page's content; nothing the note carried runs, and it reads as text.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReportFile } from '../../shared/contract';
import { TestClock } from '../support/clock';
import { useTestCore } from '../support/core';
import { sleep, startHttpServer, type TestHttpServer } from '../support/http-servers';
import { playScriptedIncident, SECRETS } from '../support/scripted-incident';
import { tempDir } from '../support/temp';

const clock = new TestClock();
const t = useTestCore({ clock });

/** A note that tries every way to make a page fetch, navigate or run something. */
function maliciousNote(at: string): string {
  return [
    'Hostile note, pasted from a ticket:',
    `![x](${at}/md-img.png)`,
    `<img src="${at}/img.png">`,
    `<link rel=stylesheet href="${at}/style.css">`,
    `<iframe src="${at}/iframe"></iframe>`,
    `[click](${at}/link)`,
    `<script src="${at}/script.js"></script>`,
    `<script>window.__pwned = 1; fetch("${at}/inline")</script>`,
    `@import url(${at}/import.css);`,
    `<style>@import url("${at}/style-import.css"); body { background: url(${at}/bg.png) }</style>`,
    `<meta http-equiv="refresh" content="0; url=${at}/refresh">`,
    `<object data="${at}/object"></object> <embed src="${at}/embed"> <video poster="${at}/poster.png"></video>`,
    `<a href="javascript:fetch('${at}/js-link')">js link</a> [js](javascript:alert(1))`,
    `<svg><image href="${at}/svg.png"/></svg> <base href="${at}/">`,
    `<form action="${at}/form"><button>go</button></form>`,
  ].join('\n');
}

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.WATCHFLOOR_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
});
afterAll(() => browser?.close());

let canary: TestHttpServer;
let hits: string[];
beforeEach(async () => {
  hits = [];
  canary = await startHttpServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('canary');
  });
});
afterEach(() => canary.close());

/** A fresh page that records every request it makes and every console message. */
async function watchedPage(): Promise<{ page: Page; requests: string[]; console: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests: string[] = [];
  const console: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => console.push(m.text()));
  return { page, requests, console, close: () => context.close() };
}

async function exportHtml(): Promise<string> {
  const incident = await playScriptedIncident(t, clock, { notes: [maliciousNote(canary.url)] });
  const file = (await t.call('reports.export', { target: { kind: 'incident', id: incident.incidentId }, format: 'html' })) as unknown as ReportFile;
  return Buffer.from(file.base64, 'base64').toString('utf8');
}

/** What the page must show: the note as text, and nothing of it live. */
async function expectInert(page: Page): Promise<void> {
  expect(await page.locator('script, iframe, object, embed, frame, link[rel], meta[http-equiv="refresh"], base, form, svg image, video').count()).toBe(0);
  expect(await page.locator('a[href^="javascript:" i]').count()).toBe(0);
  expect(await page.locator('img:not([src^="data:"])').count()).toBe(0);
  const text = await page.locator('body').innerText();
  expect(text).toContain('Hostile note, pasted from a ticket:');
  expect(text).toContain('<script src=');
  expect(text).toContain('<iframe src=');
  // The report's own policy forbids every fetch and script, should anything get past the renderer.
  expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toMatch(/default-src 'none'/);
}

describe('the HTML report in Chromium', () => {
  it('opened as a file: the canary gets no request, nothing runs, the note reads as text', async () => {
    const html = await exportHtml();
    for (const secret of Object.values(SECRETS)) expect(html).not.toContain(secret);
    const dir = tempDir();
    try {
      const file = join(dir.path, 'report.html');
      writeFileSync(file, html);
      const { page, requests, console, close } = await watchedPage();
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await sleep(1_000);
      expect(hits).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(console).toEqual([]);
      expect(page.url()).toBe(pathToFileURL(file).href); // no refresh took it anywhere
      await expectInert(page);
      await close();
    } finally {
      dir.cleanup();
    }
  });

  it('set as a page’s content: the same', async () => {
    const html = await exportHtml();
    const { page, requests, console, close } = await watchedPage();
    await page.setContent(html, { waitUntil: 'load' });
    await sleep(1_000);
    expect(hits).toEqual([]);
    expect(requests).toEqual([]);
    expect(console).toEqual([]);
    expect(page.url()).toBe('about:blank');
    await expectInert(page);
    await close();
  });

  it('would have seen a request: the same canary, referenced by a plain page, is hit', async () => {
    // The harness's control: without the report's rendering and policy, Chromium fetches it.
    const { page, close } = await watchedPage();
    await page.setContent(`<img src="${canary.url}/control.png">`, { waitUntil: 'load' });
    expect(hits).toEqual(['/control.png']);
    await close();
  });
});
