import { Check, CopyPlus, Plus, Trash, X } from 'lucide-react';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { Environment, Tier } from '@shared/contract';
import { useAppStore } from '../../store';
import { ConfirmDialog } from '../../app/ui/ConfirmDialog';
import { EnvironmentTargets } from './EnvironmentTargets';
import { targetDraftsOf, targetInputsOf, type TargetDrafts } from './targetDrafts';
import { ColourDot, TierBadge } from './TierBadge';
import { presetColours, tiers } from './tiers';

interface VariableRow {
  /** Stable React key for the row; never sent. */
  rowId: number;
  key: string;
  value: string;
}

interface Draft {
  name: string;
  tier: Tier;
  color: string;
  description: string;
  variables: VariableRow[];
  targets: TargetDrafts;
}

let nextRowId = 1;

function draftOf(env: Environment | null): Draft {
  return {
    name: env?.name ?? '',
    tier: env?.tier ?? 'development',
    color: env?.color ?? presetColours[5]!.value,
    description: env?.description ?? '',
    variables: (env?.variables ?? []).map((v) => ({ ...v, rowId: nextRowId++ })),
    targets: targetDraftsOf(env),
  };
}

/** Create (environment null) or edit one environment. The core validates; its field errors show
 * beside the fields they are about. */
export function EnvironmentForm({ environment }: { environment: Environment | null }) {
  const save = useAppStore((s) => s.saveEnvironment);
  const duplicate = useAppStore((s) => s.duplicateEnvironment);
  const remove = useAppStore((s) => s.deleteEnvironment);
  const currentId = useAppStore((s) => s.currentEnvironmentId);
  const setCurrent = useAppStore((s) => s.setCurrentEnvironment);
  const edit = useAppStore((s) => s.editEnvironment);
  const [draft, setDraft] = useState(() => draftOf(environment));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const ids = { name: useId(), tier: useId(), colour: useId(), description: useId() };

  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const updateVariable = (rowId: number, patch: Partial<VariableRow>) =>
    setDraft((d) => ({ ...d, variables: d.variables.map((v) => (v.rowId === rowId ? { ...v, ...patch } : v)) }));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSaving(true);
    const result = await save(environment?.id ?? null, {
      name: draft.name,
      tier: draft.tier,
      color: draft.color,
      description: draft.description,
      variables: draft.variables.map(({ key, value }) => ({ key, value })),
      ...targetInputsOf(draft.targets),
    });
    setSaving(false);
    if (result.ok) {
      setErrors({});
      setFormError(null);
    } else {
      setErrors(result.fieldErrors);
      // Field errors show beside their fields; anything else (no field to point at) shows on top.
      setFormError(Object.keys(result.fieldErrors).length ? null : result.message);
    }
  }

  const heading = environment ? environment.name : 'New environment';
  return (
    <form className="env-form" onSubmit={onSubmit} aria-label={environment ? `Edit ${environment.name}` : 'New environment'} noValidate>
      <header className="env-form-head">
        <ColourDot colour={draft.color} size={12} />
        <h2 className="env-form-title">{heading}</h2>
        {environment ? <TierBadge tier={environment.tier} /> : null}
        <div className="env-form-head-actions">
          {environment ? (
            <>
              {currentId === environment.id ? (
                <span className="badge badge-current">
                  <Check size={12} aria-hidden="true" /> Current environment
                </span>
              ) : (
                <button type="button" className="button" onClick={() => setCurrent(environment.id)}>
                  Work in this environment
                </button>
              )}
              <button type="button" className="button" onClick={() => void duplicate(environment.id)}>
                <CopyPlus size={14} aria-hidden="true" /> Duplicate
              </button>
              <button type="button" className="button button-ghost-danger" onClick={() => setConfirmingDelete(true)}>
                <Trash size={14} aria-hidden="true" /> Delete
              </button>
            </>
          ) : null}
        </div>
      </header>

      {formError ? (
        <div className="form-error" role="alert">
          {formError}
        </div>
      ) : null}

      <div className="form-grid">
        <Field id={ids.name} label="Name" error={errors.name}>
          <input
            id={ids.name}
            type="text"
            value={draft.name}
            onChange={(e) => update({ name: e.target.value })}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? `${ids.name}-error` : undefined}
            autoFocus={!environment}
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. prod-eu"
          />
        </Field>

        <Field id={ids.tier} label="Tier" error={errors.tier}>
          <select
            id={ids.tier}
            value={draft.tier}
            onChange={(e) => update({ tier: e.target.value as Tier })}
            aria-invalid={errors.tier ? true : undefined}
            aria-describedby={errors.tier ? `${ids.tier}-error` : undefined}
          >
            {tiers.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
          {draft.tier === 'production' ? (
            <p className="field-hint field-hint-danger">While this environment is current, a red PRODUCTION banner is shown on every page.</p>
          ) : null}
        </Field>

        <Field id={ids.colour} label="Colour" error={errors.color}>
          <div className="colour-row">
            <input
              id={ids.colour}
              type="color"
              value={draft.color}
              onChange={(e) => update({ color: e.target.value })}
              aria-invalid={errors.color ? true : undefined}
              aria-describedby={errors.color ? `${ids.colour}-error` : undefined}
            />
            <span className="mono muted">{draft.color}</span>
            <div className="swatches" role="radiogroup" aria-label="Presets">
              {presetColours.map((c) => (
                <button
                  key={c.value}
                  type="button"
                  role="radio"
                  aria-checked={draft.color.toLowerCase() === c.value}
                  aria-label={c.name}
                  title={c.name}
                  className="swatch"
                  style={{ background: c.value }}
                  onClick={() => update({ color: c.value })}
                />
              ))}
            </div>
          </div>
        </Field>

        <Field id={ids.description} label="Description" error={errors.description} wide>
          <textarea
            id={ids.description}
            value={draft.description}
            rows={3}
            onChange={(e) => update({ description: e.target.value })}
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={errors.description ? `${ids.description}-error` : undefined}
            placeholder="What it is, who owns it, where its dashboards are."
          />
        </Field>
      </div>

      <fieldset className="variables">
        <legend className="field-label">Variables</legend>
        <p className="field-hint">
          Values runbook placeholders can be filled with in this environment, e.g. <code>CLUSTER</code> or{' '}
          <code>NAMESPACE</code>. Secrets do not belong here.
        </p>
        {errors.variables ? <p className="field-error">{errors.variables}</p> : null}
        {draft.variables.length > 0 ? (
          <div className="variable-rows">
            {draft.variables.map((v, i) => {
              const keyError = errors[`variables.${i}.key`];
              const valueError = errors[`variables.${i}.value`];
              return (
                <div key={v.rowId} className="variable-row">
                  <div className="variable-cell">
                    <input
                      type="text"
                      className="mono"
                      aria-label={`Key ${i + 1}`}
                      placeholder="KEY"
                      value={v.key}
                      spellCheck={false}
                      autoComplete="off"
                      onChange={(e) => updateVariable(v.rowId, { key: e.target.value })}
                      aria-invalid={keyError ? true : undefined}
                      aria-describedby={keyError ? `var-${v.rowId}-key-error` : undefined}
                    />
                    {keyError ? (
                      <span className="field-error" id={`var-${v.rowId}-key-error`}>
                        {keyError}
                      </span>
                    ) : null}
                  </div>
                  <div className="variable-cell variable-cell-value">
                    <input
                      type="text"
                      className="mono"
                      aria-label={`Value ${i + 1}`}
                      placeholder="value"
                      value={v.value}
                      spellCheck={false}
                      autoComplete="off"
                      onChange={(e) => updateVariable(v.rowId, { value: e.target.value })}
                      aria-invalid={valueError ? true : undefined}
                      aria-describedby={valueError ? `var-${v.rowId}-value-error` : undefined}
                    />
                    {valueError ? (
                      <span className="field-error" id={`var-${v.rowId}-value-error`}>
                        {valueError}
                      </span>
                    ) : null}
                  </div>
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`Remove variable ${i + 1}`}
                    onClick={() => setDraft((d) => ({ ...d, variables: d.variables.filter((x) => x.rowId !== v.rowId) }))}
                  >
                    <X size={14} aria-hidden="true" />
                  </button>
                </div>
              );
            })}
          </div>
        ) : null}
        <button
          type="button"
          className="button button-small"
          onClick={() => setDraft((d) => ({ ...d, variables: [...d.variables, { rowId: nextRowId++, key: '', value: '' }] }))}
        >
          <Plus size={13} aria-hidden="true" /> Add variable
        </button>
      </fieldset>

      <EnvironmentTargets drafts={draft.targets} errors={errors} onChange={(targets) => update({ targets })} />

      <footer className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving} aria-busy={saving}>
          Save
        </button>
        <button type="button" className="button" onClick={() => (environment ? (setDraft(draftOf(environment)), setErrors({}), setFormError(null)) : edit(null))}>
          {environment ? 'Revert' : 'Cancel'}
        </button>
      </footer>

      {confirmingDelete && environment ? (
        <ConfirmDialog
          title={`Delete the environment “${environment.name}”?`}
          confirmLabel="Delete"
          onCancel={() => setConfirmingDelete(false)}
          onConfirm={() => {
            setConfirmingDelete(false);
            void remove(environment.id);
          }}
        >
          <p>
            {environment.variables.length === 0
              ? `${environment.name} will be deleted.`
              : `${environment.name} and its ${environment.variables.length} variable${environment.variables.length === 1 ? '' : 's'} will be deleted.`}{' '}
            This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </form>
  );
}

function Field(props: { id: string; label: string; error: string | undefined; wide?: boolean; children: ReactNode }) {
  return (
    <div className={`field${props.wide ? ' field-wide' : ''}${props.error ? ' has-error' : ''}`}>
      <label htmlFor={props.id} className="field-label">
        {props.label}
      </label>
      {props.children}
      {props.error ? (
        <span className="field-error" id={`${props.id}-error`}>
          {props.error}
        </span>
      ) : null}
    </div>
  );
}
