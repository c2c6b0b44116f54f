/**
 * Where every call enters the core, whichever host carried it: the method is looked up in the
 * contract, the arguments are validated with its schema, and any failure becomes a typed ApiError.
 */
import { z } from 'zod';
import { ApiError, calls, isCallName, type ApiErrorShape } from '../../../shared/contract';
import type { Core } from '..';

export type DispatchResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape };

export async function dispatch(core: Core, method: string, params: unknown): Promise<DispatchResult> {
  if (!isCallName(method)) {
    return { ok: false, error: { code: 'unknown_method', message: `There is no method "${method}".` } };
  }
  const parsed = calls[method].input.safeParse(params ?? {});
  if (!parsed.success) {
    return { ok: false, error: invalidArguments(method, parsed.error) };
  }
  try {
    const handler = core.handlers[method] as (input: unknown) => unknown;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: error.toShape() };
    if (error instanceof z.ZodError) return { ok: false, error: invalidArguments(method, error) };
    const message = error instanceof Error ? error.message : String(error);
    core.log.error(`${method} failed: ${message}`, { stack: error instanceof Error ? error.stack : undefined });
    return {
      ok: false,
      error: { code: 'internal', message: `${method} failed: ${message}. Nothing already saved was changed.` },
    };
  }
}

function invalidArguments(method: string, error: z.ZodError): ApiErrorShape {
  const issues = error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = issues[0];
  return {
    code: 'invalid_arguments',
    message: `Invalid arguments for ${method}${first ? `: ${first.path ? `${first.path}: ` : ''}${first.message}` : ''}`,
    issues,
  };
}
