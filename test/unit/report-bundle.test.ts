/**
 * Incident bundles between two laptops: exported from one real core, imported into another with its
 * own data dir, verified, kept read-only, the same events. A bundle edited by hand (a note changed,
 * an event removed) still imports, and says the first event where its chain breaks.
 */
import { describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core';
import { dispatch } from '../../electron/core/api/dispatch';
import { verifyBundle } from '../../electron/core/reports';
import { IncidentBundle, type ImportedBundle, type ImportedBundleSummary, type ReportFile } from '../../shared/contract';
import { useTestCore } from '../support/core';
import { SECRETS, scriptIncident } from '../support/incident-report';
import { tempDir } from '../support/temp';

const t = useTestCore();

async function exportedBundle(): Promise<{ text: string; bundle: IncidentBundle }> {
  const { incidentId } = await scriptIncident(t.call, 'http://127.0.0.1:9/canary.png');
  const file = (await t.call('reports.export', { target: { kind: 'incident', id: incidentId }, format: 'json' })) as unknown as ReportFile;
  const text = Buffer.from(file.base64, 'base64').toString('utf8');
  return { text, bundle: IncidentBundle.parse(JSON.parse(text)) };
}

/** A second laptop: its own core on its own data dir. */
function secondLaptop() {
  const dir = tempDir();
  const core = createCore({ dataDir: dir.path, host: 'headless', bundledRunbooksDir: null, watchSources: false });
  const call = async (method: string, params: unknown) => {
    const r = await dispatch(core, method, params);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.value;
  };
  return { core, call, close: () => (core.close(), dir.cleanup()) };
}

describe('incident bundles', () => {
  it('round-trip: exported here, imported on another laptop, verified, the same events; a second import answers the first', async () => {
    const { text, bundle } = await exportedBundle();
    expect(verifyBundle(bundle)).toMatchObject({ ok: true, events: bundle.journal.length });
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);

    const other = secondLaptop();
    try {
      const changed: string[][] = [];
      other.core.events.subscribe((name, payload) => name === 'bundles.changed' && changed.push((payload as { ids: string[] }).ids));
      const summary = (await other.call('bundles.import', { fileName: 'queue-backlog.json', text })) as ImportedBundleSummary;
      expect(summary).toMatchObject({ fileName: 'queue-backlog.json', title: 'Queue backlog on the EU cluster', severity: 'P2', status: 'resolved', exportedBy: bundle.exportedBy });
      const redactedEvents = bundle.journal.filter((e) => e.redacted).length;
      expect(redactedEvents).toBeGreaterThan(0);
      expect(summary.verification).toEqual({ ok: true, events: bundle.journal.length, redactedEvents });
      expect(changed).toEqual([[summary.id]]);

      const got = (await other.call('bundles.get', { id: summary.id })) as ImportedBundle;
      expect(got.bundle.journal).toEqual(bundle.journal);
      // The report's computed summary travels with the file for its reader; the chain does not cover it.
      expect(got.bundle.report).toEqual(bundle.report);
      expect(got.summary.verification).toMatchObject({ ok: true });
      expect(got.bundle.runbooks.map((r) => r.sha256)).toEqual(bundle.runbooks.map((r) => r.sha256));

      const again = (await other.call('bundles.import', { fileName: 'copy.json', text })) as ImportedBundleSummary;
      expect(again.id).toBe(summary.id);
      expect(changed).toHaveLength(1);
      expect(((await other.call('bundles.list', {})) as ImportedBundleSummary[]).map((b) => b.id)).toEqual([summary.id]);
      // Read-only: the store refuses to change an imported bundle.
      expect(() => other.core.db.prepare("UPDATE bundles SET title = 'edited'").run()).toThrow(/read-only/);

      await other.call('bundles.delete', { id: summary.id });
      expect(await other.call('bundles.list', {})).toEqual([]);
      await expect(other.call('bundles.get', { id: summary.id })).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      other.close();
    }
  }, 30_000);

  it('a tampered bundle is imported and names the first broken event: a note changed, an event removed', async () => {
    const { bundle } = await exportedBundle();
    const note = bundle.journal.find((e) => e.kind === 'note' && !e.redacted && String(e.data.text).startsWith('TODO:'))!;
    const edited = structuredClone(bundle);
    const target = edited.journal.find((e) => e.seq === note.seq)!;
    target.data.text = String(target.data.text).replace('rotate', 'rotata');
    expect(verifyBundle(edited)).toEqual({ ok: false, events: bundle.journal.length, brokenSeq: note.seq, reason: `event ${note.seq} was changed after it was written` });

    const removed = structuredClone(bundle);
    removed.journal.splice(4, 1);
    expect(verifyBundle(removed)).toMatchObject({ ok: false, brokenSeq: 5 });

    // Marking an edited event "redacted" does not hide a broken link.
    const relinked = structuredClone(bundle);
    relinked.journal[2]!.prevHash = 'f'.repeat(64);
    relinked.journal[2]!.redacted = true;
    expect(verifyBundle(relinked)).toMatchObject({ ok: false, brokenSeq: 3 });

    const summary = (await t.call('bundles.import', { fileName: 'edited.json', text: JSON.stringify(edited) })) as unknown as ImportedBundleSummary;
    expect(summary.verification).toMatchObject({ ok: false, brokenSeq: note.seq });
  }, 30_000);

  it('refuses what is not a bundle, saying why, and imports nothing', async () => {
    await expect(t.call('bundles.import', { fileName: 'broken.json', text: '{"format": "watchfloor.incident-bundle",' })).rejects.toMatchObject({
      code: 'invalid_arguments',
      message: expect.stringMatching(/^broken\.json is not valid JSON \(.*position \d+.*\); nothing was imported/),
    });
    await expect(t.call('bundles.import', { fileName: 'other.json', text: '{"hello": 1}' })).rejects.toMatchObject({
      code: 'invalid_arguments',
      message: expect.stringContaining('other.json is not a Watchfloor incident bundle'),
    });
    await expect(t.call('bundles.import', { fileName: 'partial.json', text: '{"format": "watchfloor.incident-bundle", "version": 1}' })).rejects.toMatchObject({
      code: 'invalid_arguments',
      message: expect.stringContaining('does not match the bundle format'),
    });
    expect(await t.call('bundles.list', {})).toEqual([]);
  });
});
