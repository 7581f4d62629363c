import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { crc32, inflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { qrPngDataUrl } from '../../src/whatsapp-sessions/whatsapp-session.mapper.js';

/**
 * The dashboard's QR image is encoded by the service itself (whatsapp-session.mapper.ts, to keep
 * qrcode's slow PNG path off every subscriber's event): it must stay the very picture qrcode
 * draws for `toDataURL(value, { errorCorrectionLevel: 'M', margin: 1, width: 264 })`.
 */

interface QrcodeUtils {
  getOptions(options: object): object;
  getImageWidth(size: number, options: object): number;
  qrToImageData(image: Uint8Array, qr: QRCode.QRCode, options: object): void;
}
// qrcode's own renderer geometry: the reference picture (RGBA), as its PNG renderer fills it.
const utils = createRequire(import.meta.url)('qrcode/lib/renderer/utils.js') as QrcodeUtils;

function reference(value: string): { side: number; dark: string } {
  const qr = QRCode.create(value, { errorCorrectionLevel: 'M' });
  const options = utils.getOptions({ errorCorrectionLevel: 'M', margin: 1, width: 264 });
  const side = utils.getImageWidth(qr.modules.size, options);
  const rgba = new Uint8Array(side * side * 4);
  utils.qrToImageData(rgba, qr, options);
  let dark = '';
  for (let p = 0; p < side * side; p++) dark += rgba[p * 4] === 0 ? '1' : '0';
  return { side, dark };
}

/** Reads the PNG back: chunks and their CRCs, the 1-bit greyscale header, rows filtered None or Up. */
function decoded(url: string): { side: number; dark: string } {
  expect(url).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
  const png = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: { type: string; body: Buffer }[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    chunks.push({ type, body });
    at += 12 + length;
  }
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const header = chunks[0]!.body;
  const side = header.readUInt32BE(0);
  expect(header.readUInt32BE(4)).toBe(side);
  expect([...header.subarray(8)]).toEqual([1, 0, 0, 0, 0]);
  const raw = inflateSync(chunks[1]!.body);
  const stride = 1 + Math.ceil(side / 8);
  expect(raw.length).toBe(stride * side);
  let dark = '';
  let row = Buffer.alloc(stride - 1);
  for (let i = 0; i < side; i++) {
    const filter = raw[i * stride];
    const line = Buffer.from(raw.subarray(i * stride + 1, (i + 1) * stride));
    expect([0, 2]).toContain(filter);
    if (filter === 2) for (let b = 0; b < line.length; b++) line[b] = (line[b]! + row[b]!) & 0xff;
    row = line;
    for (let j = 0; j < side; j++) dark += (row[j >> 3]! & (0x80 >> (j & 7))) === 0 ? '1' : '0';
  }
  return { side, dark };
}

describe('the QR image (pngDataUrl)', () => {
  const values = [
    'a',
    'bench-qr-1',
    // WhatsApp's QR: ref, public key, identity key, advertising secret.
    `2@${'A1b/'.repeat(20)},${'Zx+9'.repeat(11)},${'Qw=7'.repeat(11)},${'Er/3'.repeat(11)},1`,
    'https://example.com/' + 'y'.repeat(120),
    ...Array.from({ length: 12 }, (_, k) => `value-${k}-${'q'.repeat(k * 17)}`),
  ];

  it("is qrcode's picture of the value, pixel for pixel, as a 1-bit greyscale PNG", () => {
    for (const value of values) {
      const ours = decoded(qrPngDataUrl(value));
      const theirs = reference(value);
      expect({ value, side: ours.side }).toEqual({ value, side: theirs.side });
      // One string per picture ('1' dark): a mismatch is one comparison, not 70,000.
      expect(ours.dark === theirs.dark).toBe(true);
    }
  });

  it('is rendered once per value: the same string for the same value', () => {
    expect(qrPngDataUrl('bench-qr-1')).toBe(qrPngDataUrl('bench-qr-1'));
    expect(qrPngDataUrl('bench-qr-1')).not.toBe(qrPngDataUrl('bench-qr-2'));
  });
});
