/**
 * A refusal the citizen or staff member sees. `message` is the zh-CN text for screens and printers,
 * `messageEn` is for logs and English UIs. Never put a clear 身份证 number in either.
 */
export class QueueError extends Error {
  readonly code: string;
  readonly status: 400 | 404 | 409 | 429;
  readonly messageEn: string;

  constructor(code: string, status: 400 | 404 | 409 | 429, zh: string, en: string) {
    super(zh);
    this.name = 'QueueError';
    this.code = code;
    this.status = status;
    this.messageEn = en;
  }
}

export const notFound = (code: string, zh: string, en: string) => new QueueError(code, 404, zh, en);
export const conflict = (code: string, zh: string, en: string) => new QueueError(code, 409, zh, en);
export const badRequest = (code: string, zh: string, en: string) => new QueueError(code, 400, zh, en);
