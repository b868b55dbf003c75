/** Who is asking: recorded in audit events and used for per-client limits. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}
