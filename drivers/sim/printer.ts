// Virtual ESC/POS printer: decodes the job stream into pages (lines with size/alignment, QR payloads,
// cut) and answers DLE EOT polls from a settable paper / cover / cutter state, like a real one:
// while the cover is open, the paper is out or the cutter jammed nothing is printed — the page being
// received is lost (counted in lostPages, never printed later) — and the status replies say why.
import { createEscPosPrinterDecoder, type PrinterEvent } from '../protocols/escpos-decode.js';
import { statusBytesFor } from '../protocols/escpos.js';
import { VirtualDevice } from './base.js';

export interface PrintedLine {
  text: string;
  size: string;
  align: 'left' | 'center' | 'right';
  bold: boolean;
}

export interface PrintedPage {
  lines: PrintedLine[];
  qr: string[];
  cut: boolean;
  at: number;
}

export type PaperState = 'ok' | 'nearEnd' | 'out';

export class VirtualPrinter extends VirtualDevice {
  readonly pages: PrintedPage[] = [];
  private current: PrintedPage = { lines: [], qr: [], cut: false, at: 0 };
  paper: PaperState = 'ok';
  /**
   * which DLE EOT requests it answers: all four, only 1–2 (clones, print servers), only 1 (some
   * panel printers) or none at all (write-only: a one-way adapter or a print server that swallows replies)
   */
  statusReplies: 'full' | 'basic' | 'n1' | 'none' = 'full';
  coverOpen = false;
  cutterError = false;
  /** decoded items (lines, QR codes, cuts) dropped because there was no paper or the cover was open */
  discardedBytes = 0;
  /** jobs (cuts) that arrived while the printer could not print: lost, never printed later */
  lostPages = 0;
  private readonly decoder = createEscPosPrinterDecoder((e) => this.onEvent(e));
  private readonly pageListeners: Array<(p: PrintedPage) => void> = [];
  /** max pages kept (the /sim page shows the last ones) */
  constructor(
    name: string,
    private readonly keep = 200,
  ) {
    super(name);
  }

  onPage(fn: (p: PrintedPage) => void): void {
    this.pageListeners.push(fn);
  }

  private get canPrint(): boolean {
    return this.paper !== 'out' && !this.coverOpen && !this.cutterError;
  }

  protected receive(bytes: Uint8Array): void {
    this.decoder.push(bytes);
  }

  private onEvent(e: PrinterEvent): void {
    if (e.type === 'status') {
      const s = statusBytesFor({ paper: this.paper, coverOpen: this.coverOpen, cutterError: this.cutterError });
      const n = e.n as 1 | 2 | 3 | 4;
      const answers = { full: 4, basic: 2, n1: 1, none: 0 }[this.statusReplies];
      if (n >= 1 && n <= answers) this.send(Uint8Array.of(s[n]));
      return;
    }
    if (e.type === 'init') {
      // ESC @ starts a job: whatever was left of an interrupted page is gone
      this.current = { lines: [], qr: [], cut: false, at: 0 };
      return;
    }
    if (!this.canPrint) {
      // real printers without paper drop (or jam) the job: a host that ignores status loses tickets.
      // The page in progress is abandoned too, so a fault mid-page never yields a half page later.
      if (e.type === 'line' || e.type === 'qr' || e.type === 'cut') this.discardedBytes++;
      if (e.type === 'cut') this.lostPages++;
      this.current = { lines: [], qr: [], cut: false, at: 0 };
      return;
    }
    if (e.type === 'line') {
      if (this.current.lines.length === 0 && this.current.qr.length === 0) this.current.at = Date.now();
      this.current.lines.push({ text: e.text, size: e.size, align: e.align, bold: e.bold });
    } else if (e.type === 'qr') {
      this.current.qr.push(e.data);
    } else if (e.type === 'cut') {
      this.current.cut = true;
      this.pages.push(this.current);
      if (this.pages.length > this.keep) this.pages.shift();
      const page = this.current;
      this.current = { lines: [], qr: [], cut: false, at: 0 };
      for (const fn of this.pageListeners) fn(page);
    }
  }

  state() {
    return {
      paper: this.paper,
      coverOpen: this.coverOpen,
      cutterError: this.cutterError,
      powered: this.powered,
      statusReplies: this.statusReplies,
      pages: this.pages.slice(-20),
      pending: this.current.lines.length ? this.current : undefined,
      discardedBytes: this.discardedBytes,
      lostPages: this.lostPages,
    };
  }
}
