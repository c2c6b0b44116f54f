/**
 * Which runbook answers an alert, and why. Pure: the feed hands in the stored runbooks and the
 * operator's pins, and shows the reason with the link so a wrong guess is easy to spot and fix.
 *
 * Best first: the operator's pin (by alert name) > front matter `alerts` matchers > a row of the
 * runbook's alert table (its runbookRef names the procedure) > a procedure whose triggers mention
 * the alert's name or metric > a procedure or runbook title sharing most of the alert name's words.
 * The last is a guess, so it only counts above SIMILARITY_THRESHOLD.
 */
import type { RunbookLink } from '../../../shared/contract';
import type { ImportedRunbook, Procedure } from '../../../shared/runbook';

/** What linking needs to know of an alert. */
export interface LinkTarget {
  name: string;
  labels: Record<string, string>;
  /** The metric it watches, when known (a Prometheus rule's expression, a `__name__` label). */
  metric?: string | null;
}

export interface LinkableRunbook {
  id: string;
  title: string;
  runbook: ImportedRunbook;
}

/** An operator's choice, by alert name. */
export interface PinnedLink {
  runbookId: string;
  procedureId: string | null;
}

/** Share of words (Dice coefficient) a title must have in common with an alert name. */
export const SIMILARITY_THRESHOLD = 0.6;

/** Alert names compare without case, spaces or punctuation: "Queue backlog" = "QueueBacklog". */
export function nameKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

/** Links alerts to runbooks; build one per library state (cheap to query, rebuilt on change). */
export class RunbookLinker {
  private readonly byRuleName = new Map<string, { rb: LinkableRunbook; rule: ImportedRunbook['alertRules'][number] }>();
  private readonly frontMatter: { rb: LinkableRunbook; matcher: string; key: string | null; pairs: [string, string][] }[] = [];
  private readonly procedures: { rb: LinkableRunbook; p: Procedure; words: Set<string> }[] = [];
  private readonly titles: { rb: LinkableRunbook; words: Set<string> }[] = [];
  private readonly byName = new Map<string, RunbookLink | null>();

  constructor(private readonly runbooks: readonly LinkableRunbook[]) {
    for (const rb of runbooks) {
      for (const matcher of rb.runbook.meta?.alerts ?? []) {
        const m = matcher.trim();
        if (!m) continue;
        if (m.includes('=')) {
          const pairs = m
            .split(',')
            .map((part) => part.split('=').map((s) => s.trim().replace(/^["']|["']$/g, '')))
            .filter((kv): kv is [string, string] => kv.length === 2 && kv[0]!.length > 0);
          if (pairs.length) this.frontMatter.push({ rb, matcher: m, key: null, pairs });
        } else this.frontMatter.push({ rb, matcher: m, key: nameKey(m), pairs: [] });
      }
      for (const rule of rb.runbook.alertRules) {
        const key = nameKey(rule.name);
        // The first runbook that lists an alert keeps it: a later copy does not steal the link.
        if (key && !this.byRuleName.has(key)) this.byRuleName.set(key, { rb, rule });
      }
      for (const p of rb.runbook.procedures) {
        if (p.kind === 'procedure') this.procedures.push({ rb, p, words: words(p.title) });
      }
      this.titles.push({ rb, words: words(rb.title) });
    }
  }

  /** The best link for the alert, or null when nothing answers it well enough. */
  linkFor(alert: LinkTarget, pinned: PinnedLink | null = null): RunbookLink | null {
    if (pinned) {
      const rb = this.runbooks.find((r) => r.id === pinned.runbookId);
      if (rb) {
        const p = pinned.procedureId ? findProcedure(rb.runbook, pinned.procedureId) : null;
        return link(rb, p, p?.line ?? null, 'chosen by you', true);
      }
      // A pinned runbook that was deleted: fall back to the automatic link rather than show nothing.
    }
    const key = nameKey(alert.name);
    for (const fm of this.frontMatter) {
      const hit = fm.key !== null ? fm.key === key : fm.pairs.every(([k, v]) => (k === 'alertname' ? nameKey(v) === key : alert.labels[k] === v));
      if (hit) {
        // The runbook says it answers the alert; its procedure whose trigger names it, when one does.
        const p = this.triggerMatch(alert, fm.rb);
        return link(fm.rb, p?.p ?? null, p?.p.line ?? null, `front matter alerts: ${fm.matcher}`, false);
      }
    }
    // The rest depends on the name (and metric) only: worked out once per name, for floods of one alert.
    const cacheKey = `${key}\u0000${alert.metric ?? ''}`;
    let byName = this.byName.get(cacheKey);
    if (byName === undefined) {
      byName = this.nameMatch(alert);
      this.byName.set(cacheKey, byName);
    }
    return byName;
  }

  private nameMatch(alert: LinkTarget): RunbookLink | null {
    const key = nameKey(alert.name);
    const row = this.byRuleName.get(key);
    if (row) {
      const p = row.rule.runbookRef ? findProcedure(row.rb.runbook, row.rule.runbookRef) : null;
      const reason = p ? `alert table row '${row.rule.name}' → ${row.rule.runbookRef}` : `alert table row '${row.rule.name}'`;
      return link(row.rb, p, p?.line ?? row.rule.line, reason, false);
    }
    const byTrigger = this.triggerMatch(alert, null);
    if (byTrigger) return link(byTrigger.rb, byTrigger.p, byTrigger.p.line, `procedure trigger "${clip(byTrigger.trigger)}" mentions ${byTrigger.what}`, false);
    return this.similarityMatch(alert.name);
  }

  /** The first procedure (of `only`, or of any runbook) whose trigger names the alert or its metric. */
  private triggerMatch(alert: LinkTarget, only: LinkableRunbook | null): { rb: LinkableRunbook; p: Procedure; trigger: string; what: string } | null {
    const key = nameKey(alert.name);
    const metric = alert.metric?.trim() || null;
    const spaced = alert.name.trim().toLowerCase();
    for (const { rb, p } of this.procedures) {
      if (only && rb !== only) continue;
      for (const trigger of p.triggers) {
        const text = trigger.toLowerCase();
        // Metric-like words of the trigger (`queue.depth`, `error_rate`): compared whole.
        const idents: string[] = text.match(/[a-z_][a-z0-9_.:]*[a-z0-9_]/g) ?? [];
        if (metric && idents.includes(metric.toLowerCase())) return { rb, p, trigger, what: metric };
        if (key.length >= 4 && idents.some((w) => nameKey(w) === key)) return { rb, p, trigger, what: alert.name };
        if (spaced.length >= 6 && spaced.includes(' ') && text.includes(spaced)) return { rb, p, trigger, what: alert.name };
      }
    }
    return null;
  }

  private similarityMatch(name: string): RunbookLink | null {
    const target = words(name);
    if (target.size === 0) return null;
    let best: { score: number; rb: LinkableRunbook; p: Procedure | null } | null = null;
    const consider = (score: number, rb: LinkableRunbook, p: Procedure | null) => {
      if (score >= SIMILARITY_THRESHOLD && (!best || score > best.score)) best = { score, rb, p };
    };
    for (const { rb, p, words: w } of this.procedures) consider(dice(target, w), rb, p);
    for (const { rb, words: w } of this.titles) consider(dice(target, w), rb, null);
    if (!best) return null;
    const { score, rb, p } = best as { score: number; rb: LinkableRunbook; p: Procedure | null };
    const what = p ? `procedure "${p.title}"` : `runbook "${rb.title}"`;
    return link(rb, p, p?.line ?? null, `name like ${what} (${Math.round(score * 100)}% of words shared)`, false);
  }
}

function link(rb: LinkableRunbook, p: Procedure | null, line: number | null, reason: string, pinned: boolean): RunbookLink {
  // An id-less procedure is named by its title (procedureRef), so an incident started from the link can walk it.
  return { runbookId: rb.id, runbookTitle: rb.title, procedureId: p ? procedureRef(p) : null, procedureTitle: p?.title ?? null, line, reason, pinned };
}

/**
 * The procedure a runbookRef or pin names (`RB-01`, `rb 01`, `Runbook 3`), else the one titled so
 * ("High Error Rate Alert"): most runbooks give their procedures no id, and an incident must still
 * be able to name one. An id wins over a title; among titles, a procedure over a section.
 */
export function findProcedure(runbook: ImportedRunbook, ref: string): Procedure | null {
  const key = nameKey(ref);
  if (!key) return null;
  const byId = runbook.procedures.find((p) => p.id !== null && nameKey(p.id) === key);
  if (byId) return byId;
  const titled = runbook.procedures.filter((p) => nameKey(p.title) === key);
  return titled.find((p) => p.kind === 'procedure') ?? titled[0] ?? null;
}

/** How an incident names a procedure: its id, else its title (findProcedure finds it by either). */
export const procedureRef = (p: Procedure): string => p.id ?? p.title;

const STOP_WORDS = new Set(['the', 'a', 'an', 'of', 'on', 'in', 'to', 'for', 'and', 'or', 'is', 'not', 'no', 'alert', 'runbook', 'rb']);

/** Lower-case words of a name or title, CamelCase and snake_case split, plurals folded. */
function words(text: string): Set<string> {
  const split = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 2 && !STOP_WORDS.has(w))
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
  return new Set(split);
}

function dice(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return (2 * shared) / (a.size + b.size);
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
