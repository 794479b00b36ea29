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
 * @example Watch a registration and the loss of its association
 * ```ts
 * import { Registrar } from "./registrar.ts";
 * import { SeededRng } from "../rng.ts";
 * import { encodeMessage, policyParameter, PolicyType } from "../wire/mod.ts";
 * import assert from "node:assert/strict";
 * const pr = new Registrar({ rng: new SeededRng(1), announceTargets: [] });
 * const seen: string[] = [];
 * pr.addLocalChangeListener((_now, change) => seen.push(`${change.kind} ${change.entry.id}`));
 * pr.handleAssociationUp(0, -1, {
 *   remote: { address: "127.0.0.1", port: 40000 }, local: { address: "127.0.0.1", port: 3863 },
 *   peerMaxPayload: 65535, listener: "asap",
 * });
 * pr.handleMessage(0, -1, 0x4e474153, 0, encodeMessage({
 *   type: "registration", poolHandle: new Uint8Array([1]),
 *   poolElement: {
 *     id: 5n, homeRegistrarId: 0n, registrationLife: 90000,
 *     userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["127.0.0.1"] },
 *     policy: policyParameter(PolicyType.RoundRobin),
 *   },
 * }));
 * pr.handleAssociationDown(1, -1, { reason: "reset", cause: 0, detail: "" });
 * assert.deepEqual(seen, ["add 5", "remove 5"]);
 * ```
 */
export type LocalChangeListener = (now: number, change: LocalChange) => void;
