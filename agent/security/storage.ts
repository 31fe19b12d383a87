// A full disk or a read-only hall.db surfaces as SQLite error codes. They are the hall's fault, not
// the caller's, and not our bug: a 503 with its own code the kiosk can show, and an alert on the board.
const STORAGE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|BUSY)/;

export function isStorageError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown })?.code;
  return err instanceof Error && typeof code === 'string' && STORAGE_CODES.test(code);
}

export interface StorageProbe {
  ok: boolean;
  code?: string;
}

export function probeStorage(write: () => void): StorageProbe {
  try {
    write();
    return { ok: true };
  } catch (err) {
    if (isStorageError(err)) return { ok: false, code: err.code };
    return { ok: false, code: 'unknown' };
  }
}
