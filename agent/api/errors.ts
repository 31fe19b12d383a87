import type { FastifyError, FastifyInstance } from 'fastify';
import { Refusal } from '../../common/refusal.js';
import { isStorageError } from '../security/storage.js';

/** A refusal the caller can act on; never used for our own bugs (common/refusal.ts, shared with the booking rules). */
export class ApiError extends Refusal<400 | 401 | 403 | 404 | 409 | 413 | 415 | 421 | 429 | 503> {}

export interface ErrorBody {
  error: { code: string; message: string; messageEn: string };
}

export function errorBody(code: string, message: string, messageEn: string): ErrorBody {
  return { error: { code, message, messageEn } };
}

/** Errors from the queue engine carry code/status/messageEn; recognise them without importing it. */
function isDomainError(err: unknown): err is Error & { code: string; status: number; messageEn: string } {
  const e = err as { code?: unknown; status?: unknown; messageEn?: unknown };
  return (
    err instanceof Error &&
    typeof e.code === 'string' &&
    typeof e.status === 'number' &&
    e.status >= 400 &&
    e.status < 500 &&
    typeof e.messageEn === 'string'
  );
}

export const STORAGE_ERROR = errorBody(
  'storage_unavailable',
  '系统存储空间已满或不可写，暂时无法办理，请联系工作人员',
  'The hall computer cannot save right now (disk full or read-only); please ask staff',
);

export function installErrorHandler(app: FastifyInstance, opts: { onStorageFault?: (code: string) => void } = {}): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (isStorageError(err)) {
      request.log.error({ code: err.code }, 'storage fault');
      opts.onStorageFault?.(err.code);
      return reply.status(503).header('retry-after', '30').send(STORAGE_ERROR);
    }
    // ApiError, and the booking rules' BookingError (common/bookings.ts) as they are
    if (err instanceof Refusal) {
      if (err.retryAfterS !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterS))));
      return reply.status(err.status).send(errorBody(err.code, err.message, err.messageEn));
    }
    if (isDomainError(err)) {
      // The engine names refusals in UPPER_SNAKE; the API speaks lower snake_case throughout.
      return reply.status(err.status).send(errorBody(err.code.toLowerCase(), err.message, err.messageEn));
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      // Name the part that was wrong: a bad query string is not a bad body.
      const part = fe.validationContext === 'querystring' ? 'query' : (fe.validationContext ?? 'body');
      const detail = fe.validation
        .map((v) => {
          const path = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
          return `${path ? `${part}.${path}` : part} ${v.message ?? 'is invalid'}`;
        })
        .join('; ');
      return reply.status(400).send(errorBody('invalid_request', `请求内容不正确：${detail}`, `Invalid request: ${detail}`));
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      // Malformed JSON, wrong content type, body too large…: the framework already knows it is the client's.
      return reply
        .status(fe.statusCode)
        .send(errorBody((fe.code ?? 'bad_request').toLowerCase(), `请求无法处理：${fe.message}`, fe.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply
      .status(500)
      .send(errorBody('internal_error', '系统内部错误，请联系管理员', 'Internal error; please tell the administrator'));
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(errorBody('not_found', `没有这个地址：${request.method} ${request.url}`, `No such route: ${request.method} ${request.url}`));
  });
}
