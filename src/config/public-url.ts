import type { EnvReader } from './parse.ts';

/**
 * Where Latchkey lives: PUBLIC_URL's origin and, optionally, a path it is served under
 * (`https://example.com/auth`). Everything else in the code writes *app paths* (`/login`,
 * `/reset-password`), and the few functions here turn them into what leaves the process.
 */
export interface PublicLocation {
  /** PUBLIC_URL, normalised: the origin plus the base path without a trailing slash (or "/" without one). */
  publicUrl: URL;
  /** "" or a path such as "/auth": no trailing slash, no empty, "." or ".." segment, nothing to percent-decode. */
  basePath: string;
}

const SEGMENTS = /^(\/[A-Za-z0-9._~-]+)+$/;

/** Reads PUBLIC_URL (an origin, optionally with a path), recording a problem that names it. */
export function readPublicLocation(read: EnvReader): PublicLocation {
  const url = read.url('PUBLIC_URL', 'http://localhost:3000', ['http:', 'https:']);
  if (url.search || url.hash || url.username || url.password) {
    read.problems.push(
      `PUBLIC_URL must be an origin, optionally with a path (https://example.com/auth), without query, fragment or credentials, got "${url.href}"`,
    );
    return { publicUrl: new URL(url.origin), basePath: '' };
  }
  const basePath = url.pathname.replace(/\/+$/, '');
  if (basePath !== '' && (!SEGMENTS.test(basePath) || basePath.split('/').some((s) => s === '.' || s === '..'))) {
    read.problems.push(
      `PUBLIC_URL's path must be one or more segments of letters, digits, ".", "_", "~" or "-" (e.g. https://example.com/auth), got "${url.pathname}"`,
    );
    return { publicUrl: new URL(url.origin), basePath: '' };
  }
  return { publicUrl: new URL(`${url.origin}${basePath || '/'}`), basePath };
}

/** An app path (`/login?next=%2F`) as the path a browser requests (`/auth/login?next=%2F`). */
export function pathUnderBase(basePath: string, appPath: string): string {
  if (!appPath.startsWith('/')) throw new Error(`an app path starts with "/", got "${appPath}"`);
  return basePath + appPath;
}

/**
 * The absolute URL of an app path, from PUBLIC_URL only (S9): `publicLink(config.publicUrl,
 * '/reset-password/x')` is `https://example.com/auth/reset-password/x`. The one way to build a link
 * that leaves the process (mails, the OIDC issuer, redirects to Latchkey from elsewhere).
 */
export function publicLink(publicUrl: URL, appPath: string): string {
  return publicUrl.origin + pathUnderBase(basePathOf(publicUrl), appPath);
}

/** The base path of a PUBLIC_URL ("" for an origin). */
export function basePathOf(publicUrl: URL): string {
  return publicUrl.pathname.replace(/\/+$/, '');
}

/**
 * The app path of a request path, or undefined when the request is outside the base path:
 * `/auth` and `/auth/` are `/`, `/auth/login?x` is `/login?x`, `/authx` and `/login` are outside.
 */
export function appPathOf(basePath: string, requestPath: string): string | undefined {
  if (basePath === '') return requestPath;
  if (!requestPath.startsWith(basePath)) return undefined;
  const rest = requestPath.slice(basePath.length);
  if (rest === '') return '/';
  if (rest.startsWith('/')) return rest;
  if (rest.startsWith('?')) return `/${rest}`;
  return undefined;
}
