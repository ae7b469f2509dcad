// mitt's default export does not type-check under NodeNext (mitt#191); this file is the only place that imports it.
import mittImport from "mitt";
import type { Emitter, EventType } from "mitt";

type MittFactory = <Events extends Record<EventType, unknown>>() => Emitter<Events>;

const mitt = mittImport as unknown as MittFactory;

export type { Emitter };

export function createEmitter<Events extends Record<EventType, unknown>>(): Emitter<Events> {
  return mitt<Events>();
}
