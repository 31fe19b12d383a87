// Writes contracts/schema/<kind>.v<N>.schema.json from contracts/records.ts (the TypeBox source).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BatchV1, CONTRACTS } from './records.js';

export function schemaFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (name: string, schema: unknown) => {
    const doc = { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: `hallq/${name}`, ...(schema as object) };
    out[`${name}.schema.json`] = `${JSON.stringify(doc, null, 2)}\n`;
  };
  for (const [kind, c] of Object.entries(CONTRACTS)) {
    put(`${kind}.v${c.v}`, c.schema);
    // the older versions the hub still reads keep their published schema
    for (const o of c.older) put(`${kind}.v${o.v}`, o.schema);
  }
  put('batch.v1', BatchV1);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.dirname, 'write-schemas.ts')) {
  for (const [file, text] of Object.entries(schemaFiles())) writeFileSync(resolve(import.meta.dirname, 'schema', file), text);
  console.log('contracts/schema written');
}
