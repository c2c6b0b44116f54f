/**
 * The host-agnostic core: every service, wired to its dependencies. Both hosts (the Electron
 * core host and the headless server) create exactly this and serve it through the contract.
 * Nothing here imports electron.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError, type AppInfo, type CallName, type CallOutput, type CallParsedInput, type StreamName, type StreamParams } from '../../shared/contract';
import { AlertFeed } from './alerts';
import { polledSource } from './alerts/adapters';
import { startWebhookReceiver } from './alerts/webhook';
import { systemClock, type Clock } from './clock';
import { openStore, type Db } from './db';
import { EnvironmentService } from './environments';
import { EventBus } from './events';
import { AlertEvents, AttachmentStore, IncidentAttachments, IncidentCommands, IncidentService, IncidentWatcher, Journal, damagedCount, damagedEvents, recoverJournals, verifyResolvedInBackground } from './incidents';
import { Log } from './log';
import { PreferenceService } from './preferences';
import { RunbookLibrary } from './runbooks';
import { RunbookSources, type Timers } from './sources';
import { kubectlLauncher } from './terminals/kubectl';
import { localShellLauncher } from './terminals/pty';
import { TerminalService } from './terminals/service';
import { StepRunner } from './terminals/steps';
import { TranscriptRecorder, TranscriptStore } from './terminals/transcripts';
import { fingerprintOf, KnownHosts, sshLauncher } from './terminals/ssh';
import { wranglerLauncher } from './terminals/wrangler';
import { passphraseKeys, SecretVault, type VaultKeys } from './secrets';
import { ReportService } from './reports';

export interface CoreOptions {
  dataDir: string;
  host: AppInfo['host'];
  clock?: Clock;
  /** Folder of runbooks bundled with the app, imported on first start. Null: none. */
  bundledRunbooksDir?: string | null;
  /** Mirror log lines somewhere (stderr in the CLI). */
  echoLog?: ((line: string) => void) | null;
  /** The git binary runbook sources clone and pull with; default 'git' on PATH. */
  git?: string;
  /** Timers for source watching and scheduled pulls; tests pass fake ones. */
  timers?: Timers;
  /** Watch folder sources and schedule git pulls (default true). A one-off CLI command that
   * only reads or imports files has no use for either. */
  watchSources?: boolean;
  /** Where the secrets vault's key comes from; default: the operator's passphrase (headless host). */
  vaultKeys?: VaultKeys;
  /** Prints a report's HTML to PDF (headless Chromium, or Electron's printToPDF); without it, format 'pdf' is refused. */
  printPdf?: ((html: string) => Promise<Buffer>) | null;
}

export type Handlers = {
  [M in CallName]: (input: CallParsedInput<M>) => CallOutput<M> | Promise<CallOutput<M>>;
};

export interface StreamSink {
  data(bytes: Uint8Array): void;
  end(reason: string | null): void;
}

/** One open stream, as the host drives it for flow control. */
export interface StreamSource {
  pause(): void;
  resume(): void;
  close(): void;
}

export type StreamOpeners = {
  [S in StreamName]: (params: StreamParams<S>, sink: StreamSink) => StreamSource;
};

export interface Core {
  readonly handlers: Handlers;
  readonly streams: StreamOpeners;
  readonly events: EventBus;
  readonly log: Log;
  readonly db: Db;
  /** Its redactor knows every secret value while unlocked: run what Watchfloor records through it. */
  readonly secrets: SecretVault;
  close(): void;
}

export function createCore(options: CoreOptions): Core {
  const clock = options.clock ?? systemClock;
  const log = new Log(options.dataDir, clock, options.echoLog ?? null);
  const store = openStore(options.dataDir, () => clock.now());
  if (store.notice) log.warn(store.notice.message);
  const { db } = store;
  const events = new EventBus();
  const environments = new EnvironmentService(db, clock);
  const preferences = new PreferenceService(db);
  const secrets = new SecretVault(db, clock, log, options.vaultKeys ?? passphraseKeys);
  log.redactWith((text) => secrets.redactor.redact(text));
  const secretsChanged = (environmentIds: string[]) => events.emit('secrets.changed', { environmentIds, status: secrets.status() });
  const runbooks = new RunbookLibrary(db, clock);
  const knownHosts = new KnownHosts(db, { clock });
  const terminals = new TerminalService(log, clock, {
    launchers: { local: localShellLauncher({ dataDir: options.dataDir }), ssh: sshLauncher({ knownHosts, secrets, log, clock }), kubectl: kubectlLauncher({ dataDir: options.dataDir }), wrangler: wranglerLauncher({ secrets, dataDir: options.dataDir }) },
    environment: (id) => environments.get(id),
  });
  terminals.onChange((ids) => events.emit('terminals.changed', { ids }));
  const transcripts = new TranscriptStore(db);
  const recorder = new TranscriptRecorder(transcripts, terminals, secrets.redactor, clock);
  recorder.onChange((ids) => events.emit('transcripts.changed', { ids }));
  const steps = new StepRunner({ runbook: (id) => runbooks.get(id), environment: (id) => environments.get(id), vault: secrets, terminals, recorder, log });
  const sources = new RunbookSources(db, runbooks, clock, log, {
    dataDir: options.dataDir,
    ...(options.git ? { git: options.git } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
  });
  // A watched folder or a scheduled pull changes the library with no call to answer: tell the UI.
  sources.onChange(({ sourceIds, runbookIds }) => {
    events.emit('sources.changed', { ids: sourceIds });
    if (runbookIds.length) events.emit('runbooks.changed', { ids: runbookIds });
  });

  const feed = new AlertFeed({
    db,
    clock,
    log,
    runbooks,
    ...(options.timers ? { timers: options.timers } : {}),
    polledSource,
    // Given only the token's SHA-256 (all that is stored), the receiver compares digests.
    webhook: startWebhookReceiver,
  });
  // Polls and webhooks change alerts with no call to answer: tell the UI.
  feed.onChange(({ alertIds, sourceIds }) => {
    if (alertIds.length) events.emit('alerts.changed', { ids: alertIds });
    if (sourceIds.length) events.emit('alertSources.changed', { ids: sourceIds });
  });
  const journal = new Journal(db, clock);
  const incidents = new IncidentService({
    db,
    clock,
    journal,
    alert: (id) => feed.get(id),
    environment: (id) => environments.get(id),
    runbook: (id) => runbooks.get(id),
    redact: (text) => secrets.redactor.redact(text),
    damagedCount: (id) => damagedCount(db, id),
  });
  incidents.onChange((ids) => events.emit('incidents.changed', { ids }));
  const incidentsChanged = (ids: string[]) => events.emit('incidents.changed', { ids });
  const redact = (text: string) => secrets.redactor.redact(text);
  // Before anything reads or appends: a damaged journal tail is kept aside and the chain verifies again.
  const recovered = recoverJournals({ db, journal, clock, log }).filter((r) => r.kind === 'tail-kept-aside');
  if (recovered.length) incidentsChanged(recovered.map((r) => r.incidentId));
  const attachments = new IncidentAttachments({ db, journal, store: new AttachmentStore(options.dataDir), redact, changed: incidentsChanged });
  const alertEvents = new AlertEvents({ db, journal, alert: (id) => feed.get(id), redact, log, changed: incidentsChanged });
  feed.onChange(({ alertIds }) => {
    if (alertIds.length) alertEvents.alertsChanged(alertIds);
  });
  alertEvents.catchUp();
  const commands = new IncidentCommands({
    db,
    journal,
    run: (input) => steps.run(input),
    transcript: (id) => transcripts.get(id),
    onTranscriptChange: (listener) => recorder.onChange(listener),
    redact,
    log,
    changed: incidentsChanged,
  });
  // Commands sent before the last host died: their output, as far as it was kept, interrupted.
  commands.recover();
  // Escalation rungs and overdue clocks, written to the journal once each as time passes.
  // Reports, hand-offs and bundles: redacted once per export, rendered in every format from the same data.
  const reports = new ReportService({
    db,
    clock,
    incidents,
    runbook: (id) => runbooks.get(id),
    redact,
    vaultLocked: () => secrets.status().state === 'locked',
    deviceId: journal.deviceId,
    printPdf: options.printPdf ?? null,
    bundlesChanged: (ids) => events.emit('bundles.changed', { ids }),
  });
  const watcher = new IncidentWatcher({ incidents, clock, ...(options.timers ? { timers: options.timers } : {}), warn: (message) => log.warn(message) });
  // Every path that changes the library says so with runbooks.changed: links follow it.
  events.subscribe((name) => {
    if (name === 'runbooks.changed') feed.runbooksChanged();
  });

  const bundledDir = options.bundledRunbooksDir === undefined ? defaultBundledRunbooksDir() : options.bundledRunbooksDir;
  if (bundledDir) {
    const added = runbooks.importBundled(bundledDir);
    if (added.length) log.info(`imported ${added.length} bundled runbook(s)`, { from: bundledDir });
  }

  const info: AppInfo = {
    version: packageVersion(),
    host: options.host,
    dataDir: options.dataDir,
    storeNotice: store.notice,
  };

  const handlers: Handlers = {
    'app.info': () => info,
    'preferences.get': () => preferences.get(),
    'preferences.update': (patch) => {
      const prefs = preferences.update(patch);
      events.emit('preferences.changed', prefs);
      return prefs;
    },
    'environments.list': () => environments.list(),
    'environments.get': ({ id }) => environments.get(id),
    'environments.create': (input) => {
      const env = environments.create(input);
      events.emit('environments.changed', { ids: [env.id] });
      return env;
    },
    'environments.update': ({ id, patch }) => {
      const env = environments.update(id, patch);
      events.emit('environments.changed', { ids: [id] });
      return env;
    },
    'environments.duplicate': ({ id }) => {
      const env = environments.duplicate(id);
      events.emit('environments.changed', { ids: [env.id] });
      return env;
    },
    'environments.importSshConfig': ({ path }) => environments.importSshConfig(path),
    'environments.importKubeconfig': ({ path }) => environments.importKubeconfig(path),
    'environments.delete': ({ id }) => {
      const wasCurrent = preferences.get().currentEnvironmentId === id;
      environments.delete(id);
      events.emit('environments.changed', { ids: [id] });
      if (wasCurrent) events.emit('preferences.changed', preferences.get());
      return { ok: true as const };
    },
    'runbooks.list': () => runbooks.list(),
    'runbooks.get': ({ id }) => runbooks.get(id),
    'runbooks.import': ({ files }) => {
      const result = runbooks.importFiles(files.map((f) => ({ path: f.name, text: f.text })));
      for (const e of result.errors) log.warn(`import refused: ${e.name}: ${e.message}`);
      if (result.imported.length) events.emit('runbooks.changed', { ids: result.imported.map((r) => r.id) });
      return result;
    },
    'runbooks.delete': ({ id }) => {
      runbooks.delete(id);
      events.emit('runbooks.changed', { ids: [id] });
      return { ok: true as const };
    },
    'runbooks.search': ({ query, limit }) => runbooks.search(query, limit),
    'runbooks.export': ({ id }) => runbooks.exportMarkdown(id),
    'runbooks.updateCommand': ({ id, line, code }) => {
      const detail = runbooks.updateCommand(id, line, code);
      events.emit('runbooks.changed', { ids: [id] });
      return detail;
    },
    'runbooks.lint': ({ id }) => runbooks.lint(id, [...new Set(environments.list().flatMap((e) => e.variables.map((v) => v.key)))]),
    'secrets.status': () => secrets.status(),
    'secrets.setup': async ({ passphrase }) => {
      const status = await secrets.setup(passphrase);
      secretsChanged([]);
      return status;
    },
    'secrets.unlock': async ({ passphrase }) => {
      const status = await secrets.unlock(passphrase);
      secretsChanged([]);
      return status;
    },
    'secrets.lock': () => {
      const status = secrets.lock();
      secretsChanged([]);
      return status;
    },
    'secrets.list': ({ environmentId }) => secrets.list(environmentId),
    'secrets.set': ({ environmentId, name, value }) => {
      const summary = secrets.set(environmentId, name, value);
      secretsChanged([environmentId]);
      return summary;
    },
    'secrets.delete': ({ environmentId, name }) => {
      secrets.delete(environmentId, name);
      secretsChanged([environmentId]);
      return { ok: true as const };
    },
    'secrets.reveal': ({ environmentId, name }) => ({ value: secrets.reveal(environmentId, name) }),
    'sources.list': () => sources.list(),
    // Adding and syncing report through onChange (sources.changed, runbooks.changed).
    'sources.addFolder': ({ path }) => sources.addFolder(path),
    'sources.addGit': (input) => sources.addGit(input),
    'sources.sync': ({ id }) => sources.sync(id),
    'sources.remove': ({ id }) => {
      const { runbookIds } = sources.remove(id);
      events.emit('sources.changed', { ids: [id] });
      if (runbookIds.length) events.emit('runbooks.changed', { ids: runbookIds });
      return { ok: true as const };
    },
    'terminals.list': () => terminals.list(),
    'terminals.open': (input) => terminals.open(input),
    'terminals.write': ({ id, data }) => {
      terminals.write(id, data);
      return { ok: true as const };
    },
    'terminals.resize': ({ id, cols, rows }) => {
      terminals.resize(id, cols, rows);
      return { ok: true as const };
    },
    'terminals.trustHostKey': (offer) => {
      environments.get(offer.environmentId);
      if (fingerprintOf(Buffer.from(offer.publicKey, 'base64')) !== offer.fingerprint) {
        throw new ApiError({ code: 'invalid_arguments', message: 'That host key does not match its fingerprint; nothing was trusted. Connect again to be shown the key.' });
      }
      knownHosts.trust(offer.environmentId, { host: offer.host, port: offer.port, keyType: offer.keyType, fingerprint: offer.fingerprint, publicKey: offer.publicKey });
      log.info('host key trusted', { environmentId: offer.environmentId, host: offer.host, port: offer.port, fingerprint: offer.fingerprint });
      return { ok: true as const };
    },
    // Values are not logged: the runner logs ids only, and secret values leave the core redacted.
    // With an incident: checked before anything is sent, then journaled (command-sent, output-captured).
    'steps.run': (input) => commands.run(input),
    'transcripts.list': (filter) => recorder.list(filter),
    // The feed reports every change through onChange (alerts.changed, alertSources.changed).
    'alerts.list': (filter) => feed.list(filter),
    'alerts.acknowledge': ({ id }) => feed.acknowledge(id),
    'alerts.silence': ({ id, durationMinutes, comment }) => feed.silence(id, { durationMinutes, comment }),
    'alerts.expireSilence': ({ id }) => feed.expireSilence(id),
    'alerts.linkRunbook': ({ id, runbookId, procedureId }) => feed.linkRunbook(id, runbookId, procedureId),
    'alertSources.list': () => feed.listSources(),
    'alertSources.create': (input) => feed.createSource(input),
    'alertSources.update': ({ id, patch }) => feed.updateSource(id, patch),
    'alertSources.delete': ({ id }) => {
      feed.deleteSource(id);
      return { ok: true as const };
    },
    'alertSources.poll': ({ id }) => feed.poll(id),
    'alertSources.rulesFromRunbook': ({ runbookId, prometheusUrl }) => feed.rulesFromRunbook(runbookId, prometheusUrl),
    // The service reports every change through onChange (incidents.changed); notes are redacted.
    'incidents.list': (filter) => incidents.list(filter),
    'incidents.get': ({ id }) => incidents.get(id),
    'incidents.start': (input) => incidents.start(input),
    'incidents.note': ({ id, text }) => incidents.note(id, text),
    'incidents.setStatus': ({ id, status }) => incidents.setStatus(id, status),
    'reports.preview': ({ target }) => reports.preview(target),
    'reports.export': ({ target, format }) => reports.export(target, format),
    'reports.template': () => reports.template(),
    'reports.setTemplate': ({ template }) => reports.setTemplate(template),
    // Emits bundles.changed when a bundle is new (a second import of the same one answers the first).
    'bundles.import': ({ fileName, text }) => reports.importBundle(fileName, text),
    'bundles.list': () => reports.listBundles(),
    'bundles.get': ({ id }) => reports.getBundle(id),
    'bundles.delete': ({ id }) => {
      reports.deleteBundle(id);
      return { ok: true as const };
    },
    'incidents.setSeverity': ({ id, severity }) => incidents.setSeverity(id, severity),
    'incidents.update': ({ id, patch }) => incidents.update(id, patch),
    'incidents.correct': ({ id, ofSeq, text }) => incidents.correct(id, ofSeq, text),
    'incidents.attachRunbook': ({ id, runbookId, procedureId }) => incidents.attachRunbook(id, runbookId, procedureId),
    'incidents.step': ({ id, key, action, note }) => incidents.step(id, key, action, note),
    'incidents.journal': ({ id, ...query }) => incidents.journalPage(id, query),
    'incidents.attach': (input) => attachments.attach(input),
    'incidents.attachment': (input) => attachments.attachment(input),
    'incidents.damaged': ({ id }) => damagedEvents(db, id),
    'terminals.close': ({ id }) => {
      terminals.close(id);
      return { ok: true as const };
    },
    // Values are not logged: nothing here writes them anywhere.
    'steps.prepare': (input) => steps.prepare(input),
  };

  const streams: StreamOpeners = {
    'log.tail': (_params, sink) => {
      const encoder = new TextEncoder();
      let paused = false;
      const held: string[] = [];
      const stop = log.follow((line) => {
        if (paused) {
          if (held.length < 10_000) held.push(line);
        } else sink.data(encoder.encode(line));
      });
      return {
        pause: () => (paused = true),
        resume: () => {
          paused = false;
          if (held.length) sink.data(encoder.encode(held.splice(0).join('')));
        },
        close: stop,
      };
    },
    'terminal.output': ({ id }, sink) => terminals.watch(id, sink),
  };

  if (options.watchSources !== false) {
    sources.start();
    feed.start();
    watcher.start();
  }
  // Resolved incidents were not checked by recovery: check them now, in the background.
  const stopVerifying = options.watchSources !== false ? verifyResolvedInBackground({ db, journal, log }) : () => {};
  // A keychain vault needs no passphrase: open it as the core starts.
  if (secrets.status().kind === 'os-keychain') {
    secrets.open().then(
      () => secretsChanged([]),
      (error: unknown) => log.warn(`the secrets vault stays locked: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
  log.info(`core started`, { host: options.host, dataDir: options.dataDir });
  return {
    handlers,
    streams,
    events,
    log,
    db,
    secrets,
    close() {
      // First: a command cut off by closing its terminal is journaled at the next start, as interrupted.
      commands.close();
      stopVerifying();
      terminals.closeAll();
      recorder.close();
      secrets.lock();
      sources.stop();
      feed.stop();
      watcher.stop();
      db.close();
    },
  };
}

/** `runbooks/` at the package root, from the built `out/main/*.js` or from the sources. */
function defaultBundledRunbooksDir(): string {
  return join(packageRoot(), 'runbooks');
}

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'watchfloor') return dir;
    } catch {
      // not here; go up
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the watchfloor package root');
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
