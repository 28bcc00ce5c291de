/**
 * IP addresses as the EndpointSlice API wants them: the family decides `addressType`, and addresses are written
 * in canonical form (lower-case, RFC 5952 zero compression). Forms whose value is ambiguous are refused rather
 * than guessed: an IPv4 octet with a leading zero (octal to some parsers, decimal to others), an IPv4-mapped IPv6
 * address (Go calls it IPv4, the text says IPv6), and an IPv6 zone (`%eth0`, not allowed in an EndpointSlice).
 */

export type AddressFamily = 'IPv4' | 'IPv6';

export type ParsedIP = { ok: true; family: AddressFamily; canonical: string } | { ok: false; reason: string };

function parseIPv4Octets(text: string): number[] | string {
  const parts = text.split('.');
  if (parts.length !== 4) return 'not an IPv4 address';
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return 'not an IPv4 address';
    if (part.length > 1 && part.startsWith('0')) return 'an IPv4 octet has a leading zero, which parsers read as octal or decimal';
    const value = Number(part);
    if (value > 255) return 'an IPv4 octet is above 255';
    octets.push(value);
  }
  return octets;
}

/** The eight 16-bit groups of an IPv6 address, or why the text is not one. */
function parseIPv6Groups(text: string): number[] | string {
  if (text.includes('%')) return 'an IPv6 zone (%...) is not allowed in an EndpointSlice';
  let head = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4Octets(text.slice(lastColon + 1));
    if (typeof v4 === 'string') return v4;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return 'not an IPv6 address';
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const left = parse(halves[0]);
  const right = halves.length === 2 ? parse(halves[1]) : [];
  if (!left || !right) return 'not an IPv6 address';
  const given = left.length + right.length + tail.length;
  if (halves.length === 2) {
    if (given > 7) return 'not an IPv6 address';
    return [...left, ...new Array<number>(8 - given).fill(0), ...right, ...tail];
  }
  if (given !== 8) return 'not an IPv6 address';
  return [...left, ...tail];
}

function formatIPv6(groups: number[]): string {
  // RFC 5952: compress the longest run of two or more zero groups (the first one on a tie).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * Why kube-apiserver rejects `text` (a valid address) as an endpoint address, or undefined when it accepts it.
 * Mirrors ValidateEndpointIP in k8s.io/kubernetes pkg/apis/core/validation (used for Endpoints and EndpointSlice
 * addresses): Go's net.IP IsUnspecified, IsLoopback, IsLinkLocalUnicast and IsLinkLocalMulticast, with the
 * server's own wording of each range.
 */
export function rejectedEndpointAddress(text: string): string | undefined {
  const parsed = parseIP(text);
  if (!parsed.ok) return undefined;
  if (parsed.family === 'IPv4') {
    const [a, b, c] = parsed.canonical.split('.').map(Number);
    if (parsed.canonical === '0.0.0.0') return `may not be unspecified (${parsed.canonical})`;
    if (a === 127) return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
    if (a === 169 && b === 254) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
    if (a === 224 && b === 0 && c === 0) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
    return undefined;
  }
  const groups = parseIPv6Groups(parsed.canonical) as number[];
  if (groups.every((g) => g === 0)) return `may not be unspecified (${parsed.canonical})`;
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
  if ((groups[0] & 0xffc0) === 0xfe80) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  // Go: ip[0] == 0xff && ip[1]&0x0f == 0x02 (multicast with link-local scope, whatever its flags).
  if ((groups[0] & 0xff0f) === 0xff02) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
  return undefined;
}

export function parseIP(text: string): ParsedIP {
  const trimmed = text.trim();
  if (trimmed !== text || text === '') return { ok: false, reason: 'not an IP address' };
  if (!text.includes(':')) {
    const v4 = parseIPv4Octets(text);
    return typeof v4 === 'string' ? { ok: false, reason: v4 } : { ok: true, family: 'IPv4', canonical: v4.join('.') };
  }
  const groups = parseIPv6Groups(text);
  if (typeof groups === 'string') return { ok: false, reason: groups };
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return { ok: false, reason: 'an IPv4-mapped IPv6 address is IPv4 to Kubernetes but IPv6 in form; write it as plain IPv4' };
  }
  return { ok: true, family: 'IPv6', canonical: formatIPv6(groups) };
}
