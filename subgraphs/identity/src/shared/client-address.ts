import { BlockList, isIP } from 'node:net';

/**
 * Which TCP peers may tell identity the client's address in `x-forwarded-for` (the gateway sets it
 * to the address it saw, replacing whatever the client sent). Entries: `loopback`, `private`
 * (RFC 1918, RFC 4193 and link-local ranges), a CIDR, or an address.
 */
export function trustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
    } else if (entry === 'private') {
      for (const [net, bits] of [
        ['10.0.0.0', 8],
        ['172.16.0.0', 12],
        ['192.168.0.0', 16],
        ['169.254.0.0', 16],
      ] as const)
        list.addSubnet(net, bits, 'ipv4');
      list.addSubnet('fc00::', 7, 'ipv6');
      list.addSubnet('fe80::', 10, 'ipv6');
    } else {
      const [address = '', bits] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(bits), family);
    }
  }
  return list;
}

/** @returns true when `entry` is a valid `trustedProxies` entry */
export function isTrustedProxyEntry(entry: string): boolean {
  if (entry === 'loopback' || entry === 'private') return true;
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

const plain = (address: string) =>
  address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;

function trusts(list: BlockList, address: string): boolean {
  const a = plain(address);
  const family = isIP(a);
  return family !== 0 && list.check(a, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client's address: walking `x-forwarded-for` from the right for as long as the hop that
 * reported it is a trusted proxy (as express's `trust proxy` does). A client that reaches identity
 * directly cannot choose its address by sending the header.
 * @returns the address, or `unknown` when there is no peer address at all
 */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | undefined,
  trusted: BlockList,
): string {
  if (!remoteAddress) return 'unknown';
  let address = plain(remoteAddress);
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  while (hops.length && trusts(trusted, address)) {
    const next = plain(hops.pop()!);
    if (!isIP(next)) break;
    address = next;
  }
  return address;
}
