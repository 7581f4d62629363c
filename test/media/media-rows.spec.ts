import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmConfig } from '../../mikro-orm.config.js';
import { MediaDirection, MediaState } from '../../src/media/media.entity.js';
import { failureCodeOf, MediaFailure } from '../../src/media/media-failures.js';
import {
  mediaInsertSql,
  mediaValues,
  newInboundMedia,
  newOutboundMedia,
} from '../../src/media/media-rows.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const now = new Date('2026-01-02T03:04:05.678Z');
const url = 'http://waha:3000/api/files/default/false_111@c.us_AAA.jpeg';

describe('the one definition of a new media row', () => {
  const target = { tenantId: '00000000-0000-4000-8000-000000000001', sessionId: 'ws_one' };

  it('makes an inbound file a download job: PENDING, due when written, with what WAHA said of it', () => {
    const first = newInboundMedia(
      target,
      { url, mimetype: 'image/jpeg', filename: 'photo.jpeg' },
      'system:webhooks',
      now,
    );
    const second = newInboundMedia(target, { url }, 'system:webhooks', now);
    expect(first).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      tenantId: target.tenantId,
      sessionId: 'ws_one',
      direction: MediaDirection.INBOUND,
      state: MediaState.PENDING,
      mimetype: 'image/jpeg',
      filename: 'photo.jpeg',
      size: null,
      sha256: null,
      storageKey: null,
      sourceUrl: url,
      failureReason: null,
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
      createdBy: 'system:webhooks',
      updatedBy: 'system:webhooks',
    });
    expect(second.id > first.id).toBe(true);
    expect(second).toMatchObject({ mimetype: null, filename: null });
  });

  it('fails at once, with a coded reason, when WAHA reported the download failed or gave no URL', () => {
    const errored = newInboundMedia(
      target,
      { url, error: { message: 'media key expired' } },
      'system:x',
      now,
    );
    expect(errored).toMatchObject({ state: MediaState.FAILED, nextAttemptAt: null, sourceUrl: url });
    expect(failureCodeOf(errored.failureReason)).toBe(MediaFailure.MEDIA_NOT_DOWNLOADED);
    expect(errored.failureReason).toContain('media key expired');

    for (const source of [undefined, null, {}, { url: null }, { url: 'ftp://x/y' }, { url: 'not a url' }]) {
      const row = newInboundMedia(target, source, 'system:x', now);
      expect({
        source,
        state: row.state,
        code: failureCodeOf(row.failureReason),
        due: row.nextAttemptAt,
      }).toEqual({
        source,
        state: MediaState.FAILED,
        code: MediaFailure.MEDIA_NO_URL,
        due: null,
      });
    }
  });

  it('keeps what WAHA sends as PostgreSQL can hold it: NULs replaced, names cut to the columns', () => {
    const row = newInboundMedia(
      target,
      { url, mimetype: 'audio/ogg; codecs=opus', filename: `a\u0000b${'x'.repeat(400)}`, error: null },
      'system:x',
      now,
    );
    expect(row.state).toBe(MediaState.PENDING);
    expect(row.mimetype).toBe('audio/ogg; codecs=opus');
    expect(row.filename).toHaveLength(255);
    expect(row.filename!.startsWith('a\uFFFDb')).toBe(true);
  });

  it('makes an upload READY at once, with its bytes already stored', () => {
    const row = newOutboundMedia(
      target,
      { storageKey: 'k', size: 3, sha256: 'a'.repeat(64), mimetype: 'application/pdf', filename: null },
      'user:u1',
      'ID1',
      now,
    );
    expect(row).toMatchObject({
      id: 'ID1',
      direction: MediaDirection.OUTBOUND,
      state: MediaState.READY,
      size: 3,
      storageKey: 'k',
      nextAttemptAt: null,
    });
  });

  it('gives the composed INSERT one value per placeholder, in its column order', () => {
    const row = newInboundMedia(target, { url, mimetype: 'image/png' }, 'system:x', now);
    const sql = mediaInsertSql();
    const columns = /\(([^)]*)\)/
      .exec(sql)![1]!
      .split(',')
      .map((column) => column.trim())
      .filter((column) => column !== 'locked_until');
    const values = mediaValues(row);
    expect(sql.match(/\?/g)).toHaveLength(values.length);
    expect(Object.fromEntries(columns.map((column, i) => [column, values[i]]))).toMatchObject({
      id: row.id,
      tenant_id: target.tenantId,
      session_id: 'ws_one',
      direction: 'INBOUND',
      state: 'PENDING',
      mimetype: 'image/png',
      source_url: url,
      next_attempt_at: now,
      created_by: 'system:x',
      updated_by: 'system:x',
    });
    expect(mediaValues(null)).toEqual(Array(values.length).fill(null));
    expect(mediaInsertSql('msg where msg.inserted and ?::boolean')).toMatch(
      /from msg where msg\.inserted and \?::boolean$/,
    );
  });
});

describe('the composed INSERT, in PostgreSQL', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await MikroORM.init(createOrmConfig(db.url, { logger: () => undefined }));
    const [tenant] = await orm.em
      .getConnection()
      .execute<{ id: string }[]>(
        `insert into tenants (id, slug, name, created_at, updated_at) values (gen_random_uuid(), 'media-rows', 'M', now(), now()) returning id`,
      );
    tenantId = tenant!.id;
  });

  afterAll(async () => {
    await orm.close(true);
    await db.drop();
  });

  it('writes the row in a writable CTE only when its `from` row exists, and writes it as defined', async () => {
    const target = { tenantId, sessionId: 'ws_one' };
    const written = newInboundMedia(target, { url, mimetype: 'image/jpeg' }, 'system:webhooks', now);
    const skipped = newInboundMedia(target, { url }, 'system:webhooks', now);
    const connection = orm.em.getConnection();
    for (const [row, write] of [
      [written, true],
      [skipped, false],
    ] as const) {
      await connection.execute(
        `with msg as (select ?::boolean as inserted),
          m as (${mediaInsertSql('msg where msg.inserted')} returning 1)
        select (select count(*) from m)::int as n`,
        [write, ...mediaValues(row)],
      );
    }
    const rows = await connection.execute<Record<string, unknown>[]>(
      `select id, state, direction, mimetype, source_url, attempts,
        (extract(epoch from next_attempt_at) * 1000)::float8 as due_ms, locked_until, size from media`,
    );
    expect(rows).toEqual([
      {
        id: written.id,
        state: 'PENDING',
        direction: 'INBOUND',
        mimetype: 'image/jpeg',
        source_url: url,
        attempts: 0,
        due_ms: now.getTime(),
        locked_until: null,
        size: null,
      },
    ]);
  });
});
