import type { AlertSource, AlertSourceConfig, AlertSourceKind, CallInput } from '@shared/contract';

/** A source form's fields, as typed (strings and checkboxes); turned into the contract's input on save. */
export type SourceDraft = Record<string, string | boolean>;

/** Each kind's own fields, in the order the form shows them. */
export interface DraftField {
  key: string;
  label: string;
  type: 'text' | 'number' | 'checkbox' | 'severity' | 'comparator';
  placeholder?: string;
  /** Empty means null (optional number or text). */
  optional?: boolean;
  mono?: boolean;
  hint?: string;
}

const url = (placeholder: string): DraftField => ({ key: 'url', label: 'URL', type: 'text', placeholder, mono: true });
const severity: DraftField = { key: 'severity', label: 'Severity', type: 'severity' };
const listen: DraftField[] = [
  { key: 'port', label: 'Port (0: any free port)', type: 'number' },
  { key: 'listenAll', label: 'Listen on every interface, not only 127.0.0.1', type: 'checkbox' },
];
const mappingKeys = ['alerts', 'name', 'fingerprint', 'severity', 'status', 'labels', 'summary', 'url'] as const;

export const kindFields: Record<AlertSourceKind, DraftField[]> = {
  alertmanager: [url('http://alertmanager.internal:9093')],
  'alertmanager-webhook': listen,
  'prometheus-rule': [
    url('http://prometheus.internal:9090'),
    { key: 'alertName', label: 'Alert name', type: 'text', placeholder: 'QueueBacklog' },
    { key: 'expr', label: 'PromQL expression', type: 'text', placeholder: 'sum(queue_depth) by (queue)', mono: true },
    { key: 'comparator', label: 'Fires when the value is', type: 'comparator' },
    { key: 'threshold', label: 'Threshold', type: 'number' },
    { key: 'forSeconds', label: 'For (seconds)', type: 'number', hint: 'The condition must hold this long first.' },
    severity,
  ],
  'http-health': [
    url('https://api.example.com/healthz'),
    { key: 'expectedStatus', label: 'Expected status', type: 'number' },
    { key: 'bodyMatch', label: 'Body must contain (optional; /regex/ too)', type: 'text', optional: true, mono: true },
    { key: 'latencyThresholdMs', label: 'Slower than this is an alert (ms, optional)', type: 'number', optional: true },
    severity,
  ],
  statuspage: [url('https://www.githubstatus.com'), severity],
  'json-webhook': [
    ...listen,
    ...mappingKeys.map(
      (k): DraftField => ({
        key: `mapping.${k}`,
        label: k === 'alerts' ? 'Mapping: list of alerts (dot path, empty: the body is one alert)' : `Mapping: ${k}`,
        type: 'text',
        optional: k !== 'name' && k !== 'alerts',
        mono: true,
        placeholder: k === 'name' ? 'alert.name' : k === 'alerts' ? 'alerts' : '',
      }),
    ),
  ],
};

export const isWebhookKind = (kind: AlertSourceKind) => kind === 'alertmanager-webhook' || kind === 'json-webhook';

export function emptyDraft(kind: AlertSourceKind): SourceDraft {
  return {
    kind,
    name: '',
    environmentId: '',
    pollSeconds: '30',
    timeoutSeconds: '10',
    enabled: true,
    url: '',
    port: '0',
    listenAll: false,
    expr: '',
    comparator: '>',
    threshold: '0',
    forSeconds: '0',
    alertName: '',
    severity: kind === 'http-health' ? 'P2' : 'P3',
    expectedStatus: '200',
    bodyMatch: '',
    latencyThresholdMs: '',
    ...Object.fromEntries(mappingKeys.map((k) => [`mapping.${k}`, k === 'alerts' ? '' : ''])),
  };
}

export function draftOf(source: AlertSource): SourceDraft {
  const draft = emptyDraft(source.config.kind);
  draft.name = source.name;
  draft.environmentId = source.environmentId ?? '';
  draft.pollSeconds = String(source.pollSeconds);
  draft.timeoutSeconds = String(source.timeoutSeconds);
  draft.enabled = source.enabled;
  for (const [k, v] of Object.entries(source.config)) {
    if (k === 'mapping' && v && typeof v === 'object') {
      for (const [mk, mv] of Object.entries(v as Record<string, string | null>)) draft[`mapping.${mk}`] = mv ?? '';
    } else if (typeof v === 'boolean') draft[k] = v;
    else draft[k] = v === null ? '' : String(v);
  }
  return draft;
}

const text = (d: SourceDraft, k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
/** A number field as typed; NaN is left for the contract's schema to refuse with its own message. */
const num = (d: SourceDraft, k: string) => Number(text(d, k).trim());
const optNum = (d: SourceDraft, k: string) => (text(d, k).trim() === '' ? null : num(d, k));
const optText = (d: SourceDraft, k: string) => (text(d, k).trim() === '' ? null : text(d, k));

export function configOf(d: SourceDraft): AlertSourceConfig {
  const kind = d.kind as AlertSourceKind;
  const severity = text(d, 'severity') as 'P1' | 'P2' | 'P3' | 'P4';
  switch (kind) {
    case 'alertmanager':
      return { kind, url: text(d, 'url') };
    case 'alertmanager-webhook':
      return { kind, port: num(d, 'port'), listenAll: d.listenAll === true };
    case 'prometheus-rule':
      return {
        kind,
        url: text(d, 'url'),
        expr: text(d, 'expr'),
        comparator: text(d, 'comparator') as '>',
        threshold: num(d, 'threshold'),
        forSeconds: num(d, 'forSeconds'),
        alertName: text(d, 'alertName'),
        severity,
      };
    case 'http-health':
      return {
        kind,
        url: text(d, 'url'),
        expectedStatus: num(d, 'expectedStatus'),
        bodyMatch: optText(d, 'bodyMatch'),
        latencyThresholdMs: optNum(d, 'latencyThresholdMs'),
        severity,
      };
    case 'statuspage':
      return { kind, url: text(d, 'url'), severity };
    case 'json-webhook':
      return {
        kind,
        port: num(d, 'port'),
        listenAll: d.listenAll === true,
        mapping: {
          alerts: text(d, 'mapping.alerts'),
          name: text(d, 'mapping.name'),
          fingerprint: optText(d, 'mapping.fingerprint'),
          severity: optText(d, 'mapping.severity'),
          status: optText(d, 'mapping.status'),
          labels: optText(d, 'mapping.labels'),
          summary: optText(d, 'mapping.summary'),
          url: optText(d, 'mapping.url'),
        },
      };
  }
}

export function inputOf(d: SourceDraft): CallInput<'alertSources.create'> {
  return {
    name: text(d, 'name'),
    environmentId: text(d, 'environmentId') || null,
    config: configOf(d),
    pollSeconds: num(d, 'pollSeconds'),
    timeoutSeconds: num(d, 'timeoutSeconds'),
    enabled: d.enabled === true,
  };
}
