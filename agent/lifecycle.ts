// The hall's running parts (as zigbee2mqtt's extensions): each starts and stops one way, and the
// composition root lists them once. They start in list order and stop in reverse, each once: a part
// may rely on every part listed before it (the day closer on the store, sync on the engine's events).
import type { Logger } from 'pino';

export interface HallPart {
  /** for the log: "started devices", "stopping sync" */
  readonly name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

/** A part made of two functions: the usual shape of a timer or a bus subscription. */
export function part(name: string, start: () => (() => void | Promise<void>) | undefined | void): HallPart {
  let stop: (() => void | Promise<void>) | undefined | void;
  return {
    name,
    start() {
      stop = start();
    },
    async stop() {
      const s = stop;
      stop = undefined;
      await s?.();
    },
  };
}

export class HallParts {
  private readonly started: HallPart[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly parts: readonly HallPart[],
    private readonly logger: Pick<Logger, 'debug' | 'error'>,
  ) {
    const names = new Set<string>();
    for (const p of parts) {
      if (names.has(p.name)) throw new Error(`hall part ${p.name} is listed twice`);
      names.add(p.name);
    }
  }

  /** Starts every part in order; when one fails, stops those already started (in reverse) and throws. */
  async start(): Promise<void> {
    for (const p of this.parts) {
      try {
        await p.start();
        this.started.push(p);
        this.logger.debug({ part: p.name }, 'started');
      } catch (err) {
        this.logger.error({ err, part: p.name }, 'hall part failed to start; stopping the others');
        await this.stop();
        throw err;
      }
    }
  }

  /** Stops the started parts in reverse order, once; a part's failure is logged and the rest still stop. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      while (this.started.length > 0) {
        const p = this.started.pop()!;
        try {
          await p.stop();
          this.logger.debug({ part: p.name }, 'stopped');
        } catch (err) {
          this.logger.error({ err, part: p.name }, 'hall part failed to stop');
        }
      }
    })();
    return this.stopping;
  }

  /** names in start order (the board's and the tests' view) */
  get names(): string[] {
    return this.parts.map((p) => p.name);
  }
}
