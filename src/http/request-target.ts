/**
 * An absolute-form request target (`POST http://host/api/login HTTP/1.1`, RFC 9112 3.2.2) as the
 * origin-form path and query. Fastify's router already routes absolute-form targets by their path,
 * but `request.url` keeps the scheme and host, so every check keyed on the path (the API and form
 * guards, CSRF, error format, log redaction of `/reset-password/<token>`) would misjudge them.
 * The authority is dropped: links come from PUBLIC_URL only (S9).
 */
export function originForm(url: string): string {
  if (url.startsWith('/')) return url;
  const match = /^https?:\/\/[^/?#]*([^#]*)/i.exec(url);
  if (!match) return url;
  const rest = match[1] as string;
  return rest.startsWith('/') ? rest : `/${rest}`;
}
