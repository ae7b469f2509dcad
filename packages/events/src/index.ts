export { ConfigEventType } from "./event-types.js";
export type {
  AiqConfigEvent,
  ConfigChangeReason,
  ConfigEvent,
  ConfigEventError,
  ConfigEventIssue,
  EventHandler,
  EventOfType,
  FileEvent,
  ListenerFailedEvent,
} from "./event-types.js";
export { EventManager, createEventManager, getEventManager } from "./event-manager.js";
export type { EventManagerOptions, HandlerErrorReporter } from "./event-manager.js";
