// Human-readable text for the CLI tools' output and log lines.

import type { TransportParameter } from "../../core/wire/transport_parameter.ts";
import { formatEndpoint } from "./_args.ts";

/** A transport in words: `tcp 127.0.0.1:40000`, `sctp 10.0.0.1:5000,10.0.1.1:5000 data+control`. */
export function transportText(t: TransportParameter): string {
  const addresses = t.addresses.map((address) => formatEndpoint({ address, port: t.port }));
  return `${t.protocol} ${addresses.join(",")}${
    t.transportUse === "data+control" ? " data+control" : ""
  }`;
}
