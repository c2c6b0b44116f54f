/**
 * PDF export in the desktop app, core host's side: the core's printPdf sends `print-pdf` to the
 * main process and waits for the `print-pdf-result` with its id. The main side (a hidden window's
 * printToPDF) needs the Electron binary and is not run here.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { printPdfThroughMain, type CoreHostReport } from '../../electron/main/core-host-link';

afterEach(() => {
  vi.useRealTimers();
});

describe('printing a PDF through the main process', () => {
  it('sends the HTML with a fresh id and resolves with the bytes main sends back for that id', async () => {
    const sent: CoreHostReport[] = [];
    const link = printPdfThroughMain((m) => sent.push(m));
    const first = link.printPdf('<p>one</p>');
    const second = link.printPdf('<p>two</p>');
    expect(sent).toEqual([
      { type: 'print-pdf', id: 1, html: '<p>one</p>' },
      { type: 'print-pdf', id: 2, html: '<p>two</p>' },
    ]);
    // Answered out of order: each print gets its own.
    expect(link.settle({ type: 'print-pdf-result', id: 2, base64: Buffer.from('%PDF-two').toString('base64') })).toBe(true);
    expect(link.settle({ type: 'print-pdf-result', id: 1, base64: Buffer.from('%PDF-one').toString('base64') })).toBe(true);
    expect((await first).toString()).toBe('%PDF-one');
    expect((await second).toString()).toBe('%PDF-two');
  });

  it("rejects with main's reason when printing failed", async () => {
    const link = printPdfThroughMain(() => {});
    const print = link.printPdf('<p>x</p>');
    link.settle({ type: 'print-pdf-result', id: 1, error: 'the report could not be printed to PDF: boom' });
    await expect(print).rejects.toThrow('boom');
  });

  it('fails instead of hanging when main never answers, and ignores the late answer', async () => {
    vi.useFakeTimers();
    const link = printPdfThroughMain(() => {}, 1_000);
    const print = link.printPdf('<p>x</p>');
    const outcome = expect(print).rejects.toThrow(/did not print the PDF within 1 s.*Nothing was exported/);
    await vi.advanceTimersByTimeAsync(1_001);
    await outcome;
    expect(link.settle({ type: 'print-pdf-result', id: 1, base64: '' })).toBe(true);
  });

  it('leaves every other request from main to the core host', () => {
    const link = printPdfThroughMain(() => {});
    expect(link.settle({ type: 'disconnect', id: 1 })).toBe(false);
    expect(link.settle({ type: 'shutdown' })).toBe(false);
  });
});
