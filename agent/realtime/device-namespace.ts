// socket.io /device: where satellite PCs connect with their own tokens (never a staff or manager
// session). A refused handshake is logged with the satellite id and address, never the token.
// The manager board (/board, already manager-only) gets the satellites' state as 'satellites'.
import type { Server } from 'socket.io';
import type { HallContext } from '../context.js';
import type { SatelliteSocket } from '../satellite/hub.js';
import { DEVICE_NAMESPACE } from '../satellite/wire.js';

const REFUSED = 'satellite id or token not accepted';

export function attachDeviceNamespace(io: Server, ctx: HallContext, onAuthenticated?: (conn: object) => void): void {
  const hub = ctx.satellites;
  const log = ctx.logger.child({ module: 'satellites' });
  const nsp = io.of(DEVICE_NAMESPACE);
  nsp.use((socket, next) => {
    const verdict = hub
      ? hub.authenticate(socket.handshake.auth)
      : { ok: false as const, reason: 'this hall has no satellites configured' };
    if (!verdict.ok) {
      log.warn({ satellite: verdict.id, address: socket.handshake.address, reason: verdict.reason }, 'satellite refused');
      const err = new Error('unauthorized') as Error & { data: unknown };
      // one answer for an unknown id, a revoked one and a wrong token: the log has the difference
      const reason = verdict.id === undefined ? verdict.reason : REFUSED;
      err.data = { code: 'satellite_refused', reason };
      return next(err);
    }
    if (hub?.live(verdict.id)) {
      // a copied token must not knock the real satellite off: the live connection stays, the board is told
      log.warn({ satellite: verdict.id, address: socket.handshake.address }, 'second connection for a live satellite refused');
      ctx.auth.alert({
        kind: 'satellite',
        source: socket.handshake.address,
        account: verdict.id,
        message: `卫星主机 ${verdict.id} 已在线，来自 ${socket.handshake.address} 的第二个连接被拒绝（令牌可能泄露）`,
        messageEn: `Satellite ${verdict.id} is online; a second connection from ${socket.handshake.address} was refused (its token may have leaked)`,
      });
      const err = new Error('already connected') as Error & { data: unknown };
      err.data = { code: 'satellite_already_connected', reason: 'this satellite is already connected; retry when that connection ends' };
      return next(err);
    }
    socket.data.satellite = verdict.id;
    onAuthenticated?.(socket.conn);
    return next();
  });
  if (!hub) return;
  nsp.on('connection', (socket) => hub.attach(socket.data.satellite as string, socket as unknown as SatelliteSocket));

  // the /board namespace's own middleware (manager token) has run before any connection here
  const board = io.of('/board');
  board.on('connection', (socket) => {
    socket.emit('satellites', hub.views());
    socket.on('satellites', (reply: unknown) => {
      if (typeof reply === 'function') reply(hub.views());
    });
  });
  let pending = false;
  hub.onChange(() => {
    // a burst (a satellite delivering its buffer) becomes one board update
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      board.emit('satellites', hub.views());
    }, 50);
  });
}
