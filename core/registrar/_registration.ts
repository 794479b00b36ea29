// Registration, re-registration and deregistration at the home registrar (RFC 5352 §3.1-3.3,
// spec/behaviour.md §4): validation of the PE's addresses against the association and the
// minimum scope, DPF distance from the association's RTT, the handlespace update with this
// registrar as home, keep-alive scheduling, and the response.

import type { RegistrationField } from "../handlespace/handlespace.ts";
import type { DeregistrationMessage, RegistrationMessage } from "../wire/asap_message.ts";
import { ErrorCause } from "../wire/error_cause.ts";
import type { PoolElementParameter } from "../wire/pool_element_parameter.ts";
import { type PolicyParameter, policyTypeInfo } from "../wire/policy_parameter.ts";
import type { TransportParameter } from "../wire/transport_parameter.ts";
import { addressScopeRank, SCOPE_RANK } from "./_address_scope.ts";
import type { AssociationRecord, RegistrarContext } from "./_context.ts";
import { offendingParameter } from "./_offending.ts";

const EMPTY = new Uint8Array(0);

/** Causes whose cause information is the offending parameter (RFC 5354 §3.10). */
function carriesParameter(cause: number): boolean {
  return cause === ErrorCause.InvalidValues || cause === ErrorCause.InconsistentPoolingPolicy ||
    cause === ErrorCause.InconsistentTransportType;
}

interface Rejection {
  readonly cause: number;
  readonly reason: string;
  readonly field: RegistrationField | undefined;
}

export class RegistrationHandler {
  readonly #ctx: RegistrarContext;
  readonly #minScope: number;

  constructor(ctx: RegistrarContext) {
    this.#ctx = ctx;
    this.#minScope = SCOPE_RANK[ctx.config.minAddressScope];
  }

  handleRegistration(
    now: number,
    rec: AssociationRecord,
    message: RegistrationMessage,
    raw: Uint8Array,
  ): void {
    const ctx = this.#ctx;
    const pe = message.poolElement;
    if (!ctx.authorized(rec, "register", message.poolHandle)) {
      this.#reject(rec, message, raw, {
        cause: ErrorCause.RejectedDueToSecurity,
        reason: "the authorization policy does not let this peer register into the pool",
        field: undefined,
      });
      return;
    }
    const checked = this.#check(rec, pe);
    if ("cause" in checked) {
      this.#reject(rec, message, raw, checked);
      return;
    }
    const hs = ctx.handlespace;
    const maxPerAssoc = ctx.config.maxRegistrationsPerAssociation;
    if (maxPerAssoc > 0) {
      // Only a PE new to this association counts (re-registrations pass); the count is
      // bounded by the limit itself.
      const known = hs.find(message.poolHandle, pe.id);
      if (
        (known === undefined || known.association !== rec.id) &&
        hs.countOfAssociation(rec.id, maxPerAssoc) >= maxPerAssoc
      ) {
        this.#reject(rec, message, raw, {
          cause: ErrorCause.LackOfResources,
          reason: `registration limit ${maxPerAssoc} per association reached`,
          field: undefined,
        });
        return;
      }
    }
    const maxPerIdentity = ctx.config.maxRegistrationsPerIdentity;
    if (maxPerIdentity > 0) {
      const known = hs.find(message.poolHandle, pe.id);
      if (known === undefined || known.association !== rec.id) {
        let count = 0;
        for (const a of ctx.perIdentity.get(rec.identityKey) ?? []) {
          count += hs.countOfAssociation(a, maxPerIdentity - count);
          if (count >= maxPerIdentity) break;
        }
        if (count >= maxPerIdentity) {
          ctx.stats.registrationsPerIdentityRejected++;
          this.#reject(rec, message, raw, {
            cause: ErrorCause.LackOfResources,
            reason: `registration limit ${maxPerIdentity} per identity reached`,
            field: undefined,
          });
          return;
        }
      }
    }
    // One object literal of fixed shape, not a spread of a second one: one allocation at most,
    // and none where V8 inlines register() here (bench/HISTORY.md, wave 14 `rereg`).
    const r = hs.register(message.poolHandle, checked.element, {
      now,
      home: ctx.id,
      association: rec.id,
      asapTransport: checked.asap,
    });
    if (!r.ok) {
      this.#reject(rec, message, raw, { cause: r.cause, reason: r.reason, field: r.offending });
      return;
    }
    const entry = r.entry;
    // The home relies on keep-alives, not on the registration life (behaviour.md §4).
    hs.setDeadline(
      entry,
      "keep-alive-transmission",
      now + ctx.config.keepAliveTransmissionInterval,
    );
    hs.clearDeadline(entry, "keep-alive-timeout");
    hs.clearDeadline(entry, "lifetime-expiry");
    if (r.created) {
      ctx.stats.registrations++;
      ctx.poolCounters(entry.poolHandle).registrations++;
      ctx.emit({ type: "registered", poolHandle: entry.poolHandle, peId: entry.id, assoc: rec.id });
    } else {
      ctx.stats.reRegistrations++;
      ctx.poolCounters(entry.poolHandle).reRegistrations++;
      ctx.emit({
        type: "re-registered",
        poolHandle: entry.poolHandle,
        peId: entry.id,
        assoc: rec.id,
        changed: r.changed,
      });
    }
    ctx.localChange(now, {
      kind: r.created ? "add" : "update",
      entry,
      changed: r.changed,
      reason: undefined,
    });
    ctx.sendAsap(rec.id, {
      type: "registration-response",
      reject: false,
      poolHandle: message.poolHandle,
      poolElementId: pe.id,
    });
  }

  handleDeregistration(now: number, rec: AssociationRecord, message: DeregistrationMessage): void {
    const ctx = this.#ctx;
    const entry = ctx.handlespace.find(message.poolHandle, message.poolElementId);
    if (entry !== undefined && entry.association !== rec.id) {
      // Only the association a PE registered over may take it out: not another association,
      // and not anyone for a PE this registrar holds without an association (registered at a
      // peer registrar, or taken over and not re-registered yet).
      ctx.sendAsap(rec.id, {
        type: "deregistration-response",
        reject: true,
        poolHandle: message.poolHandle,
        poolElementId: message.poolElementId,
        error: { causes: [{ code: ErrorCause.RejectedDueToSecurity, info: EMPTY }] },
      });
      ctx.emit({
        type: "peer-protocol-error",
        assoc: rec.id,
        cause: ErrorCause.RejectedDueToSecurity,
        detail:
          `Deregistration of PE ${message.poolElementId} refused: it is not registered over this association`,
      });
      return;
    }
    if (entry !== undefined) ctx.removePe(now, entry, "deregistered", rec.id);
    // An unknown PE gets a plain response too (RSPLIB).
    ctx.sendAsap(rec.id, {
      type: "deregistration-response",
      reject: false,
      poolHandle: message.poolHandle,
      poolElementId: message.poolElementId,
    });
  }

  /** The PE as it will be stored, or why it is refused. */
  #check(
    rec: AssociationRecord,
    pe: PoolElementParameter,
  ): { element: PoolElementParameter; asap: TransportParameter | undefined } | Rejection {
    const cfg = this.#ctx.config;
    const ng = this.#ctx.profile === "ng";
    if (pe.asapTransport !== undefined && (!ng || pe.asapTransport.protocol !== "tcp")) {
      return {
        cause: ErrorCause.InvalidValues,
        reason: ng
          ? "an ASAP transport in a Registration must be TCP"
          : "a Registration must not carry an ASAP transport",
        field: "asap-transport",
      };
    }
    if (rec.remoteScope < this.#minScope) {
      return {
        cause: ErrorCause.InvalidValues,
        reason:
          `the association's address ${rec.remote.address} is below the minimum scope ${cfg.minAddressScope}`,
        field: undefined,
      };
    }
    const ut = pe.userTransport;
    const addresses = this.#userAddresses(rec, ut.addresses);
    if ("cause" in addresses) return addresses;
    const userTransport = addresses === ut.addresses ? ut : { ...ut, addresses };
    const policy = this.#withDistance(rec, pe.policy);
    const asap = this.#asapTransport(rec, pe.asapTransport);
    const element: PoolElementParameter = userTransport === ut && policy === pe.policy &&
        pe.asapTransport === undefined
      ? pe
      : {
        id: pe.id,
        homeRegistrarId: pe.homeRegistrarId,
        registrationLife: pe.registrationLife,
        userTransport,
        policy,
      };
    return { element, asap };
  }

  /**
   * The PE's ASAP transport: over SCTP, and in the RFC profile over TCP too, the association's
   * remote end (RSPLIB's PEs use one SCTP endpoint for everything, and RSPLIB requires the
   * parameter in ENRP); over TCP in the NG profile only a listener the PE names in its
   * Registration (NG extension), at the
   * association's address unless `userAddressCheck` is "trust", and `undefined` otherwise (an
   * ephemeral TCP port is no endpoint anyone can connect to).
   */
  #asapTransport(
    rec: AssociationRecord,
    advertised: TransportParameter | undefined,
  ): TransportParameter | undefined {
    // Over SCTP the association's remote end is the PE's own endpoint (every address of a
    // multi-homed PE); so it is over TCP in the RFC profile, as RSPLIB's registrars record it.
    if (this.#ctx.profile === "rfc" || rec.transport !== "tcp") {
      return rec.observedAsapTransport(this.#minScope);
    }
    if (advertised === undefined) return undefined;
    if (this.#ctx.config.userAddressCheck === "trust") {
      const addresses = advertised.addresses.filter((a) => addressScopeRank(a) >= this.#minScope);
      if (addresses.length > 0) {
        return addresses.length === advertised.addresses.length
          ? advertised
          : { ...advertised, addresses };
      }
    }
    const a = rec.asapTransport;
    if (a !== undefined && a.port === advertised.port) return a; // one object per association
    return rec.asapTransport = {
      protocol: "tcp",
      port: advertised.port,
      transportUse: "data",
      addresses: [rec.remote.address],
    };
  }

  #userAddresses(
    rec: AssociationRecord,
    addresses: readonly string[],
  ): readonly string[] | Rejection {
    const cfg = this.#ctx.config;
    const min = this.#minScope;
    // The association's addresses: every address of a multi-homed SCTP peer, else the remote.
    const own = rec.peerAddresses;
    if (cfg.userAddressCheck === "replace") {
      const replaced = own.filter((a, i) => i === 0 || addressScopeRank(a) >= min);
      return sameList(addresses, replaced) ? addresses : replaced;
    }
    let inScope = 0, matching = 0;
    for (const a of addresses) {
      if (addressScopeRank(a) < min) continue;
      inScope++;
      if (own.includes(a)) matching++;
    }
    if (inScope === 0) {
      return {
        cause: ErrorCause.InvalidValues,
        reason: `no user transport address has at least the minimum scope ${cfg.minAddressScope}`,
        field: "user-transport",
      };
    }
    if (cfg.userAddressCheck === "trust") {
      return inScope === addresses.length
        ? addresses
        : addresses.filter((a) => addressScopeRank(a) >= min);
    }
    if (matching === 0) {
      return {
        cause: ErrorCause.RejectedDueToSecurity,
        reason: `no user transport address is an address of the association (${
          own.join(", ")
        }; userAddressCheck "association")`,
        field: undefined,
      };
    }
    return matching === addresses.length
      ? addresses
      : addresses.filter((a) => addressScopeRank(a) >= min && own.includes(a));
  }

  /** DPF policies get the distance measured on the association (half the smoothed RTT). */
  #withDistance(rec: AssociationRecord, policy: PolicyParameter): PolicyParameter {
    const info = policyTypeInfo(policy.type);
    if (info === undefined || !info.fields.includes("distance")) return policy;
    const step = this.#ctx.config.distanceStep;
    const half = rec.srtt === undefined ? 0 : rec.srtt / 2;
    const distance = Math.min(0xffffffff, Math.round(half / step) * step);
    return distance === policy.distance ? policy : { ...policy, distance };
  }

  #reject(
    rec: AssociationRecord,
    message: RegistrationMessage,
    raw: Uint8Array,
    rejection: Rejection,
  ): void {
    const ctx = this.#ctx;
    const info = carriesParameter(rejection.cause)
      ? offendingParameter(raw, rejection.field, ctx.idBytes)
      : EMPTY;
    ctx.stats.registrationsRejected++;
    ctx.emit({
      type: "registration-rejected",
      poolHandle: message.poolHandle,
      peId: message.poolElement.id,
      assoc: rec.id,
      cause: rejection.cause,
      reason: rejection.reason,
    });
    ctx.sendAsap(rec.id, {
      type: "registration-response",
      reject: true,
      poolHandle: message.poolHandle,
      poolElementId: message.poolElement.id,
      error: { causes: [{ code: rejection.cause, info }] },
    });
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
