/**
 * An incident's procedure as a walkthrough: the plan (which steps, in which order, which are
 * alternatives to choose between, which are checklist items, what is only context) comes from the
 * runbook; where each step stands comes from the journal alone. Pure, so the walkthrough after a
 * restart is the one before it, and the renderer, the watcher and the tests all see the same.
 *
 * Plan:
 * - The procedure's own prose (Symptoms:, Alert:) and its child sections without steps, notes and
 *   references are context, not steps.
 * - Its own steps, then its child sections with steps (Immediate Actions, Investigation Steps), are
 *   steps in order; a child `alternatives` section (Resolution, Resolution Paths) is one group of
 *   alternatives; a child `checklist` gives checks.
 * - In a flat procedure, a run of two or more consecutive steps that start "If", "When", "In case"
 *   or "Otherwise" is a group titled "Choose what applies": they are alternatives, not a sequence.
 *
 * State, from the journal events after the last runbook-attached (a new runbook starts afresh),
 * the last event per key winning:
 * - step-done / step-skipped / step-failed settle an item; step-reopened puts it back to pending.
 * - path-chosen picks a group's alternative; a later choice changes it; the others are not-taken,
 *   unless they were settled already (what was settled stays settled).
 * - The current item is the one most recently started that is still open; else the first open
 *   item in plan order; a group reached with no choice made is a choice to make. Checks never hold
 *   up the plan: they may be ticked in any order, and the first unticked one is current only once
 *   every step is settled. Nothing open: finished.
 */
import type { IncidentClock, JournalEvent, WalkCommand, WalkGroup, WalkItem, Walkthrough } from '../../../shared/contract';
import type { ImportedRunbook, Procedure, Step } from '../../../shared/runbook';
import { findProcedure } from '../alerts/links';
import { clockOf } from './clocks';

/** The journal kinds a walkthrough is built from. */
export const WALK_KINDS = ['runbook-attached', 'step-started', 'step-done', 'step-skipped', 'step-failed', 'step-reopened', 'path-chosen'] as const;

/** Step titles that say "only when this applies": a run of them is a choice, not a sequence. */
const CONDITIONAL = /^(if|when|in case|otherwise)\b/i;

type Settled = 'done' | 'skipped' | 'failed';
const SETTLED_BY: Partial<Record<string, Settled>> = { 'step-done': 'done', 'step-skipped': 'skipped', 'step-failed': 'failed' };

/** The key journal events name a step by: `<procedureIndex>.<stepIndex>`. */
export const stepKey = (procedureIndex: number, stepIndex: number): string => `${procedureIndex}.${stepIndex}`;

/** The plan of a procedure, before any state: what buildWalkthrough fills in. */
interface Plan {
  procedure: Procedure;
  context: Walkthrough['context'];
  items: Omit<WalkItem, 'state' | 'note' | 'startedAt' | 'endedAt' | 'clock'>[];
  groups: Omit<WalkGroup, 'chosenKey' | 'chosenAt'>[];
}

function commandsOf(step: Step): WalkCommand[] {
  return step.commands.map((c) => ({
    line: c.line,
    code: c.code,
    language: c.language,
    runnable: c.runnable,
    destructive: c.destructive ?? false,
    placeholders: [...new Set(c.placeholders.map((p) => p.name))],
  }));
}

/** A section's prose and steps as Markdown, for context. */
function contextText(p: Procedure): string {
  const steps = p.steps.map((s, i) => `${i + 1}. **${s.title}**${s.text && s.text !== s.title ? `\n\n${indent(s.text)}` : ''}`);
  return [p.text.trim(), ...steps].filter(Boolean).join('\n\n');
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => (l ? `   ${l}` : l))
    .join('\n');

/** The plan of the procedure `ref` names, or null when the runbook has none by that id or title. */
export function planOf(runbook: ImportedRunbook, ref: string): Plan | null {
  const procedure = findProcedure(runbook, ref);
  if (!procedure) return null;
  const index = runbook.procedures.indexOf(procedure);
  const plan: Plan = { procedure, context: [], items: [], groups: [] };

  const addSteps = (p: Procedure, pIndex: number, kind: 'step' | 'check') => {
    for (let i = 0; i < p.steps.length; i++) {
      // A run of conditional steps in a plain list: the operator picks what applies.
      let end = i;
      while (kind === 'step' && end < p.steps.length && CONDITIONAL.test(p.steps[end]!.title.trim())) end++;
      if (end - i >= 2) {
        const groupId = `g${stepKey(pIndex, i)}`;
        const keys: string[] = [];
        for (let j = i; j < end; j++) {
          keys.push(stepKey(pIndex, j));
          plan.items.push(item(p, pIndex, j, 'alternative', groupId));
        }
        plan.groups.push({ id: groupId, title: 'Choose what applies', keys });
        i = end - 1;
        continue;
      }
      plan.items.push(item(p, pIndex, i, kind, null));
    }
  };

  const visit = (p: Procedure, pIndex: number, own: boolean) => {
    const steps = p.steps.length > 0;
    if (own) {
      // What fires it: the importer takes "**Alert:** ..." lines out of the text into triggers.
      if (p.triggers.length) plan.context.push({ title: 'Alert', text: p.triggers.map((t) => `- ${t}`).join('\n') });
      if (p.text.trim()) plan.context.push({ title: p.title, text: p.text.trim() });
      addSteps(p, pIndex, p.kind === 'checklist' ? 'check' : 'step');
    } else if (p.kind === 'notes' || p.kind === 'reference' || !steps) {
      const text = contextText(p);
      if (text) plan.context.push({ title: p.title, text });
    } else {
      if (p.text.trim()) plan.context.push({ title: p.title, text: p.text.trim() });
      if (p.kind === 'alternatives') {
        const groupId = `g${pIndex}`;
        plan.groups.push({ id: groupId, title: p.title, keys: p.steps.map((_, i) => stepKey(pIndex, i)) });
        p.steps.forEach((_, i) => plan.items.push(item(p, pIndex, i, 'alternative', groupId)));
      } else addSteps(p, pIndex, p.kind === 'checklist' ? 'check' : 'step');
    }
    runbook.procedures.forEach((child, childIndex) => {
      if (child.parent === pIndex) visit(child, childIndex, false);
    });
  };
  visit(procedure, index, true);
  return plan;
}

function item(p: Procedure, pIndex: number, i: number, kind: WalkItem['kind'], groupId: string | null): Plan['items'][number] {
  const s = p.steps[i]!;
  return { key: stepKey(pIndex, i), section: p.title, kind, groupId, title: s.title, text: s.text, commands: commandsOf(s), timerSeconds: s.timerSeconds };
}

/** A step's own timer: from when it was started, frozen when it ended. */
export function stepClock(key: string, title: string, timerSeconds: number | null, startedAt: string | null, endedAt: string | null, now: Date): IncidentClock | null {
  if (timerSeconds === null || startedAt === null) return null;
  const start = Date.parse(startedAt);
  const minutes = Math.round((timerSeconds / 60) * 10) / 10;
  return clockOf(`step:${key}`, `Step timer (${title}, ${minutes} min)`, start, start + timerSeconds * 1000, endedAt === null ? null : Date.parse(endedAt), Math.max(start, now.getTime()));
}

/**
 * The walkthrough of `procedureRef` (an id or a title) of the runbook, as the journal leaves it at
 * `now`; null when the runbook has no such procedure (it was edited since). `events` needs only
 * the WALK_KINDS, in seq order; others are ignored.
 */
export function buildWalkthrough(runbookId: string, runbook: ImportedRunbook, procedureRef: string, events: readonly JournalEvent[], now: Date): Walkthrough | null {
  const plan = planOf(runbook, procedureRef);
  if (!plan) return null;
  const lastAttach = events.reduce((seq, e) => (e.kind === 'runbook-attached' ? e.seq : seq), 0);

  interface ItemState {
    settled: Settled | null;
    note: string | null;
    startedAt: string | null;
    startedSeq: number;
    endedAt: string | null;
  }
  const states = new Map<string, ItemState>(plan.items.map((i) => [i.key, { settled: null, note: null, startedAt: null, startedSeq: 0, endedAt: null }]));
  const chosen = new Map<string, { key: string; at: string }>();
  const groupOf = new Map(plan.items.map((i) => [i.key, i.groupId]));
  for (const e of events) {
    if (e.seq <= lastAttach) continue;
    const key = typeof e.data.key === 'string' ? e.data.key : null;
    const s = key === null ? undefined : states.get(key);
    if (!s || key === null) continue;
    const note = typeof e.data.note === 'string' && e.data.note ? e.data.note : null;
    const settled = SETTLED_BY[e.kind];
    if (e.kind === 'step-started') {
      // Started again once settled changes nothing: reopening is how a settled step comes back.
      // Started again while open makes it current again; its timer runs on from the first start.
      if (s.settled === null) {
        s.startedAt ??= e.at;
        s.startedSeq = e.seq;
      }
    } else if (settled) {
      s.settled = settled;
      s.note = note;
      s.endedAt = e.at;
    } else if (e.kind === 'step-reopened') {
      s.settled = null;
      s.note = null;
      s.startedAt = null;
      s.startedSeq = 0;
      s.endedAt = null;
    } else if (e.kind === 'path-chosen') {
      const groupId = groupOf.get(key);
      if (groupId) chosen.set(groupId, { key, at: e.at });
    }
  }

  const notTaken = (key: string): boolean => {
    const g = groupOf.get(key);
    if (!g) return false;
    const c = chosen.get(g);
    return c !== undefined && c.key !== key && states.get(key)!.settled === null;
  };
  const open = (key: string) => states.get(key)!.settled === null && !notTaken(key);

  // What the operator is on: the latest started and still open, else the first open in plan order.
  let current: Walkthrough['current'] = { kind: 'finished' };
  const started = plan.items.filter((i) => open(i.key) && states.get(i.key)!.startedSeq > 0 && (i.groupId === null || chosen.has(i.groupId)));
  const latest = started.sort((a, b) => states.get(b.key)!.startedSeq - states.get(a.key)!.startedSeq)[0];
  if (latest) current = { kind: 'step', key: latest.key };
  else {
    const next = plan.items.find((i) => i.kind !== 'check' && open(i.key)) ?? plan.items.find((i) => open(i.key));
    if (next) current = next.groupId !== null && !chosen.has(next.groupId) ? { kind: 'choose', groupId: next.groupId } : { kind: 'step', key: next.key };
  }

  const items: WalkItem[] = plan.items.map((i) => {
    const s = states.get(i.key)!;
    const state = s.settled ?? (current.kind === 'step' && current.key === i.key ? 'current' : notTaken(i.key) ? 'not-taken' : 'pending');
    return { ...i, state, note: s.note, startedAt: s.startedAt, endedAt: s.endedAt, clock: stepClock(i.key, i.title, i.timerSeconds, s.startedAt, s.endedAt, now) };
  });
  return {
    runbookId,
    runbookTitle: runbook.title,
    procedureId: plan.procedure.id ?? plan.procedure.title,
    procedureTitle: plan.procedure.title,
    context: plan.context,
    items,
    groups: plan.groups.map((g) => ({ ...g, chosenKey: chosen.get(g.id)?.key ?? null, chosenAt: chosen.get(g.id)?.at ?? null })),
    current,
  };
}

/** The item the walkthrough is on, when it is on a step. */
export function currentItem(walk: Walkthrough | null): WalkItem | null {
  if (!walk || walk.current.kind !== 'step') return null;
  const key = walk.current.key;
  return walk.items.find((i) => i.key === key) ?? null;
}
