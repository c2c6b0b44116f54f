import type { Core } from '../../electron/core';

/** A terminal's output as text (from its scrollback on) through the core's terminal.output stream, and how it ended. */
export function watchTerminal(core: Core, id: string) {
  const decoder = new TextDecoder();
  const seen = { text: '', ended: undefined as string | null | undefined };
  const source = core.streams['terminal.output'](
    { id },
    {
      data: (bytes) => (seen.text += decoder.decode(bytes, { stream: true })),
      end: (reason) => (seen.ended = reason),
    },
  );
  return Object.assign(seen, { close: () => source.close() });
}

export async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
