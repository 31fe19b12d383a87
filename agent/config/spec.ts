/**
 * A tiny validator whose only job is precise messages for hand-edited config files:
 * `devices[2].transport.baudRate: expected one of 9600, 19200, got "fast"`.
 * Generic JSON-schema validators report every branch of a union, which hides the one line a
 * hall technician needs.
 */
export type Issue = { path: string; expected: string; got: unknown };
export type Spec<T> = { describe: string; check(value: unknown, path: string, issues: Issue[]): T };

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

export function formatIssue(issue: Issue): string {
  return `${issue.path || '(top level)'}: expected ${issue.expected}, got ${show(issue.got)}`;
}

const child = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

export function str(opts: { min?: number; max?: number; pattern?: RegExp; hint?: string } = {}): Spec<string> {
  const { min = 1, max = 500, pattern, hint } = opts;
  const describe = hint ?? `a text of ${min}–${max} characters`;
  return {
    describe,
    check(value, path, issues) {
      if (typeof value !== 'string' || value.length < min || value.length > max || (pattern && !pattern.test(value))) {
        issues.push({ path, expected: describe, got: value });
      }
      return value as string;
    },
  };
}

export function int(opts: { min?: number; max?: number } = {}): Spec<number> {
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = opts;
  const describe = `a whole number from ${min} to ${max}`;
  return {
    describe,
    check(value, path, issues) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        issues.push({ path, expected: describe, got: value });
      }
      return value as number;
    },
  };
}

export function bool(): Spec<boolean> {
  return {
    describe: 'true or false',
    check(value, path, issues) {
      if (typeof value !== 'boolean') issues.push({ path, expected: 'true or false', got: value });
      return value as boolean;
    },
  };
}

export function oneOf<const T extends string | number>(values: readonly T[]): Spec<T> {
  const describe = `one of ${values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : v)).join(', ')}`;
  return {
    describe,
    check(value, path, issues) {
      if (!values.includes(value as T)) issues.push({ path, expected: describe, got: value });
      return value as T;
    },
  };
}

export function list<T>(item: Spec<T>, opts: { min?: number; max?: number } = {}): Spec<T[]> {
  const { min = 0, max = 10_000 } = opts;
  const describe = `a list of ${min === 0 ? '' : `at least ${min} `}${item.describe}`;
  return {
    describe,
    check(value, path, issues) {
      if (!Array.isArray(value) || value.length < min || value.length > max) {
        issues.push({ path, expected: describe, got: value });
        return [];
      }
      return value.map((v, i) => item.check(v, child(path, i), issues));
    },
  };
}

type Fields = Record<string, Spec<unknown> | Optional<unknown>>;
type Optional<T> = { optional: true; spec: Spec<T>; fallback?: T };
type FieldValue<F> = F extends Optional<infer T> ? T : F extends Spec<infer T> ? T : never;
type ObjOf<F extends Fields> = { [K in keyof F as F[K] extends Optional<unknown> ? never : K]: FieldValue<F[K]> } & {
  [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: FieldValue<F[K]>;
};

export function optional<T>(spec: Spec<T>, fallback?: T): Optional<T> {
  return { optional: true, spec, fallback };
}

export function obj<F extends Fields>(fields: F, describe = 'an object'): Spec<ObjOf<F>> {
  return {
    describe,
    check(value, path, issues) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        issues.push({ path, expected: describe, got: value });
        return {} as ObjOf<F>;
      }
      const input = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(input)) {
        if (!(key in fields)) {
          issues.push({
            path: child(path, key),
            expected: `one of the known keys ${Object.keys(fields).join(', ')} (unknown key)`,
            got: input[key],
          });
        }
      }
      for (const [key, field] of Object.entries(fields)) {
        const raw = input[key];
        if ('optional' in field) {
          if (raw === undefined || raw === null) {
            if (field.fallback !== undefined) out[key] = field.fallback;
            continue;
          }
          out[key] = field.spec.check(raw, child(path, key), issues);
        } else {
          out[key] = field.check(raw, child(path, key), issues);
        }
      }
      return out as ObjOf<F>;
    },
  };
}

/** An object used as a map, e.g. a keymap { "0101": call }: every key and value is checked. */
export function record<V>(key: { pattern: RegExp; hint: string }, value: Spec<V>): Spec<Record<string, V>> {
  const describe = `an object mapping ${key.hint} to ${value.describe}`;
  return {
    describe,
    check(input, path, issues) {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        issues.push({ path, expected: describe, got: input });
        return {};
      }
      const out: Record<string, V> = {};
      for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
        if (!key.pattern.test(k)) issues.push({ path: child(path, k), expected: `a key that is ${key.hint}`, got: k });
        out[k] = value.check(v, child(path, k), issues);
      }
      return out;
    },
  };
}

/** A union told apart by one key, e.g. transport.type. */
export function tagged<K extends string, V extends Record<string, Spec<unknown>>>(
  tag: K,
  variants: V,
): Spec<{ [N in keyof V]: V[N] extends Spec<infer T> ? T : never }[keyof V]> {
  const names = Object.keys(variants);
  const describe = `an object with ${tag}: ${names.join(' | ')}`;
  return {
    describe,
    check(value, path, issues) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        issues.push({ path, expected: describe, got: value });
        return value as never;
      }
      const kind = (value as Record<string, unknown>)[tag];
      const variant = typeof kind === 'string' ? variants[kind] : undefined;
      if (!variant) {
        issues.push({ path: child(path, tag), expected: `one of ${names.map((n) => JSON.stringify(n)).join(', ')}`, got: kind });
        return value as never;
      }
      return variant.check(value, path, issues) as never;
    },
  };
}

export function literal<const T extends string>(value: T): Spec<T> {
  return oneOf([value]);
}
