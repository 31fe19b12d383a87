// Route schemas compiled when a route first needs one, not all while the server gets ready: ajv's code
// generation for every route's body, query and params was ≈ 0.3 s of CPU of each start (restart →
// /healthz, and each of the ~100 agents `npm test` starts), spent before the hall could answer.
// The validators are the same (fastify's own ajv compiler, the same options and shared schemas); a
// route pays its compile (a few milliseconds) once, on its first request. Not warmed up after start:
// most starts (tests, a restart at night) use a handful of the routes. The hot paths (the kiosk's press,
// the counter's call) are compiled at start all the same (`eager`): their first request after a restart
// is as fast as the others.
import { AjvCompiler } from '@fastify/ajv-compiler';

interface Validate {
  (data: unknown): unknown;
  errors?: unknown;
}
export type RouteSchema = { schema: unknown; method?: string; url?: string; httpPart?: string };
type Compile = (route: RouteSchema) => Validate;
type BuildCompiler = (externalSchemas: unknown, options: unknown) => Compile;

export interface LazyValidators {
  /** for fastify's `schemaController.compilersFactory.buildValidator` */
  buildValidator: BuildCompiler;
  /** validators not compiled yet */
  readonly pending: number;
  /** compiles every pending validator now; throws the first schema ajv refuses (the tests' eager check) */
  compileAll(): void;
}

export function lazyValidators(opts: { eager?: (route: RouteSchema) => boolean } = {}): LazyValidators {
  const factory = AjvCompiler() as unknown as BuildCompiler;
  const pending = new Set<() => void>();
  return {
    buildValidator(externalSchemas, options) {
      const compile = factory(externalSchemas, options);
      return (route) => {
        if (opts.eager?.(route)) return compile(route);
        let validate: Validate | undefined;
        const ensure = () => {
          validate ??= compile(route);
          pending.delete(ensure);
          return validate;
        };
        pending.add(ensure);
        // fastify reads the errors from the function it was given: carried over from ajv's after each call
        const lazy: Validate = (data) => {
          const v = ensure();
          const ok = v(data);
          lazy.errors = v.errors;
          return ok;
        };
        return lazy;
      };
    },
    get pending() {
      return pending.size;
    },
    compileAll() {
      for (const ensure of [...pending]) ensure();
    },
  };
}
