import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { RETURN_TO_MAX_LENGTH } from '../flows/return-to.ts';
import type { HttpKit } from './kit.ts';

/** Query fields of every page that takes a `return_to` (`next` is its older name, still accepted). */
export const ReturnToQuery = {
  return_to: Type.Optional(Type.String({ maxLength: RETURN_TO_MAX_LENGTH })),
  next: Type.Optional(Type.String({ maxLength: RETURN_TO_MAX_LENGTH })),
};

/** The request's `return_to` (or `next`) when the S11 rule allows it; undefined otherwise. */
export function returnToOf(kit: HttpKit, request: FastifyRequest): string | undefined {
  const query = request.query as { return_to?: unknown; next?: unknown } | undefined;
  if (query?.return_to !== undefined) return kit.returnTo.check(query.return_to);
  return kit.returnTo.check(query?.next);
}
