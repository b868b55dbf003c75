/**
 * A small cookie-keeping HTTP client over real fetch, for driving the pages and the API like a
 * browser would (no redirects followed, so tests see every 303).
 */
export class TestClient {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {}

  async request(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...this.defaultHeaders, ...init.headers };
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (cookie && !('cookie' in headers)) headers.cookie = cookie;
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body: init.body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    return new TestResponse(response.status, response.headers, text);
  }

  get(path: string, headers?: Record<string, string>): Promise<TestResponse> {
    return this.request('GET', path, { headers });
  }

  postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<TestResponse> {
    return this.request('POST', path, {
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
  }

  postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<TestResponse> {
    return this.request('POST', path, {
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }

  /** GETs a page, then posts its form with the page's CSRF token added. */
  async submitForm(pagePath: string, action: string, fields: Record<string, string>): Promise<TestResponse> {
    const page = await this.get(pagePath);
    return this.postForm(action, { _csrf: page.csrfToken(), ...fields });
  }
}

export class TestResponse {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly text: string,
  ) {}

  json<T = any>(): T {
    return JSON.parse(this.text) as T;
  }

  csrfToken(): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(this.text);
    if (!match) throw new Error(`no CSRF field in page (status ${this.status})`);
    return match[1] as string;
  }

  get location(): string | null {
    return this.headers.get('location');
  }
}
