// A virtual device: bytes in from the host, bytes out to the host. The same object runs behind an
// in-process SimTransport (demo hall) or on the far end of a socat pty (tests, bench) via pty.ts.

export interface SimSink {
  send(bytes: Uint8Array): void;
  /** the device vanished (powered off): the host side session ends */
  unplug(): void;
}

export abstract class VirtualDevice {
  private sink?: SimSink;
  private _powered = true;
  /** bytes received from the host, for tests and the /sim page */
  rxBytes = 0;

  constructor(readonly name: string) {}

  get powered(): boolean {
    return this._powered;
  }

  attach(sink: SimSink): void {
    this.sink = sink;
  }

  detach(): void {
    this.sink = undefined;
  }

  /** power off = unplug: the host sees its session end and reconnects when power returns */
  setPower(on: boolean): void {
    this._powered = on;
    if (!on) {
      const s = this.sink;
      this.sink = undefined;
      s?.unplug();
    }
  }

  /** observers of raw input with its arrival time (bench probes) */
  readonly taps: Array<(bytes: Uint8Array, at: number) => void> = [];

  input(bytes: Uint8Array): void {
    if (!this._powered) return;
    const at = performance.now();
    for (const t of this.taps) t(bytes, at);
    this.rxBytes += bytes.length;
    try {
      this.receive(bytes);
    } catch {
      // a virtual device must survive any bytes, like the decoders it uses
    }
  }

  protected send(bytes: Uint8Array): void {
    if (this._powered) this.sink?.send(bytes);
  }

  protected abstract receive(bytes: Uint8Array): void;
  abstract state(): unknown;
}
