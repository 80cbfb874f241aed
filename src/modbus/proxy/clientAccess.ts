/**
 * Who may talk to a proxy: an allow list of addresses and CIDR ranges (IPv4 and IPv6; an IPv4 client
 * seen as ::ffff:a.b.c.d counts as a.b.c.d). Bad entries are reported when the options are read.
 */
import net from 'node:net';

export function normaliseClient(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** A problem with one allow-list entry, or undefined when it is an address or a CIDR range. */
export function clientEntryProblem(entry: string): string | undefined {
  const [ip, bits, more] = entry.split('/');
  if (more !== undefined || ip === undefined) return `"${entry}" is not an address or a CIDR range like 192.168.1.0/24`;
  const family = net.isIP(ip);
  if (family === 0) return `"${entry}" is not an IP address (write 192.168.1.10 or 192.168.1.0/24)`;
  if (bits !== undefined) {
    const n = Number(bits);
    if (!Number.isInteger(n) || n < 0 || n > (family === 4 ? 32 : 128)) return `"${entry}": /${bits} is not a prefix length for IPv${family}`;
  }
  return undefined;
}

export class ClientAllowList {
  private readonly list = new net.BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [ip = '', bits] = entry.split('/');
      const type = net.isIP(ip) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(ip, type);
      else this.list.addSubnet(ip, Number(bits), type);
    }
  }

  allows(address: string | undefined): boolean {
    if (address === undefined) return false;
    const a = normaliseClient(address);
    return this.list.check(a, net.isIP(a) === 6 ? 'ipv6' : 'ipv4');
  }
}

export const LOOPBACK_CLIENTS = ['127.0.0.0/8', '::1'];
export const PRIVATE_CLIENTS = [...LOOPBACK_CLIENTS, '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fe80::/10'];
