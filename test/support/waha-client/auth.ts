import type { Base64File, QRCodeValue, RequestCodeResponse } from '../../../src/waha/waha.types.js';
import type { WahaHttp } from './waha-http.js';
import { assertPhoneNumber, assertSessionName } from './waha.validation.js';

/** `GET /api/{session}/auth/qr?format=raw` → the QR's text, to render ourselves. */
export async function getQrValue(http: WahaHttp, session: string): Promise<string> {
  const name = assertSessionName(session);
  const body = await http.call<QRCodeValue>({
    operation: 'getQrValue',
    method: 'GET',
    path: `api/${name}/auth/qr`,
    session: name,
    searchParams: new URLSearchParams({ format: 'raw' }),
    // Trap: WAHA picks JSON or PNG from Accept; only exactly `application/json` gives JSON.
    accept: 'application/json',
    idempotent: true,
  });
  return body.value;
}

/** `GET /api/{session}/auth/qr?format=image` with `Accept: application/json` → base64 PNG. */
export async function getQrBase64(http: WahaHttp, session: string): Promise<Base64File> {
  const name = assertSessionName(session);
  return http.call<Base64File>({
    operation: 'getQrBase64',
    method: 'GET',
    path: `api/${name}/auth/qr`,
    session: name,
    searchParams: new URLSearchParams({ format: 'image' }),
    accept: 'application/json',
    idempotent: true,
  });
}

/** `GET /api/{session}/auth/qr?format=image` with `Accept: image/png` → PNG bytes. */
export async function getQrPng(http: WahaHttp, session: string): Promise<Buffer> {
  const name = assertSessionName(session);
  return http.bytes({
    operation: 'getQrPng',
    path: 'api/' + name + '/auth/qr',
    session: name,
    searchParams: new URLSearchParams({ format: 'image' }),
    accept: 'image/png',
  });
}

/**
 * `POST /api/{session}/auth/request-code` → the pairing code (`ABCD-EFGH`). Legal only in
 * SCAN_QR_CODE; WAHA answers 422 otherwise.
 */
export async function requestPairingCode(
  http: WahaHttp,
  session: string,
  phoneNumber: string,
): Promise<string> {
  const name = assertSessionName(session);
  const phone = assertPhoneNumber(phoneNumber);
  const body = await http.call<RequestCodeResponse>({
    operation: 'requestPairingCode',
    method: 'POST',
    path: `api/${name}/auth/request-code`,
    session: name,
    json: { phoneNumber: phone },
    idempotent: false,
  });
  return body.code;
}
