/**
 * wrangler terminals: the operator's own shell with one Cloudflare account of an environment
 * selected through the variables wrangler itself reads, so `wrangler ...` (or `npx wrangler`,
 * in any project folder) talks to that account, as that environment:
 *
 * - CLOUDFLARE_ACCOUNT_ID: the account.
 * - CLOUDFLARE_API_TOKEN: the account's token, read from the vault as the terminal opens; it
 *   never reaches the database, the log or the terminal's title.
 * - CLOUDFLARE_ENV: the wrangler environment (`[env.<name>]`). wrangler takes it as the default
 *   of `--env` (`args.env ?? CLOUDFLARE_ENV` in the pinned 4.86.0; releases from late 2025 on),
 *   and `--env` typed on the command line still wins. Absent: the top level. An older wrangler
 *   ignores it, so the header shows which environment the terminal is meant for.
 *
 * Whatever Cloudflare credentials and environment the operator's own session carries are removed
 * first: wrangler prefers a global API key to a token, and an inherited CLOUDFLARE_ENV would
 * quietly send a "top-level" terminal to another environment.
 */
import { ApiError, type CloudflareTarget, type Environment } from '../../../shared/contract';
import type { SecretVault } from '../secrets';
import { spawnLocalShell, type LocalShellOptions } from './pty';
import type { Launcher, LaunchRequest } from './service';

export interface WranglerLauncherOptions extends LocalShellOptions {
  /** Holds each account's API token. */
  secrets: SecretVault;
}

/** Inherited variables that would override or blur the account the terminal is for (CF_*: wrangler's older names). */
const INHERITED_CLOUDFLARE = [
  'CLOUDFLARE_ACCOUNT_ID',
  'CF_ACCOUNT_ID',
  'CLOUDFLARE_API_TOKEN',
  'CF_API_TOKEN',
  'CLOUDFLARE_API_KEY',
  'CF_API_KEY',
  'CLOUDFLARE_EMAIL',
  'CF_EMAIL',
  'CLOUDFLARE_ENV',
];

export function wranglerLauncher(options: WranglerLauncherOptions): Launcher {
  return (request) => {
    const { environment, account } = targetOf(request);
    // The token first: a locked vault or a missing secret fails here, with nothing started.
    const token = account.apiTokenSecret === null ? null : tokenOf(environment, account, options.secrets);
    const inherited: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
    for (const name of INHERITED_CLOUDFLARE) delete inherited[name];
    const env: Record<string, string> = { CLOUDFLARE_ACCOUNT_ID: account.accountId };
    if (token !== null) env.CLOUDFLARE_API_TOKEN = token;
    if (account.wranglerEnv !== null) env.CLOUDFLARE_ENV = account.wranglerEnv;
    // With no token, wrangler falls back to the operator's own `wrangler login`: say so where they look.
    const auth = token === null ? ' · no API token: your wrangler login' : '';
    return spawnLocalShell({ ...options, env: inherited }, request, {
      env,
      title: `${environment.name} · wrangler`,
      target: `account ${account.accountId.slice(0, 8)}… env ${account.wranglerEnv ?? 'top-level'}${auth}`,
      targetId: account.id,
    });
  };
}

function targetOf(request: LaunchRequest): { environment: Environment; account: CloudflareTarget } {
  const environment = request.environment;
  const accounts = environment?.cloudflare ?? [];
  if (!environment || accounts.length === 0) {
    throw new ApiError({ code: 'invalid_arguments', message: 'This environment has no Cloudflare account: add one under Environments, then open the terminal again.' });
  }
  const account = request.targetId === null ? accounts[0]! : accounts.find((a) => a.id === request.targetId);
  if (!account) {
    throw new ApiError({
      code: 'not_found',
      message: `${environment.name} has no Cloudflare account with id ${request.targetId}; it may have been removed. Pick one of its accounts under Environments.`,
    });
  }
  return { environment, account };
}

function tokenOf(environment: Environment, account: CloudflareTarget, secrets: SecretVault): string {
  const name = account.apiTokenSecret!;
  const state = secrets.status().state;
  if (state !== 'unlocked') {
    throw new ApiError({
      code: 'conflict',
      message:
        state === 'locked'
          ? `The vault is locked, so the API token of ${account.name} (${name}) cannot be read. Nothing was started; unlock the vault, then open the terminal again.`
          : `There is no vault yet, so ${account.name}'s API token (${name}) has nowhere to be. Nothing was started; set up the vault and add ${name} to ${environment.name}'s secrets.`,
    });
  }
  if (!secrets.list(environment.id).some((s) => s.name === name)) {
    throw new ApiError({
      code: 'not_found',
      message: `${environment.name} has no secret ${name}, which ${account.name} names as its API token. Nothing was started; add the secret under Environments, or clear the token field to use your own wrangler login.`,
    });
  }
  return secrets.reveal(environment.id, name);
}
