import type { EventName, EventPayload } from '../../shared/contract';

type AnyListener = (name: EventName, payload: unknown) => void;

/** Core events, fanned out to every connected renderer by the hosts. */
export class EventBus {
  private readonly listeners = new Set<AnyListener>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) l(name, payload);
  }

  subscribe(listener: AnyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
