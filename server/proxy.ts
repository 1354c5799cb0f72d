/**
 * Reverse proxies: `X-Forwarded-*` is honoured only from the configured peers. Koa runs with `proxy: true`, and
 * `forwardedFrom` strips those headers from every other peer before Koa reads them, so a client cannot make the
 * server hand out URLs to another host or claim another address for rate limiting and logs.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIPv4, type Socket } from 'node:net';

const FORWARDED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded'] as const;

export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #any: boolean;
  readonly #peers = new WeakMap<Socket, boolean>();

  /** Entries as in the config: addresses, CIDR blocks, `loopback`, `*`. */
  constructor(entries: readonly string[]) {
    this.#any = entries.includes('*');
    for (const entry of entries) {
      if (entry === '*') continue;
      if (entry === 'loopback') {
        this.#list.addSubnet('127.0.0.0', 8, 'ipv4');
        this.#list.addAddress('::1', 'ipv6');
        continue;
      }
      const [address, bits] = entry.split('/');
      const type = isIPv4(address) ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, Number(bits), type);
    }
  }

  trusts(address: string | undefined): boolean {
    if (this.#any) return true;
    if (!address) return false;
    const v4 = unmapped(address);
    return this.#list.check(v4, isIPv4(v4) ? 'ipv4' : 'ipv6');
  }

  /**
   * The client's address: the socket's, or — from a trusted proxy — the last X-Forwarded-For hop that is not
   * itself a trusted proxy (the left part of the header is whatever the client wrote).
   */
  clientAddress(req: IncomingMessage): string {
    const peer = unmapped(req.socket.remoteAddress ?? '');
    const header = req.headers['x-forwarded-for'];
    if (!header || !this.#trustsPeer(req.socket)) return peer;
    const hops = (Array.isArray(header) ? header.join(',') : header).split(',').map((h) => unmapped(h.trim())).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) if (!this.trusts(hops[i])) return hops[i];
    return hops[0] ?? peer;
  }

  /** Removes the forwarding headers of a request from an untrusted peer (before Koa reads them). */
  forwardedFrom(req: IncomingMessage): void {
    if (this.#trustsPeer(req.socket)) return;
    for (const h of FORWARDED) if (h in req.headers) delete req.headers[h];
  }

  /**
   * `trusts` for a connection's peer, decided once per connection: a keep-alive connection carries many requests,
   * and a BlockList check costs more than the rest of a cached tile's front door (bench/RESULTS.md).
   */
  #trustsPeer(socket: Socket): boolean {
    let trusted = this.#peers.get(socket);
    if (trusted === undefined) this.#peers.set(socket, (trusted = this.trusts(socket.remoteAddress)));
    return trusted;
  }
}

/** `::ffff:10.1.2.3` → `10.1.2.3`: an IPv4 peer on a dual-stack socket. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}
