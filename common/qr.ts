// QR codes as SVG text (qrcode-generator, pure JS): the kiosk's fallback ticket, the /sim ticket, and the
// hub's booking page (server-rendered, no script) all draw them the same way.
import qrcode from 'qrcode-generator';

/** An SVG string of a QR code, error correction M, two cells of quiet zone, scalable. */
export function qrSvg(text: string, cellSize = 6): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createSvgTag({ cellSize, margin: 2, scalable: true });
}
