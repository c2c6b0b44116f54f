import { describe, expect, it } from 'vitest';
import type { Clock } from '../../electron/core/clock';
import { useTestCore } from '../support/core';

let now = new Date('2026-11-25T10:00:00Z');
const clock: Clock = { now: () => now };
const t = useTestCore({ clock });
const call = t.call;

const prod = { name: 'Production', tier: 'production', color: '#dc2626', description: 'eu-west-1', variables: [{ key: 'REGION', value: 'eu-west-1' }] };

describe('environments', () => {
  it('creates, lists production first, and reads back', async () => {
    await call('environments.create', { name: 'dev', tier: 'development', color: '#16a34a' });
    const p = await call('environments.create', prod);
    expect(p).toMatchObject({ ...prod, createdAt: now.toISOString() });
    const list = (await call('environments.list', {})) as unknown as { name: string }[];
    expect(list.map((e) => e.name)).toEqual(['Production', 'dev']);
  });

  it('updates only what the patch names and stamps the time', async () => {
    const p = await call('environments.create', prod);
    now = new Date('2026-11-25T11:00:00Z');
    const u = await call('environments.update', { id: p.id, patch: { description: 'moved to eu-central-1' } });
    expect(u).toMatchObject({ name: 'Production', tier: 'production', description: 'moved to eu-central-1', updatedAt: now.toISOString(), createdAt: p.createdAt });
  });

  it('duplicates with a fresh name, then deletes', async () => {
    const p = await call('environments.create', prod);
    const c1 = await call('environments.duplicate', { id: p.id });
    const c2 = await call('environments.duplicate', { id: p.id });
    expect([c1.name, c2.name]).toEqual(['Production copy', 'Production copy 2']);
    expect(c1.variables).toEqual(prod.variables);
    await call('environments.delete', { id: c1.id });
    await expect(call('environments.get', { id: c1.id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a second environment with the same name, whatever the case', async () => {
    await call('environments.create', prod);
    await expect(call('environments.create', { ...prod, name: 'PRODUCTION' })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses invalid arguments with a typed error per field', async () => {
    await expect(call('environments.create', { name: '  ', tier: 'live', color: 'blue' })).rejects.toMatchObject({
      code: 'invalid_arguments',
      issues: expect.arrayContaining([expect.objectContaining({ path: 'name' }), expect.objectContaining({ path: 'tier' }), expect.objectContaining({ path: 'color' })]),
    });
    await expect(call('environments.create', { ...prod, variables: [{ key: 'A', value: '1' }, { key: 'A', value: '2' }] })).rejects.toMatchObject({ code: 'invalid_arguments' });
    await expect(call('environments.create', { ...prod, variables: [{ key: '1BAD', value: '' }] })).rejects.toMatchObject({ code: 'invalid_arguments' });
  });

  it('emits a change event for each write', async () => {
    const seen: string[] = [];
    t.core.events.subscribe((name) => seen.push(name));
    const p = await call('environments.create', prod);
    await call('environments.update', { id: p.id, patch: { name: 'Prod EU' } });
    await call('environments.delete', { id: p.id });
    expect(seen).toEqual(['environments.changed', 'environments.changed', 'environments.changed']);
  });
});

describe('preferences', () => {
  it('keeps the current environment and theme, and forgets an environment once deleted', async () => {
    expect(await call('preferences.get', {})).toEqual({ currentEnvironmentId: null, theme: 'system' });
    const p = await call('environments.create', prod);
    await call('preferences.update', { currentEnvironmentId: p.id, theme: 'dark' });
    expect(await call('preferences.get', {})).toEqual({ currentEnvironmentId: p.id, theme: 'dark' });
    const changes: string[] = [];
    t.core.events.subscribe((name) => changes.push(name));
    await call('environments.delete', { id: p.id });
    expect(changes).toContain('preferences.changed');
    expect(await call('preferences.get', {})).toEqual({ currentEnvironmentId: null, theme: 'dark' });
  });

  it('refuses an environment that does not exist and an unknown theme', async () => {
    await expect(call('preferences.update', { currentEnvironmentId: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('preferences.update', { theme: 'neon' })).rejects.toMatchObject({ code: 'invalid_arguments' });
  });
});
