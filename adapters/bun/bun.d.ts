// The members of Bun's global that the Bun adapter uses, declared here (as Hono's adapters do)
// so that `deno check` can type-check the adapter without Bun's type package.

/** A TCP socket as Bun's handlers see it. */
export interface BunSocket<T> {
  data: T;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  write(data: Uint8Array): number;
  shutdown(halfClose?: boolean): void;
  end(): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  setNoDelay(noDelay?: boolean): boolean;
}

/** Bun's socket handler callbacks. */
export interface BunSocketHandler<T> {
  open?(socket: BunSocket<T>): void;
  data?(socket: BunSocket<T>, data: Uint8Array): void;
  drain?(socket: BunSocket<T>): void;
  end?(socket: BunSocket<T>): void;
  close?(socket: BunSocket<T>, error?: Error & { code?: string }): void;
  error?(socket: BunSocket<T>, error: Error & { code?: string }): void;
  connectError?(socket: BunSocket<T>, error: Error & { code?: string }): void;
}

/** A listening TCP socket. */
export interface BunTcpListener {
  readonly hostname: string;
  readonly port: number;
  stop(closeActiveConnections?: boolean): void;
}

/** A UDP socket. */
export interface BunUdpSocket {
  readonly hostname: string;
  readonly port: number;
  readonly address: { address: string; port: number; family: string };
  send(data: Uint8Array, port: number, address: string): boolean;
  addMembership(group: string, iface?: string): boolean;
  dropMembership(group: string, iface?: string): boolean;
  setMulticastTTL(ttl: number): number;
  setMulticastLoopback(on: boolean): boolean;
  setMulticastInterface(iface: string): boolean;
  close(): void;
}

/** The part of Bun's global used here. */
export interface BunApi {
  listen<T>(options: {
    hostname: string;
    port: number;
    allowHalfOpen?: boolean;
    socket: BunSocketHandler<T>;
  }): BunTcpListener;
  connect<T>(options: {
    hostname: string;
    port: number;
    allowHalfOpen?: boolean;
    socket: BunSocketHandler<T>;
  }): Promise<BunSocket<T>>;
  udpSocket(options: {
    hostname: string;
    port: number;
    socket?: {
      data?(socket: BunUdpSocket, data: Uint8Array, port: number, address: string): void;
    };
  }): Promise<BunUdpSocket>;
}
