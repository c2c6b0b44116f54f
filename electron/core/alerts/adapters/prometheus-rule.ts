/**
 * A Prometheus alerting rule evaluated from outside Prometheus: an instant query through
 * /api/v1/query on each poll, each series compared against the threshold. Like Prometheus' own
 * rules, a series whose condition holds is pending until it has held for `forSeconds`, then fires;
 * a series that no longer holds (or is gone) resolves. Pending is not shown: it is not an alert yet.
 */
import type { PolledConfig, PollContext, PollResult, PolledSource } from '../source';
import { isRecord, join, requestJson, sha256, sortedLabels, stringMap } from './http';

type RuleConfig = Extract<PolledConfig, { kind: 'prometheus-rule' }>;

const compare: Record<RuleConfig['comparator'], (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

export class PrometheusRuleSource implements PolledSource {
  private readonly what: string;
  /**
   * When each series' condition was first seen holding, by fingerprint: the `for` clock. Kept in
   * memory only, as Prometheus keeps its own (before 2.x's restore): after a restart of Watchfloor
   * a condition waits its `for` again.
   */
  private readonly holdingSince = new Map<string, Date>();

  constructor(private readonly config: RuleConfig) {
    this.what = `Prometheus at ${config.url}`;
  }

  async poll({ signal, now }: PollContext): Promise<PollResult> {
    const url = join(this.config.url, `/api/v1/query?query=${encodeURIComponent(this.config.expr)}`);
    const { value } = await requestJson(url, { what: this.what, signal });
    const series = this.series(value);
    const at = now();
    const holding = new Set<string>();
    const alerts: PollResult['alerts'] = [];
    for (const { metric, sample } of series) {
      if (!compare[this.config.comparator](sample, this.config.threshold)) continue;
      const { __name__: _, ...rest } = metric;
      const labels = { ...rest, alertname: this.config.alertName };
      const fingerprint = sha256(this.config.alertName, sortedLabels(labels));
      holding.add(fingerprint);
      const since = this.holdingSince.get(fingerprint) ?? at;
      this.holdingSince.set(fingerprint, since);
      if (at.getTime() - since.getTime() < this.config.forSeconds * 1000) continue;
      alerts.push({
        fingerprint,
        name: this.config.alertName,
        summary: `${this.config.expr} is ${formatNumber(sample)} (${this.config.comparator} ${formatNumber(this.config.threshold)} for ${this.config.forSeconds} s)`,
        labels,
        severity: this.config.severity,
        status: 'firing',
        silencedBy: null,
        startsAt: since.toISOString(),
        endsAt: null,
        url: join(this.config.url, `/graph?g0.expr=${encodeURIComponent(this.config.expr)}&g0.tab=0`),
      });
    }
    // A series that stopped holding starts its `for` afresh next time.
    for (const fingerprint of this.holdingSince.keys()) if (!holding.has(fingerprint)) this.holdingSince.delete(fingerprint);
    return { alerts, complete: true };
  }

  /** The query's answer as (labels, value) pairs; a scalar is one series with no labels. */
  private series(answer: unknown): Array<{ metric: Record<string, string>; sample: number }> {
    if (!isRecord(answer) || answer.status !== 'success' || !isRecord(answer.data)) {
      const said = isRecord(answer) && typeof answer.error === 'string' ? `: ${answer.error}` : '';
      throw new Error(`${this.what} did not answer the query${said}; check the expression in Prometheus' own graph page`);
    }
    const { resultType, result } = answer.data;
    const sampleOf = (v: unknown) => (Array.isArray(v) ? Number(v[1]) : NaN);
    if (resultType === 'scalar') return [{ metric: {}, sample: sampleOf(result) }];
    if (resultType === 'vector' && Array.isArray(result)) return result.filter(isRecord).map((s) => ({ metric: stringMap(s.metric), sample: sampleOf(s.value) }));
    throw new Error(`${this.what} answered the query with a ${String(resultType)}; a rule needs an instant vector or a scalar (drop the range selector [..])`);
  }
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}
