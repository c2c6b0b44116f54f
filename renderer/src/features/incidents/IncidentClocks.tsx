import type { IncidentClock, IncidentClocks } from '@shared/contract';
import { useNow } from '../alerts/useNow';
import { exactTime } from './format';

/** Remaining time of a clock at `now`: frozen once met, counting down from its target otherwise. */
function remainingAt(clock: IncidentClock, now: number): number | null {
  if (clock.targetAt === null) return null;
  return Date.parse(clock.targetAt) - (clock.metAt ? Date.parse(clock.metAt) : now);
}

/** "1:05:09", "12:03", "-4:10" */
export function duration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}:${s}` : `${sign}${m}:${s}`;
}

/**
 * The incident's clocks as of now (elapsed, response, recovery, the current step's timer, the
 * escalation rung with who to call), ticking each second from the timestamps the core computed
 * them from (opened, target, met, resolved), not by asking the core again.
 */
export function IncidentClocksRow({ clocks, openedAt }: { clocks: IncidentClocks; openedAt: string }) {
  const now = useNow(1000);
  const opened = Date.parse(openedAt);
  const resolved = clocks.resolvedAt ? Date.parse(clocks.resolvedAt) : null;
  const elapsedMs = Math.max(0, (resolved ?? now) - opened);
  const response = remainingAt(clocks.response, now);
  const recovery = remainingAt(clocks.recovery, now);
  const reached = clocks.escalation.rungs.filter((r) => r.reachedAt !== null || (resolved === null && elapsedMs >= r.fromMinutes * 60_000));
  const rung = reached.length > 0 ? reached[reached.length - 1]! : null;
  const rungIndex = reached.length - 1;
  const step = clocks.step ? remainingAt(clocks.step, now) : null;
  const late = (ms: number | null) => ms !== null && ms < 0;
  return (
    <dl className="incident-clocks" aria-label="Incident clocks">
      <div className="incident-clock">
        <dt>Elapsed</dt>
        <dd className="mono">
          {duration(elapsedMs)}
          {resolved !== null ? <span className="muted"> (resolved)</span> : null}
        </dd>
      </div>
      <div className={`incident-clock${late(response) ? ' incident-clock-overdue' : ''}`} title={clocks.response.targetAt ? `Target ${exactTime(clocks.response.targetAt)}` : undefined}>
        <dt>
          Response <span className="muted">{clocks.response.minutes} min</span>
        </dt>
        <dd className="mono">{clocks.response.metAt ? (late(response) ? `met ${duration(-response!)} late` : 'met') : late(response) ? `overdue ${duration(-response!)}` : duration(response ?? 0)}</dd>
      </div>
      <div className={`incident-clock${late(recovery) ? ' incident-clock-overdue' : ''}`} title={clocks.recovery.targetAt ? `Target ${exactTime(clocks.recovery.targetAt)}` : undefined}>
        <dt>
          Recovery {clocks.recovery.minutes !== null ? <span className="muted">{clocks.recovery.minutes} min</span> : null}
        </dt>
        <dd className="mono">
          {recovery === null ? <span className="muted">No target</span> : clocks.recovery.metAt ? (late(recovery) ? 'recovered late' : 'recovered') : late(recovery) ? `overdue ${duration(-recovery)}` : duration(recovery)}
        </dd>
      </div>
      {clocks.step ? (
        <div className={`incident-clock${late(step) ? ' incident-clock-overdue' : ''}`} title={`${clocks.step.label}${clocks.step.targetAt ? `, target ${exactTime(clocks.step.targetAt)}` : ''}`}>
          <dt>Step timer</dt>
          <dd className="mono">{step === null ? duration(now - Date.parse(clocks.step.startedAt)) : clocks.step.metAt ? 'done' : late(step) ? `overdue ${duration(-step)}` : duration(step)}</dd>
        </div>
      ) : null}
      <div className={`incident-clock${rungIndex > 0 && resolved === null ? ' incident-clock-overdue' : ''}`}>
        <dt>Escalation</dt>
        <dd>
          {rung === null ? (
            <span className="muted">No ladder</span>
          ) : (
            <span className="incident-escalation" role={rungIndex > 0 && resolved === null ? 'alert' : undefined}>
              <span className="mono">
                {rung.fromMinutes}
                {rung.toMinutes !== null ? `-${rung.toMinutes}` : '+'} min
              </span>{' '}
              {rungIndex > 0 && resolved === null ? <strong>Call now: {rung.action}</strong> : rung.action}
            </span>
          )}
        </dd>
      </div>
    </dl>
  );
}
