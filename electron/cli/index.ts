/**
 * `watchfloor`: the command line over the same core services the UI uses.
 *   watchfloor serve [--port N] [--data-dir DIR]   the headless host on 127.0.0.1
 *   watchfloor import <path...> [--json]            import runbooks into the library
 *   watchfloor lint <path...> [--json]              check runbooks (files or folders); exit 1 on any error (for CI)
 *   watchfloor report <id|--handoff> --format F     an incident report, bundle or hand-off, redacted [--out FILE]
 * Errors are one line on stderr and a non-zero exit status, never a stack trace.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ApiError, ReportFormat, type CallName, type CallInput, type CallOutput, type LintFinding, type ReportTarget } from '../../shared/contract';
import { createCore, packageRoot, type Core } from '../core';
import { dispatch } from '../core/api/dispatch';
import { chromiumPdfPrinter } from '../core/reports/pdf-chromium';
import { defaultDataDir } from '../core/data-dir';
import { ImportError, importRunbook, lintRunbook } from '../core/runbooks';
import { startServer } from '../server';

class CliError extends Error {}

function version(): string {
  return (JSON.parse(readFileSync(resolve(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

/** Calls go through the same validated entry point as the UI's. */
async function call<M extends CallName>(core: Core, method: M, input: CallInput<M>): Promise<CallOutput<M>> {
  const result = await dispatch(core, method, input);
  if (!result.ok) throw new ApiError(result.error);
  return result.value as CallOutput<M>;
}

const program = new Command()
  .name('watchfloor')
  .description('Watchfloor, the incident cockpit for on-call operators')
  .version(version())
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command('serve')
  .description('run the headless host on 127.0.0.1 and print the URL (with its token) to open in a browser')
  .option('-p, --port <port>', 'port to listen on (default: a free one)', parsePort, 0)
  .option('-d, --data-dir <dir>', 'data folder (default: $WATCHFLOOR_DATA_DIR or your user data folder)')
  .action(async (opts: { port: number; dataDir?: string }) => {
    const dataDir = resolve(opts.dataDir ?? defaultDataDir());
    const server = await startServer({ dataDir, port: opts.port }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new CliError(`port ${opts.port} is already in use; pick another with --port, or leave it out for a free one`);
      throw error;
    });
    process.stdout.write(`Watchfloor is serving ${dataDir} at ${server.url}\n`);
    const info = await call(server.core, 'app.info', {});
    if (info.storeNotice) process.stderr.write(`watchfloor: ${info.storeNotice.message}\n`);
    let closing = false;
    const stop = () => {
      if (closing) return;
      closing = true;
      void server.close().then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program
  .command('import')
  .description('import Markdown runbooks into the library')
  .argument('<path...>', 'Markdown files to import')
  .option('--json', 'print the imported structure as JSON (schema: docs/import-json.md)')
  .option('-d, --data-dir <dir>', 'data folder (default: $WATCHFLOOR_DATA_DIR or your user data folder)')
  .action(async (paths: string[], opts: { json?: boolean; dataDir?: string }) => {
    const files = paths.map((p) => {
      const path = resolve(p);
      try {
        return { name: path, text: readFileSync(path, 'utf8') };
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a folder' : e.code === 'EACCES' ? 'permission denied' : e.message;
        throw new CliError(`cannot read ${p}: ${why}; nothing was imported`);
      }
    });
    const core = createCore({ dataDir: resolve(opts.dataDir ?? defaultDataDir()), host: 'headless', watchSources: false });
    try {
      const result = await call(core, 'runbooks.import', { files });
      if (result.errors.length) {
        const first = result.errors[0]!;
        throw new CliError(`${first.name}: ${first.message}${result.errors.length > 1 ? ` (and ${result.errors.length - 1} more file(s) refused)` : ''}`);
      }
      if (opts.json) {
        const runbooks = [];
        for (const summary of result.imported) runbooks.push((await call(core, 'runbooks.get', { id: summary.id })).runbook);
        process.stdout.write(JSON.stringify({ runbooks }, null, 2) + '\n');
      } else {
        for (const r of result.imported) {
          process.stdout.write(`imported ${r.sourceName}: "${r.title}", ${r.procedureCount} procedures, ${r.stepCount} steps, ${r.commandCount} commands\n`);
        }
      }
    } finally {
      core.close();
    }
  });

program
  .command('lint')
  .description('check Markdown runbooks: steps without commands, undefined placeholders, missing recovery targets, destructive commands without confirm, broken alert links; exit status 1 on any error')
  .argument('<path...>', 'Markdown files, or folders to check every .md file in')
  .option('--json', 'print the findings as JSON: {"files":[{"path","findings":[{"rule","severity","message","line",...}]}]}')
  .action((paths: string[], opts: { json?: boolean }) => {
    // Pure: the files are read and checked, nothing is imported into the library.
    const files = paths.flatMap(markdownFiles).map((p) => {
      let findings: LintFinding[];
      try {
        findings = lintRunbook(importRunbook(readFileSync(resolve(p), 'utf8'), resolve(p)));
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        const message = error instanceof ImportError ? error.message
          : e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a folder' : e.code === 'EACCES' ? 'permission denied' : e.message;
        findings = [{ rule: 'unreadable', severity: 'error', message: `cannot check it: ${message}`, line: 0, procedureIndex: null, stepIndex: null }];
      }
      return { path: p, findings };
    });
    const all = files.flatMap((f) => f.findings);
    const errors = all.filter((f) => f.severity === 'error').length;
    if (opts.json) {
      process.stdout.write(JSON.stringify({ files }, null, 2) + '\n');
    } else {
      for (const f of files) for (const x of f.findings) process.stdout.write(`${f.path}:${x.line}: ${x.severity} ${x.rule}: ${x.message}\n`);
      process.stdout.write(`${errors} error(s), ${all.length - errors} warning(s) in ${files.length} file(s)\n`);
    }
    if (errors) process.exitCode = 1;
  });

program
  .command('report')
  .description('export an incident report (md, html, pdf) or its JSON bundle, or the shift hand-off of every open incident; redacted like the UI\'s export')
  .argument('[incident]', 'incident id, or a unique start of one')
  .option('--handoff', 'the shift hand-off: every open incident on one page')
  .requiredOption('-f, --format <format>', 'md, html, pdf or json', parseFormat)
  .option('-o, --out <file>', 'write to this file (default: standard output; pdf needs a file or a pipe)')
  .option('-d, --data-dir <dir>', 'data folder (default: $WATCHFLOOR_DATA_DIR or your user data folder)')
  .action(async (incident: string | undefined, opts: { handoff?: boolean; format: ReportFormat; out?: string; dataDir?: string }) => {
    if (Boolean(incident) === Boolean(opts.handoff)) throw new CliError('name one incident (its id or the start of it), or pass --handoff; nothing was exported');
    if (opts.format === 'pdf' && !opts.out && process.stdout.isTTY) throw new CliError('a PDF is binary and this is a terminal; nothing was exported. Pass --out report.pdf, or pipe the output to a file');
    const core = createCore({ dataDir: resolve(opts.dataDir ?? defaultDataDir()), host: 'headless', watchSources: false, bundledRunbooksDir: null, printPdf: chromiumPdfPrinter() });
    try {
      await openVault(core);
      const target: ReportTarget = opts.handoff ? { kind: 'handoff' } : { kind: 'incident', id: await incidentId(core, incident!) };
      const file = await call(core, 'reports.export', { target, format: opts.format });
      const bytes = Buffer.from(file.base64, 'base64');
      if (opts.out) {
        writeFileSync(resolve(opts.out), bytes);
        const redacted = file.redactions.total ? `; ${file.redactions.total} value(s) redacted (${Object.entries(file.redactions.byKind).map(([k, n]) => `${k}: ${n}`).join(', ')})` : '';
        process.stderr.write(`wrote ${opts.out} (${file.bytes} bytes)${redacted}\n`);
      } else {
        process.stdout.write(bytes);
      }
    } finally {
      core.close();
    }
  });

/**
 * Export redaction needs the vault's values: a keychain vault opens by itself; a passphrase vault
 * is unlocked with $WATCHFLOOR_PASSPHRASE (never an argument: it would show in `ps` and history).
 */
async function openVault(core: Core): Promise<void> {
  const status = core.secrets.status();
  if (status.state !== 'locked') return;
  if (status.kind === 'os-keychain') {
    await core.secrets.open();
    return;
  }
  const passphrase = process.env.WATCHFLOOR_PASSPHRASE;
  if (!passphrase) throw new CliError('the secrets vault is locked, and its values must be redacted from the report; nothing was exported. Set WATCHFLOOR_PASSPHRASE to the vault passphrase for this command');
  await call(core, 'secrets.unlock', { passphrase });
}

function parseFormat(value: string): ReportFormat {
  const parsed = ReportFormat.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError('one of md, html, pdf, json');
  return parsed.data;
}

/** An incident by id, or by the start of its id when exactly one incident's id starts so. */
async function incidentId(core: Core, given: string): Promise<string> {
  const all = await call(core, 'incidents.list', { includeResolved: true });
  if (all.some((i) => i.id === given)) return given;
  const matches = all.filter((i) => i.id.startsWith(given));
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0) throw new CliError(`no incident id starts with "${given}"; nothing was exported. The incidents are listed in the app, on the Incidents page`);
  throw new CliError(`"${given}" starts ${matches.length} incident ids (${matches.slice(0, 3).map((i) => i.id.slice(0, 12)).join(', ')}...); nothing was exported. Give more of the id`);
}

/** A path as given, or the Markdown files under it when it is a folder (sorted, so CI output is stable). */
function markdownFiles(path: string): string[] {
  let folder = false;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    return [path]; // reported as unreadable where it is read
  }
  if (!folder) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(md|markdown)$/i.test(f) && !f.split(/[\\/]/).includes('node_modules'))
    .sort()
    .map((f) => join(path, f));
}

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof CliError || error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`watchfloor: ${message}\n`);
  process.exit(1);
});
