/**
 * kubectl terminals: the operator's own shell, pinned to one Kubernetes context and namespace of
 * an environment.
 *
 * Pinning is done with a private kubeconfig rather than `--context` or `kubectl config
 * use-context`: the shell's KUBECONFIG holds that one context and nothing else, flattened (its
 * certificates and credentials copied in), with the namespace set. A command typed in the wrong
 * terminal, `kubectl --context other ...`, or a `use-context` cannot reach another cluster, and
 * nothing in the operator's own kubeconfig is changed. The file lives in a directory of its own
 * (0700, the file 0600) and is removed when the terminal closes or exits.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiError, type Environment, type KubernetesTarget } from '../../../shared/contract';
import { expandHome } from '../environments/imports';
import { spawnLocalShell, type LocalShellOptions } from './pty';
import type { Launcher, LaunchRequest } from './service';

export interface KubectlLauncherOptions extends LocalShellOptions {
  /** The kubectl that makes the private kubeconfig; default `kubectl` on the PATH of `env`. */
  kubectl?: string;
  /** Where `~/` in a kubeconfig path points; default $HOME of `env`, else the process's home. */
  homeDir?: string;
  /** Where the private directories are made; default the system's temp dir. */
  tempDir?: string;
}

/** Private directories are named after the process that made them, so a later start can sweep the ones a crash left. */
const PRIVATE_PREFIX = 'watchfloor-kube-';
/** kubectl only reads local files here; anything slower is stuck. */
const KUBECTL_TIMEOUT_MS = 15_000;

export function kubectlLauncher(options: KubectlLauncherOptions = {}): Launcher {
  let swept = false;
  return async (request) => {
    const { environment, target } = targetOf(request);
    const base = options.tempDir ?? tmpdir();
    if (!swept) {
      swept = true;
      sweepOrphans(base);
    }
    const kubeconfig = await privateKubeconfig(environment, target, options, base);
    // spawnLocalShell disposes (removes the directory) itself if the shell cannot start.
    return spawnLocalShell(options, request, {
      env: { KUBECONFIG: kubeconfig.file },
      title: `${environment.name} · kubectl`,
      target: `${target.context} / ${target.namespace}`,
      targetId: target.id,
      dispose: kubeconfig.remove,
    });
  };
}

function targetOf(request: LaunchRequest): { environment: Environment; target: KubernetesTarget } {
  const environment = request.environment;
  const targets = environment?.kubernetes ?? [];
  if (!environment || targets.length === 0) {
    throw new ApiError({ code: 'invalid_arguments', message: 'This environment has no Kubernetes context: add one under Environments, then open the terminal again.' });
  }
  const target = request.targetId === null ? targets[0]! : targets.find((k) => k.id === request.targetId);
  if (!target) {
    throw new ApiError({
      code: 'not_found',
      message: `${environment.name} has no Kubernetes context with id ${request.targetId}; it may have been removed. Pick one of its contexts under Environments.`,
    });
  }
  return { environment, target };
}

interface PrivateKubeconfig {
  file: string;
  remove(): void;
}

/**
 * `kubectl config view --minify --flatten` of the one context, written to a fresh private
 * directory, then its namespace set with `kubectl config set-context`. The real kubectl does the
 * reading, so whatever it accepts (several files' worth of merging rules, relative certificate
 * paths, exec credential plugins) works the same here. On any failure the directory is removed.
 */
async function privateKubeconfig(environment: Environment, target: KubernetesTarget, options: KubectlLauncherOptions, base: string): Promise<PrivateKubeconfig> {
  const env = options.env ?? process.env;
  const source = resolve(expandHome(target.kubeconfigPath, options.homeDir ?? env.HOME ?? homedir()));
  if (!existsSync(source)) {
    throw new ApiError({
      code: 'not_found',
      message: `The kubeconfig of ${target.name} in ${environment.name}, ${source}, does not exist. Nothing was started; put the file there, or fix its path under Environments.`,
    });
  }
  const kubectl = options.kubectl ?? 'kubectl';
  const dir = await mkdtemp(join(base, `${PRIVATE_PREFIX}${process.pid}-`));
  const file = join(dir, 'config');
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    await chmod(dir, 0o700);
    const flat = await run(kubectl, ['config', 'view', '--minify', '--flatten', `--context=${target.context}`, `--kubeconfig=${source}`], env);
    await writeFile(file, flat, { mode: 0o600, flag: 'wx' });
    await run(kubectl, ['config', 'set-context', '--current', `--namespace=${target.namespace}`, `--kubeconfig=${file}`], env);
    await chmod(file, 0o600);
    return { file, remove };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw explain(error, { kubectl, source, environment, target });
  }
}

class KubectlFailed extends Error {
  constructor(
    readonly spawnCode: string | null,
    readonly stderr: string,
    message: string,
  ) {
    super(message);
  }
}

/** execFile, never a shell: the context and paths are arguments, whatever characters they hold. */
function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(file, args, { env, timeout: KUBECTL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolvePromise(stdout);
      const code = typeof (error as NodeJS.ErrnoException).code === 'string' ? ((error as NodeJS.ErrnoException).code as string) : null;
      reject(new KubectlFailed(code, stderr.trim(), error.message));
    });
  });
}

function explain(error: unknown, what: { kubectl: string; source: string; environment: Environment; target: KubernetesTarget }): ApiError {
  if (error instanceof ApiError) return error;
  if (!(error instanceof KubectlFailed)) {
    const message = error instanceof Error ? error.message : String(error);
    return new ApiError({ code: 'internal', message: `Could not make the private kubeconfig for ${what.target.name}: ${message}. Nothing was started; check the temp directory is writable.` });
  }
  if (error.spawnCode === 'ENOENT') {
    return new ApiError({
      code: 'not_found',
      message: `kubectl is not installed here (no "${what.kubectl}" on the PATH): Watchfloor uses it to pin the terminal to ${what.target.context}. Nothing was started; install kubectl, then open the terminal again.`,
    });
  }
  if (/cannot locate context/i.test(error.stderr)) {
    return new ApiError({
      code: 'not_found',
      message: `There is no context "${what.target.context}" in ${what.source}. Nothing was started; pick one of its contexts for ${what.target.name} under Environments (Import from kubeconfig lists them).`,
    });
  }
  const why = error.stderr.split('\n')[0] || error.message;
  return new ApiError({
    code: 'internal',
    message: `kubectl could not read ${what.source} for ${what.target.name}: ${why}. Nothing was started; check the file with \`kubectl config view --kubeconfig ${what.source}\`.`,
  });
}

/**
 * Private kubeconfigs hold credentials: remove the ones whose process has gone (a crash, a kill)
 * rather than leave them in the temp dir. Only names this module makes, only dead owners.
 */
function sweepOrphans(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = new RegExp(`^${PRIVATE_PREFIX}(\\d+)-`).exec(name);
    if (!owner || alive(Number(owner[1]))) continue;
    try {
      rmSync(join(base, name), { recursive: true, force: true });
    } catch {
      // another user's, or already gone
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
