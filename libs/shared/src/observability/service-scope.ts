import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which service the current code runs for. Embedded mode runs five Nest applications in one
 * process, and Nest's `Logger` writes through one process-wide logger (the last application's),
 * so log lines take their `service` from this scope instead. Requests, consumed events and the
 * timers a service starts while booting all run inside it.
 */
const scope = new AsyncLocalStorage<string>();

export function runAsService<T>(service: string, fn: () => T): T {
  return scope.run(service, fn);
}

export function currentService(): string | undefined {
  return scope.getStore();
}
