import { isIP } from 'node:net';
import type { EnvReader } from './parse.ts';

// The settings of how the service meets the web: proxies in front of it, origins, the cookie domain.

/** TRUST_PROXY: false, a hop count, or a list of proxy addresses/CIDRs (as Fastify's trustProxy takes them). */
export function parseTrustProxy(read: EnvReader): string | number | boolean {
  const value = read.raw('TRUST_PROXY');
  if (value === undefined || value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  const parts = value.split(',').map((s) => s.trim());
  const ipish = /^[0-9a-fA-F:.]+(\/\d{1,3})?$|^(loopback|linklocal|uniquelocal)$/;
  if (!parts.every((p) => ipish.test(p))) {
    read.problems.push(
      `TRUST_PROXY must be a hop count or a comma-separated list of proxy addresses/CIDRs (or loopback, linklocal, uniquelocal), got "${value}"`,
    );
    return false;
  }
  return parts.join(',');
}

/** An http(s) origin written exactly as one (no path, query, fragment or credentials), or undefined. */
export function parseOrigin(entry: string): string | undefined {
  try {
    const url = new URL(entry);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return undefined;
    if (!/^https?:\/\/[^/?#\\@]+\/?$/i.test(entry)) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/** COOKIE_DOMAIN: a registrable-looking domain that PUBLIC_URL's host lies in, stored lowercase with its leading dot. */
export function parseCookieDomain(read: EnvReader, publicUrl: URL): string | undefined {
  const value = read.raw('COOKIE_DOMAIN');
  if (value === undefined) return undefined;
  const domain = value.toLowerCase().replace(/^\./, '');
  const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
  if (!new RegExp(`^(?:${label}\\.)+${label}$`).test(domain)) {
    read.problems.push(`COOKIE_DOMAIN must be a domain name with at least one dot, such as .example.com, got "${value}"`);
    return undefined;
  }
  const host = publicUrl.hostname.toLowerCase();
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) {
    read.problems.push(`COOKIE_DOMAIN needs PUBLIC_URL to use a domain name, not an IP address (${host})`);
    return undefined;
  }
  if (host !== domain && !host.endsWith(`.${domain}`)) {
    read.problems.push(`COOKIE_DOMAIN must contain the host of PUBLIC_URL (${host}), got "${value}"`);
    return undefined;
  }
  return `.${domain}`;
}
