import qrcode from 'qrcode-generator';

/** An SVG string of a QR code (used on the kiosk when the printer fails, and on the /sim ticket). */
export function qrSvg(text: string, cellSize = 6): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createSvgTag({ cellSize, margin: 2, scalable: true });
}
