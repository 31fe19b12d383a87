// Re-sends the current content until the device acknowledges it. Host and device reconnect
// independently (a display powered up after the host link came back misses the first frame), so
// "send once on reconnect" is not enough: only an ack proves the device shows the right thing.
export class AckRetry {
  private timer?: NodeJS.Timeout;
  private misses = 0;

  constructor(
    private readonly resend: () => void,
    private readonly onMisses: (misses: number) => void,
    private readonly baseMs = 250,
    private readonly maxMs = 2000,
  ) {}

  /** a frame that expects an ack went out */
  sent(): void {
    if (this.timer) return;
    this.arm();
  }

  private arm(): void {
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.misses, 4));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.misses++;
      this.onMisses(this.misses);
      this.resend();
      this.arm();
    }, delay);
    this.timer.unref();
  }

  acked(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.misses = 0;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
