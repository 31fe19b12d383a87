// The config checker's verdict on a YAML text: the list of problems it names (empty when the text is valid).
import { ConfigError, parseConfig } from '../../../agent/config/load.js';

export function problems(text: string): string[] {
  try {
    parseConfig(text, 'config/hall.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
