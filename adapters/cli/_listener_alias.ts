// A role seen through renamed listeners. A driver's listener names are unique, but a tool may
// listen on several addresses for the same purpose (ASAP on 127.0.0.1 and ::1): it names them
// "asap", "asap#2", ... and the role sees every one of them as "asap".

import type { AssociationInfo, Role } from "../../core/role.ts";

/** Name of the n-th (0-based) listener of a group: `asap`, `asap#2`, `asap#3`, ... */
export function listenerName(group: string, index: number): string {
  return index === 0 ? group : `${group}#${index + 1}`;
}

/** The group a listener name belongs to (`asap#2` → `asap`). */
export function listenerGroup(name: string): string {
  const hash = name.indexOf("#");
  return hash < 0 ? name : name.slice(0, hash);
}

/**
 * Wraps a role so that associations accepted on `group#n` listeners reach it as accepted on
 * `group`. Every other call goes straight to the role.
 */
export function withListenerGroups<E>(role: Role<E>): Role<E> {
  const wrapped: Role<E> = {
    handleAssociationUp(now, assoc, info: AssociationInfo) {
      const name = info.listener;
      role.handleAssociationUp(
        now,
        assoc,
        name === undefined || !name.includes("#")
          ? info
          : { ...info, listener: listenerGroup(name) },
      );
    },
    handleMessage: role.handleMessage.bind(role),
    handleAssociationDown: role.handleAssociationDown.bind(role),
    handleDatagram: role.handleDatagram.bind(role),
    handleTimeout: role.handleTimeout.bind(role),
    pollTransmit: role.pollTransmit.bind(role),
    pollTimeout: role.pollTimeout.bind(role),
    pollEvent: role.pollEvent.bind(role),
  };
  if (role.handleSendFailed !== undefined) {
    wrapped.handleSendFailed = role.handleSendFailed.bind(role);
  }
  if (role.handleWritable !== undefined) wrapped.handleWritable = role.handleWritable.bind(role);
  if (role.handleRttSample !== undefined) wrapped.handleRttSample = role.handleRttSample.bind(role);
  return wrapped;
}
