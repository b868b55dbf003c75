import type { RouteOptions } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { TestService } from './app.ts';

export type JsonObject = Record<string, unknown>;
export interface DocumentedResponse {
  description: string;
  content?: Record<string, { schema?: JsonObject; examples?: Record<string, { value: unknown }> }>;
  'x-error-codes'?: string[];
}
export interface DocumentedOperation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: JsonObject[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonObject }> };
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, DocumentedResponse>;
}
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, DocumentedOperation>>;
  components: { schemas: Record<string, JsonObject>; securitySchemes: Record<string, JsonObject> };
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The document a running service serves. */
export async function fetchDocument(service: TestService, path = '/api/openapi.json'): Promise<OpenApiDocument> {
  const response = await fetch(service.at(path));
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as OpenApiDocument;
}

/** Every route the service registers (built again from its deps), HEAD routes left out. */
export async function registeredRoutes(service: TestService): Promise<RouteOptions[]> {
  const routes: RouteOptions[] = [];
  const app = await buildApp(service.deps, { onRoute: (route) => void routes.push(route) });
  await app.ready();
  await app.close();
  return routes.filter((route) => [route.method].flat().some((m) => m !== 'HEAD'));
}

/** `METHOD /path` of each operation in the document, in the route's own form (`/api/passkeys/:id`). */
export function documentedOperations(document: OpenApiDocument): Map<string, DocumentedOperation> {
  const operations = new Map<string, DocumentedOperation>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) operations.set(`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`, operation);
    }
  }
  return operations;
}
