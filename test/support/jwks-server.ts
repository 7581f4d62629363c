import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

/** A signing key of the test identity provider, and its public half as the JWKS lists it. */
export interface ProviderKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicJwk: Record<string, unknown>;
}

export async function providerKey(kid: string, alg: ProviderKey['alg']): Promise<ProviderKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/**
 * An identity provider's JWKS endpoint on 127.0.0.1, as a SaaS would run it: it serves the
 * public halves of `keys`, which a test swaps to rotate them, and counts the fetches.
 */
export class JwksServer {
  keys: ProviderKey[] = [];
  fetches = 0;
  private server: Server | undefined;

  constructor(readonly issuer = 'https://idp.example.test/') {}

  /** Listens on `port` (0: any free port); returns the JWKS URL. */
  async start(port = 0): Promise<string> {
    this.server = createServer((request, response) => {
      this.fetches += 1;
      if (request.url !== '/.well-known/jwks.json') {
        response.writeHead(404).end();
        return;
      }
      response
        .writeHead(200, { 'content-type': 'application/jwk-set+json' })
        .end(JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}/.well-known/jwks.json`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A token this provider would issue: signed with `key`, for `audience`, valid for `expiresIn`. */
  sign(
    key: ProviderKey,
    claims: JWTPayload,
    options: { audience?: string; issuer?: string; expiresAt?: number | string; kid?: string | null } = {},
  ): Promise<string> {
    const kid = options.kid === undefined ? key.kid : options.kid;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, typ: 'JWT', ...(kid === null ? {} : { kid }) })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? 'whatsapp-hub')
      .setIssuedAt()
      .setExpirationTime(options.expiresAt ?? '10m')
      .sign(key.privateKey);
  }
}
