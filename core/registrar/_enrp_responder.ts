// The ENRP requests a registrar answers without peering (RFC 5353 §2.2, behaviour.md §9.5,
// §9.6): List Request, Handle Table Request (paged, per-requester cursor, M flag) and Presence
// with the R flag. Requesters with sending identifier 0 are monitors (hsdump), accepted from
// loopback unless configured otherwise; other unknown requesters get the R flag for a Handle
// Table Request, as RSPLIB answers non-peers. With ENRP peering, peers get Handle Table
// Responses too (except audits of our own PEs during our startup phase) and List Responses name
// every live peer.

import type { PoolElementEntry } from "../handlespace/pool_element.ts";
import type {
  EnrpMessage,
  HandleTablePool,
  HandleTableRequestMessage,
} from "../wire/enrp_message.ts";
import type {
  PoolElementParameter,
  RegistrarId,
  ServerInformationParameter,
} from "../wire/pool_element_parameter.ts";
import { SCOPE_RANK } from "./_address_scope.ts";
import type { AssociationRecord, RegistrarContext } from "./_context.ts";
import { paddedParameterSize, poolElementSize } from "./_sizes.ts";

/** What the responder asks ENRP peering (when the registrar has peers). */
export interface PeerDirectory {
  /** Whether a registrar identifier is a peer. */
  isPeer(id: RegistrarId): boolean;
  /** Server Information of the live peers, for List Responses. */
  servers(): ServerInformationParameter[];
  /** Whether the registrar's own table is still incomplete (its startup phase). */
  incomplete(): boolean;
}

export class EnrpResponder {
  readonly #ctx: RegistrarContext;
  readonly #peers: PeerDirectory | undefined;

  constructor(ctx: RegistrarContext, peers: PeerDirectory | undefined) {
    this.#ctx = ctx;
    this.#peers = peers;
  }

  handle(_now: number, rec: AssociationRecord, message: EnrpMessage): void {
    const ctx = this.#ctx;
    if (message.type === "enrp-error") {
      ctx.stats.errorsReceived++;
      return;
    }
    if (message.senderId === ctx.id) {
      ctx.stats.enrpIgnored++; // our own message looped back (RSPLIB ignores these)
      return;
    }
    if (message.receiverId !== 0n && message.receiverId !== ctx.id) {
      ctx.stats.enrpIgnored++;
      return;
    }
    switch (message.type) {
      case "list-request":
        if (!this.#allowed(rec, message.senderId, message.type)) {
          ctx.sendEnrp(rec.id, {
            type: "list-response",
            reject: true,
            senderId: ctx.id,
            receiverId: message.senderId,
            servers: [],
          });
          return;
        }
        ctx.stats.listRequests++;
        ctx.sendEnrp(rec.id, {
          type: "list-response",
          reject: false,
          senderId: ctx.id,
          receiverId: message.senderId,
          servers: this.#peers === undefined
            ? [this.serverInformation(rec)]
            : [this.serverInformation(rec), ...this.#peers.servers()],
        });
        return;
      case "handle-table-request":
        this.#handleTable(rec, message);
        return;
      case "presence":
        if (!message.replyRequired) {
          ctx.stats.enrpIgnored++; // peer presence: ENRP peering handles it
          return;
        }
        if (!this.#allowed(rec, message.senderId, message.type)) return;
        ctx.stats.presenceReplies++;
        ctx.sendEnrp(rec.id, {
          type: "presence",
          replyRequired: false,
          senderId: ctx.id,
          receiverId: message.senderId,
          checksum: ctx.handlespace.ownershipChecksum(ctx.id),
          serverInformation: this.serverInformation(rec),
        });
        return;
      default:
        ctx.stats.enrpIgnored++;
    }
  }

  /** This registrar's Server Information: its identifier and ENRP endpoint. */
  serverInformation(rec: AssociationRecord): ServerInformationParameter {
    const endpoint = this.#ctx.enrpEndpoint ?? rec.local;
    return {
      registrarId: this.#ctx.id,
      transport: {
        protocol: "tcp",
        port: endpoint.port,
        transportUse: "data",
        addresses: [endpoint.address],
      },
    };
  }

  /** Monitors (identifier 0) from loopback, or from anywhere when configured. */
  #allowed(rec: AssociationRecord, senderId: RegistrarId, request: string): boolean {
    const ctx = this.#ctx;
    if (senderId !== 0n) return true;
    if (ctx.config.allowRemoteMonitors || rec.remoteScope === SCOPE_RANK.loopback) return true;
    this.#rejected(rec, senderId, request, `monitor requests are accepted from loopback only`);
    return false;
  }

  #rejected(rec: AssociationRecord, senderId: RegistrarId, request: string, reason: string): void {
    this.#ctx.stats.enrpRequestsRejected++;
    this.#ctx.emit({ type: "enrp-request-rejected", assoc: rec.id, senderId, request, reason });
  }

  #handleTable(rec: AssociationRecord, message: HandleTableRequestMessage): void {
    const ctx = this.#ctx;
    const cfg = ctx.config;
    const sender = message.senderId;
    let allowed: boolean;
    const peers = this.#peers;
    if (sender === 0n) allowed = this.#allowed(rec, sender, message.type);
    else if (peers === undefined || !peers.isPeer(sender)) {
      allowed = false;
      this.#rejected(rec, sender, message.type, `registrar ${sender} is not a peer`);
    } else if (peers.incomplete()) {
      // Our table is still being downloaded: as a mentor it would hand out a partial table, and
      // an audit of our PEs would purge PEs we are about to learn we own (a restart with the same
      // identifier). Refused until then; the requester asks again later or elsewhere.
      allowed = false;
      this.#rejected(rec, sender, message.type, "the startup phase is still on");
    } else allowed = true;
    if (!allowed) {
      ctx.sendEnrp(rec.id, {
        type: "handle-table-response",
        reject: true,
        moreToSend: false,
        senderId: ctx.id,
        receiverId: sender,
        pools: [],
      });
      return;
    }
    const owner = message.ownChildrenOnly ? ctx.id : undefined;
    if (rec.tableOwner !== owner) rec.tableCursor = undefined;
    const page = ctx.handlespace.enumerate({
      owner,
      after: rec.tableCursor,
      limit: cfg.maxElementsPerHandleTableResponse,
    });
    const pools: HandleTablePool[] = [];
    let current: PoolElementParameter[] | undefined = undefined;
    let last: PoolElementEntry | undefined = undefined;
    let size = 4 + 2 * ctx.idBytes;
    let more = page.next !== undefined;
    for (const entry of page.entries) {
      const pe = entry.toParameter(true);
      const newPool = last === undefined || last.poolHandle !== entry.poolHandle;
      const add = poolElementSize(pe, ctx.idBytes) +
        (newPool ? paddedParameterSize(entry.poolHandle.length) : 0);
      if (last !== undefined && size + add > cfg.maxHandleTableResponseSize) {
        more = true;
        break;
      }
      size += add;
      if (newPool || current === undefined) {
        current = [];
        pools.push({ poolHandle: entry.poolHandle, poolElements: current });
      }
      current.push(pe);
      last = entry;
    }
    if (more && last !== undefined) {
      rec.tableCursor = { poolHandle: last.poolHandle, id: last.id };
      rec.tableOwner = owner;
    } else {
      rec.tableCursor = undefined;
      rec.tableOwner = undefined;
    }
    ctx.stats.handleTableResponses++;
    ctx.sendEnrp(rec.id, {
      type: "handle-table-response",
      reject: false,
      moreToSend: more && last !== undefined,
      senderId: ctx.id,
      receiverId: sender,
      pools,
    });
  }
}
