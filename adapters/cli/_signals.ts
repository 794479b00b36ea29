// Shutdown signals for the CLI tools, the same way in Deno, Bun and Node (their `node:process`
// signal events).
//
// The process-level listeners are installed once and stay; handlers come and go in a set, so a
// tool that unsubscribes while shutting down never restores the default action (terminate) for
// a second signal arriving before it exits.

import process from "node:process";

/** The signals that ask a tool to shut down gracefully. */
export type ShutdownSignal = "SIGINT" | "SIGTERM";

const SIGNALS: readonly ShutdownSignal[] = ["SIGINT", "SIGTERM"];
const handlers = new Set<(signal: ShutdownSignal) => void>();
let installed = false;

/**
 * Calls `handler` on SIGINT and SIGTERM (while subscribed).
 *
 * @returns A function that unsubscribes.
 */
export function onShutdownSignals(handler: (signal: ShutdownSignal) => void): () => void {
  if (!installed) {
    installed = true;
    for (const s of SIGNALS) {
      process.on(s, () => {
        for (const h of [...handlers]) h(s);
      });
    }
  }
  const h = (s: ShutdownSignal) => handler(s);
  handlers.add(h);
  return () => void handlers.delete(h);
}
