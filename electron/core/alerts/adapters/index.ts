/**
 * The polled sources, one adapter per kind; the feed asks this for the one a config describes and
 * learns from what it gets back whether the source can also silence (only Alertmanager can).
 */
import type { PolledConfig, PolledSource, SilencingSource } from '../source';
import { AlertmanagerSource } from './alertmanager';
import { HttpHealthSource } from './http-health';
import { PrometheusRuleSource } from './prometheus-rule';
import { StatuspageSource } from './statuspage';

export { AlertmanagerSource, HttpHealthSource, PrometheusRuleSource, StatuspageSource };

/**
 * A new adapter for `config`. Adapters keep state between polls (a rule's `for` clock, when a health
 * check began failing), so the feed keeps one per source and makes a new one when the config changes.
 */
export function polledSource(config: PolledConfig): PolledSource & Partial<SilencingSource> {
  switch (config.kind) {
    case 'alertmanager':
      return new AlertmanagerSource(config);
    case 'prometheus-rule':
      return new PrometheusRuleSource(config);
    case 'http-health':
      return new HttpHealthSource(config);
    case 'statuspage':
      return new StatuspageSource(config);
  }
}
