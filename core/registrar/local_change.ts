/**
 * The hook for changes of the PEs a registrar is home of: what ENRP must announce to peers
 * (Handle Update ADD_PE on every registration and re-registration, DEL_PE on every removal).
 *
 * @module
 */

import type { PoolElementEntry } from "../handlespace/pool_element.ts";
import type { PeRemovalReason } from "./events.ts";

/** A change of a PE this registrar is home of. */
export interface LocalChange {
  /** Added (new registration), updated (re-registration) or removed. */
  readonly kind: "add" | "update" | "remove";
  /** The PE (not live any more for "remove"). */
  readonly entry: PoolElementEntry;
  /** For "update": whether anything changed. */
  readonly changed: boolean;
  /** For "remove": why. */
  readonly reason: PeRemovalReason | undefined;
}

/**
 * Called for every {@link LocalChange}, synchronously, inside the registrar call that made it
 * (ENRP sends its Handle Updates from here).
 *
 * @example Count changes
 * ```ts
 * import type { LocalChangeListener } from "./local_change.ts";
 * import assert from "node:assert/strict";
 * let removals = 0;
 * const listener: LocalChangeListener = (_now, change) => {
 *   if (change.kind === "remove") removals++;
 * };
 * assert.equal(typeof listener, "function");
 * assert.equal(removals, 0);
 * ```
 */
export type LocalChangeListener = (now: number, change: LocalChange) => void;
