// Shutdown signals for the CLI tools, the same way in Deno, Bun and Node (their `node:process`
// signal events).

import process from "node:process";

/** The signals that ask a tool to shut down gracefully. */
export type ShutdownSignal = "SIGINT" | "SIGTERM";

const SIGNALS: readonly ShutdownSignal[] = ["SIGINT", "SIGTERM"];

/**
 * Calls `handler` on SIGINT and SIGTERM (while subscribed).
 *
 * @returns A function that unsubscribes.
 */
export function onShutdownSignals(handler: (signal: ShutdownSignal) => void): () => void {
  const listeners = SIGNALS.map((s) => {
    const listener = () => handler(s);
    process.on(s, listener);
    return [s, listener] as const;
  });
  return () => {
    for (const [s, listener] of listeners) process.off(s, listener);
  };
}
