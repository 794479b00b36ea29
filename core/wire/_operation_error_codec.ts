// Internal codec of the Operation Error parameter. Cause information stays raw
// bytes: nothing embedded in it is decoded, so the work is linear in the
// parameter's size however deeply the embedded bytes nest.

import type { Reader } from "./_reader.ts";
import { checkBytes, checkU16, type Writer } from "./_writer.ts";
import type { OperationError, OperationErrorCause } from "./operation_error.ts";
import { ParameterType } from "./parameter_type.ts";

/** Reads an Operation Error parameter at `p` with Length `l`. */
export function readOperationError(r: Reader, p: number, l: number): OperationError {
  const end = p + l;
  const causes: OperationErrorCause[] = [];
  let q = p + 4;
  while (q < end) {
    if (end - q < 4) {
      r.fail(
        "truncated-parameter",
        q,
        `${end - q} byte(s) at offset ${q} are too few for an error cause header`,
        p,
        end,
      );
    }
    const code = r.u16(q), cl = r.u16(q + 2);
    if (cl < 4 || q + cl > end) {
      r.fail(
        "bad-length",
        q,
        `error cause length ${cl} at offset ${q} ${
          cl < 4 ? "is shorter than the 4-byte header" : "runs past the Operation Error"
        }`,
        p,
        end,
      );
    }
    const next = q + ((cl + 3) & ~3);
    if (next > end && q + cl !== end) {
      r.fail(
        "bad-padding",
        q,
        `the Operation Error ending at offset ${end} cuts into the padding of the cause at offset ${q}`,
        p,
        end,
      );
    }
    causes.push({ code, info: r.copy(q + 4, q + cl) });
    q = next;
  }
  if (causes.length === 0) {
    r.fail("invalid-value", p, `the Operation Error at offset ${p} has no cause`, p, end);
  }
  return { causes };
}

/** Writes an Operation Error parameter (one or more causes, each padded). */
export function writeOperationError(w: Writer, error: OperationError): void {
  if (error === null || typeof error !== "object" || !Array.isArray(error.causes)) {
    throw w.type("the Operation Error must be an object with a causes array");
  }
  const causes = error.causes;
  if (causes.length === 0) throw w.range("the Operation Error has no cause");
  const start = w.begin(ParameterType.OperationError);
  for (let i = 0; i < causes.length; i++) {
    const c = causes[i]!;
    checkU16(w, c.code, "error cause code");
    checkBytes(w, c.info, "error cause info");
    const cs = w.begin(c.code);
    w.ensure(c.info.length);
    w.bytes(c.info);
    w.finish(cs);
  }
  w.finish(start);
}
