import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Validate = ((...args: unknown[]) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type Serialize = (data: unknown) => string;
/** The shape of Fastify's compiler factories, without their Ajv types: (external schemas, options) => route => function. */
type Build<F> = (externalSchemas: unknown, options: unknown) => (route: unknown) => F;

/**
 * Fastify's own schema compilers (@fastify/ajv-compiler for request validation,
 * @fastify/fast-json-stringify-compiler for response serialisation, with the server's options),
 * each route's functions compiled when the route first uses them instead of when the route is
 * added, and the compilers themselves (Ajv and its plugins, about a hundred modules) loaded then.
 * Compiling the validators of every route up front was the largest part of the service's
 * start-up, although most routes of a running service see no request for a long while. The
 * functions are the same: only when they are compiled changes.
 *
 * A validator handed to Fastify compiles at its first use (Fastify reads `schemaEnv` before it
 * calls, so reading it compiles too) and then behaves as the compiled one: its `errors` and
 * `schemaEnv` are the compiled validator's.
 */
export function lazySchemaCompilers(): CompilersFactory {
  // Resolved from Fastify's own location: the compilers Fastify would use, in its versions.
  const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'));
  let validators: Build<Validate> | undefined;
  let serializers: Build<Serialize> | undefined;

  const buildValidator: Build<Validate> = (externalSchemas, options) => {
    let compile: ((route: unknown) => Validate) | undefined;
    return (route) => {
      let compiled: Validate | undefined;
      const validator = () => {
        validators ??= (fastifyRequire('@fastify/ajv-compiler') as () => Build<Validate>)();
        compile ??= validators(externalSchemas, options);
        compiled ??= compile(route);
        return compiled;
      };
      const lazy = ((...args: unknown[]) => validator()(...args)) as Validate;
      Object.defineProperties(lazy, {
        errors: { get: () => compiled?.errors, enumerable: true },
        schemaEnv: { get: () => validator().schemaEnv, enumerable: true },
      });
      return lazy;
    };
  };

  const buildSerializer: Build<Serialize> = (externalSchemas, options) => {
    let compile: ((route: unknown) => Serialize) | undefined;
    return (route) => {
      let compiled: Serialize | undefined;
      return (data) => {
        serializers ??= (fastifyRequire('@fastify/fast-json-stringify-compiler') as () => Build<Serialize>)();
        compile ??= serializers(externalSchemas, options);
        compiled ??= compile(route);
        return compiled(data);
      };
    };
  };

  return { buildValidator, buildSerializer } as unknown as CompilersFactory;
}
