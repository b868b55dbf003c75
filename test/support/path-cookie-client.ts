import { TestResponse } from './client.ts';

interface StoredCookie {
  value: string;
  path: string;
}

/**
 * A client that keeps cookies the way a browser does with respect to `Path` (RFC 6265 5.1.4):
 * a cookie is sent only to request paths under its Path, and a cookie set without one gets the
 * directory of the request. Requests take full paths (`/auth/login`) on one origin; every
 * response's Set-Cookie lines are kept in `setCookies` for assertions. No redirect is followed.
 */
export class PathCookieClient {
  private readonly jar = new Map<string, StoredCookie>();
  /** Every Set-Cookie line received, in order. */
  readonly setCookies: string[] = [];

  constructor(
    readonly origin: string,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {}

  async request(method: string, target: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<TestResponse> {
    const url = new URL(target, this.origin);
    if (url.origin !== this.origin) throw new Error(`${target} is not on ${this.origin}`);
    const cookie = [...this.jar]
      .filter(([, c]) => pathMatches(url.pathname, c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
    const headers: Record<string, string> = { ...this.defaultHeaders, ...init.headers, ...(cookie ? { cookie } : {}) };
    const response = await fetch(url, { method, headers, body: init.body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) || defaultPath(url.pathname);
      const expired = attributes.some((a) => /^max-age=0$|^expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, { value, path });
    }
    return new TestResponse(response.status, response.headers, await response.text());
  }

  get(target: string): Promise<TestResponse> {
    return this.request('GET', target);
  }

  postForm(target: string, fields: Record<string, string>): Promise<TestResponse> {
    return this.request('POST', target, {
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  /** The names of the cookies this client would send to `path`. */
  cookiesFor(path: string): string[] {
    return [...this.jar].filter(([, c]) => pathMatches(path, c.path)).map(([name]) => name);
  }
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function defaultPath(requestPath: string): string {
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

/** Every href, action, src and formaction value of a page, in order. */
export function pathsInPage(page: string): string[] {
  return [...page.matchAll(/\s(?:href|action|src|formaction)="([^"]*)"/gi)].map((m) => (m[1] as string).replace(/&amp;/g, '&'));
}

/** The action of the page's form whose action contains `fragment`. */
export function formAction(page: string, fragment: string): string {
  const action = [...page.matchAll(/<form[^>]*\saction="([^"]*)"/gi)]
    .map((m) => (m[1] as string).replace(/&amp;/g, '&'))
    .find((a) => a.includes(fragment));
  if (!action) throw new Error(`no form posting to ${fragment} in the page`);
  return action;
}

/** The href of the page's link whose href contains `fragment`. */
export function linkHref(page: string, fragment: string): string {
  const href = [...page.matchAll(/<a[^>]*\shref="([^"]*)"/gi)]
    .map((m) => (m[1] as string).replace(/&amp;/g, '&'))
    .find((h) => h.includes(fragment));
  if (!href) throw new Error(`no link to ${fragment} in the page`);
  return href;
}
