import { isIP } from 'node:net';

/**
 * Whether an address names this machine: 127.0.0.0/8, ::1, or an IPv4-mapped loopback
 * (`::ffff:127.x.y.z`). Used with the socket's own address only, never a forwarded header.
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const lower = address.toLowerCase();
  if (isIP(lower) === 4) return lower.startsWith('127.');
  if (isIP(lower) !== 6) return false;
  if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped?.[1] !== undefined && isIP(mapped[1]) === 4 && mapped[1].startsWith('127.');
}

/** Whether a listen address accepts connections from other machines (anything but a loopback address). */
export function listensBeyondLoopback(host: string): boolean {
  return host !== 'localhost' && !isLoopbackAddress(host.replace(/^\[|\]$/g, ''));
}
