// Small checks for protocol options, in the config validator's style: one issue per mistake, with
// the key path and what was expected.
import type { OptionIssue } from './types.js';

export function knownKeys(o: Record<string, unknown>, keys: readonly string[], path: string, issues: OptionIssue[]): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k))
      issues.push({ path: `${path}.${k}`, expected: `one of the known keys ${keys.join(', ') || '(none)'} (unknown key)`, got: o[k] });
}

export function intOpt(
  o: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
  path: string,
  issues: OptionIssue[],
  why = '',
): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    issues.push({ path: `${path}.${key}`, expected: `a whole number from ${min} to ${max}${why}`, got: v });
    return undefined;
  }
  return v;
}

export function oneOfOpt<T extends string | number>(
  o: Record<string, unknown>,
  key: string,
  values: readonly T[],
  path: string,
  issues: OptionIssue[],
): T | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!values.includes(v as T)) {
    issues.push({ path: `${path}.${key}`, expected: `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, got: v });
    return undefined;
  }
  return v as T;
}

export function strOpt(o: Record<string, unknown>, key: string, max: number, path: string, issues: OptionIssue[]): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) {
    issues.push({ path: `${path}.${key}`, expected: `a text of 1–${max} characters`, got: v });
    return undefined;
  }
  return v;
}

export function objOpt(o: Record<string, unknown>, key: string, path: string, issues: OptionIssue[]): Record<string, unknown> | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    issues.push({ path: `${path}.${key}`, expected: 'an object', got: v });
    return undefined;
  }
  return v as Record<string, unknown>;
}
