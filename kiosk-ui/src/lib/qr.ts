// One QR drawing for the screens and the hub's booking page (common/qr.ts).
export { qrSvg } from '../../../common/qr.ts';
