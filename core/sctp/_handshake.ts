// The INIT / INIT-ACK half of the four-way handshake (RFC 9260 section 5.1): tags and initial
// TSNs, the INIT value, checks of a received INIT, and the INIT-ACK value with its state cookie.
// Shared by the endpoint (stateless INIT-ACK to a new peer) and the association (INIT collisions
// and restarts).

import type { TransportAddress } from "../role.ts";
import type { Rng } from "../rng.ts";
import { canonicalAddressText } from "./_address.ts";
import { encodeInit, type InitChunk } from "./_chunks.ts";
import type { CookieSealer } from "./state_cookie.ts";
import { encodeInitParameters, type InitParameters, ParamType } from "./_init_parameters.ts";
import { type SctpCause, SctpErrorCause } from "./error_cause.ts";
import type { SctpAssociationOptions } from "./options.ts";

/** What the handshake needs from the endpoint. */
export interface HandshakeContext {
  readonly rng: Rng;
  readonly options: Readonly<Required<SctpAssociationOptions>>;
  /** Our addresses listed in INIT and INIT-ACK (empty: the peer uses the packet's source). */
  readonly localAddresses: readonly string[];
  readonly sealer: CookieSealer;
}

/** A random non-zero verification tag. */
export function randomTag(rng: Rng): number {
  for (;;) {
    const t = rng.nextU32() >>> 0;
    if (t !== 0) return t;
  }
}

/** The receive window advertised when nothing is held. */
export function initialWindow(o: Readonly<Required<SctpAssociationOptions>>): number {
  return o.receiveBuffer - o.maxMessageSize;
}

/** The value of our INIT. */
export function initValue(ctx: HandshakeContext, tag: number, tsn: number): Uint8Array {
  const o = ctx.options;
  const families = new Set(ctx.localAddresses.map((a) => (a.includes(":") ? 6 : 5)));
  return encodeInit(
    {
      initiateTag: tag,
      arwnd: initialWindow(o),
      outboundStreams: o.outboundStreams,
      inboundStreams: o.inboundStreams,
      initialTsn: tsn,
    },
    encodeInitParameters(
      families.size > 0
        ? {
          addresses: ctx.localAddresses.length > 1 ? ctx.localAddresses : [],
          supportedAddressTypes: [...families].sort(),
        }
        : { addresses: [] },
    ),
  );
}

/**
 * Checks a received INIT or INIT-ACK: `"drop"` (silently discard), causes for an ABORT, or
 * `undefined` when it is usable.
 */
export function checkInit(
  init: InitChunk,
  params: InitParameters,
): "drop" | SctpCause[] | undefined {
  if (init.initiateTag === 0) return "drop";
  if (init.outboundStreams === 0 || init.inboundStreams === 0) {
    return [{ code: SctpErrorCause.InvalidMandatoryParameter, info: new Uint8Array(0) }];
  }
  if (params.malformed) {
    return [{
      code: SctpErrorCause.ProtocolViolation,
      info: TEXT.encode("Malformed INIT parameters"),
    }];
  }
  if (params.hostName) {
    return [{ code: SctpErrorCause.UnresolvableAddress, info: new Uint8Array(0) }];
  }
  return undefined;
}

/** The peer's addresses from a handshake chunk: the packet's source first, then those listed. */
export function peerAddresses(source: string, params: InitParameters): string[] {
  const out = [canonicalAddressText(source) ?? source];
  for (const a of params.addresses) if (!out.includes(a) && usable(a)) out.push(a);
  return out.slice(0, 32);
}

/** Whether an address listed by a peer may become a path (not unspecified, not multicast). */
function usable(a: string): boolean {
  if (a === "0.0.0.0" || a === "::" || a === "255.255.255.255") return false;
  const first = Number(a.split(".")[0]);
  if (!a.includes(":") && first >= 224) return false;
  if (a.startsWith("ff")) return false;
  return true;
}

/** Builds the value of an INIT-ACK answering `init` from `from`, with its state cookie. */
export function initAckValue(
  ctx: HandshakeContext,
  now: number,
  init: InitChunk,
  params: InitParameters,
  from: TransportAddress,
  localPort: number,
  peerPort: number,
  myTag: number,
  myTsn: number,
  tieLocalTag: number,
  tiePeerTag: number,
): Uint8Array {
  const o = ctx.options;
  const outbound = Math.min(o.outboundStreams, init.inboundStreams);
  const inbound = Math.min(o.inboundStreams, init.outboundStreams);
  const cookie = ctx.sealer.seal({
    createdAt: now,
    lifetime: o.cookieLifetime,
    localTag: myTag,
    peerTag: init.initiateTag,
    localTsn: myTsn,
    peerTsn: init.initialTsn,
    peerArwnd: init.arwnd,
    outboundStreams: outbound,
    inboundStreams: inbound,
    localPort,
    peerPort,
    tieLocalTag,
    tiePeerTag,
    remoteUdpPort: from.port,
    peerAddresses: peerAddresses(from.address, params),
  });
  const accepts = params.supportedAddressTypes;
  const addresses = ctx.localAddresses.length > 1
    ? ctx.localAddresses.filter((a) =>
      accepts === undefined ||
      accepts.includes(a.includes(":") ? ParamType.Ipv6Address : ParamType.Ipv4Address)
    )
    : [];
  return encodeInit(
    {
      initiateTag: myTag,
      arwnd: initialWindow(o),
      outboundStreams: o.outboundStreams,
      inboundStreams: o.inboundStreams,
      initialTsn: myTsn,
    },
    encodeInitParameters({ addresses, cookie, unrecognized: params.unrecognized }),
  );
}

const TEXT = new TextEncoder();
