/**
 * Prometheus rule sources drafted from a runbook's alert table (`| Queue backlog | depth > 500 |
 * 2 min | P2 | RB-01 |`). Pure. The expression is the metric as the table writes it: the operator
 * reviews each draft before saving it, so a row is skipped rather than guessed when its condition
 * does not read as `<metric> <comparator> <number>`.
 */
import type { Severity } from '../../../shared/contract';
import type { ImportedRunbook } from '../../../shared/runbook';
import type { AlertSourceSettings } from './feed';
import { severityOf } from './source';

type Comparator = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** Drafts, one per readable row, in table order. */
export function rulesFromRunbook(runbook: ImportedRunbook, prometheusUrl: string): AlertSourceSettings[] {
  const out: AlertSourceSettings[] = [];
  for (const rule of runbook.alertRules) {
    const condition = parseCondition(rule.condition);
    if (!condition) continue;
    const forSeconds = rule.window ? parseDuration(rule.window) : 0;
    if (forSeconds === null) continue;
    out.push({
      name: rule.name,
      environmentId: null,
      config: {
        kind: 'prometheus-rule',
        url: prometheusUrl,
        expr: condition.metric,
        comparator: condition.comparator,
        threshold: condition.threshold,
        forSeconds: Math.min(forSeconds, 86_400),
        alertName: rule.name,
        severity: severityFromTable(rule.severity),
      },
      pollSeconds: 30,
      timeoutSeconds: 10,
      enabled: true,
    });
  }
  return out;
}

/** `depth > 500`, `queue.depth >= 2k`, `error_ratio > 1%` (→ 0.01); null when it is not one of these. */
export function parseCondition(text: string): { metric: string; comparator: Comparator; threshold: number } | null {
  const m = /^\s*([A-Za-z_:][\w:.]*)\s*(>=|<=|==|!=|>|<|=)\s*(-?\d+(?:\.\d+)?)\s*(%|k|K|m|M)?\s*$/.exec(text);
  if (!m) return null;
  let threshold = Number(m[3]);
  const unit = m[4];
  if (unit === '%') threshold /= 100;
  else if (unit === 'k' || unit === 'K') threshold *= 1_000;
  else if (unit === 'M') threshold *= 1_000_000;
  else if (unit === 'm') return null; // minutes or milli-: too ambiguous to guess
  // Prometheus names have no dots; `queue.depth` is written as the exporter would name it.
  return { metric: m[1]!.replace(/\./g, '_'), comparator: (m[2] === '=' ? '==' : m[2]) as Comparator, threshold };
}

/** `2 min`, `5m`, `30 s`, `1 hour`, `90` (seconds) → seconds; null when unreadable. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?)?\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit.startsWith('h') ? 3600 : unit.startsWith('m') ? 60 : 1;
  return Math.round(n * factor);
}

/** `P2`, `P3 (auto-scale)`, `critical` → P1-P4. */
function severityFromTable(text: string | null): Severity {
  const p = /\bP([1-4])\b/i.exec(text ?? '');
  return p ? (`P${p[1]}` as Severity) : severityOf(text, 'P3');
}
