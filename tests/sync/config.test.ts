import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../agent/config/load.js';
import { DEMO_CONFIG } from '../helpers/agent.js';

const demo = readFileSync(DEMO_CONFIG, 'utf8').replace(/\nupstream:[\s\S]*$/, '\n');
const parse = (upstream: string, env: NodeJS.ProcessEnv = {}) => parseConfig(`${demo}\nupstream:\n${upstream}`, 'hall.yaml', env);
const problems = (upstream: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(upstream, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('upstream config', () => {
  it('defaults the hall id to hall.code and takes the secret from HALLQ_UPSTREAM_SECRET', () => {
    const c = parse('  url: http://hub.example:8090\n', { HALLQ_UPSTREAM_SECRET: 'from-the-environment-123' });
    expect(c.upstream).toEqual({
      url: 'http://hub.example:8090',
      hallId: 'AH-340104-HZ01',
      secret: 'from-the-environment-123',
      batchSize: 500,
      timeoutSeconds: 20,
      backoffMaxSeconds: 300,
      bookingsPollSeconds: 15,
    });
  });

  it('names the key path and the fix for each mistake', () => {
    expect(problems('  url: http://hub.example:8090\n')).toEqual([
      'upstream.secret: expected the secret registered for this hall at the hub (or set HALLQ_UPSTREAM_SECRET), got nothing',
    ]);
    expect(problems('  url: hub.example\n  secret: 0123456789abcdef\n')[0]).toMatch(
      /^upstream\.url: expected the hub URL starting with http/,
    );
    expect(problems('  url: http://h\n  secret: short\n')[0]).toMatch(
      /^upstream\.secret: expected the secret shared with the hub, at least 16/,
    );
    expect(problems('  url: http://h\n  secret: 0123456789abcdef\n  batchSize: 0\n')[0]).toMatch(
      /^upstream\.batchSize: expected a whole number from 1 to 2000/,
    );
    expect(problems('  url: http://h\n  secret: 0123456789abcdef\n  colour: red\n')[0]).toMatch(
      /^upstream\.colour: expected one of the known keys/,
    );
  });
});
