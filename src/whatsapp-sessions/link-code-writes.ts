import { EntityManager, type EntityProperty, ReferenceKind } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { type Actor } from '../common/audit.js';
import { DomainError } from '../common/domain-error.js';
import { numbered, PreparedStatements } from '../database/prepared-statements.js';
import { type LinkState } from './link-codes.js';
import { WhatsappSession } from './whatsapp-session.entity.js';
import { sameValue, shownChanged, shownOf } from './whatsapp-session.shown.js';

/** What a QR or pairing-code report may write: LinkState's columns (the audit stamps come with them). */
const LINK_COLUMNS = [
  'status',
  'meId',
  'mePushName',
  'qrValue',
  'qrExpiresAt',
  'qrSequence',
  'pairingCode',
  'pairingCodeExpiresAt',
] as const satisfies readonly (keyof LinkState)[];
type LinkColumn = (typeof LINK_COLUMNS)[number];
type Written = LinkColumn | 'updatedAt' | 'updatedBy';
type Named = Written | 'id';

/** The change of a report: LinkState's rules (link-codes.ts) applied to the row as read. */
export type LinkChange = (state: LinkState) => void;

/** A report applied without the row's lock: the session as it now stands, and whether the API shows a change. */
export interface LinkWritten {
  session: WhatsappSession;
  changed: boolean;
}

/**
 * n8n's QR and pairing-code reports without a transaction: the hottest write-back (one per QR
 * WAHA rotates in, while dashboards wait for it), so its publish should follow the report
 * closely. The row is read with its version (PostgreSQL's `xmin`, which every UPDATE of the row
 * renews), the change applied to it in memory, and only the columns it changed written, in one
 * autocommit statement, where the version is still the one read: two round trips and one commit
 * instead of a transaction's four, and no unit of work. Measured (test/bench qr-latency, 2 shared
 * CPUs): the write-back's round trip 9.4 -> 7.0 ms (medians of 7 runs each), a retry's 3.7 -> 1.9 ms
 * on an otherwise idle replica, and a third less CPU per report. That equals applying the
 * change under the row's lock at the moment of the write: a writer that came between (or holds
 * the row's lock now) moves the version, the statement then matches nothing, and the caller
 * applies the report under the lock instead (`null`). So does a change of status, whose webhook
 * deliveries must commit with it. A report that changes nothing (a retry) writes nothing.
 */
@Injectable()
export class LinkCodeWrites {
  private readonly table: string;
  private readonly columnOf: Record<Named, string>;
  private readonly readSql: string;
  /** The UPDATE of each set of columns written, by its bits: built once, not per report. */
  private readonly writeSqls = new Map<number, string>();

  constructor(
    private readonly em: EntityManager,
    private readonly statements: PreparedStatements,
  ) {
    const meta = em.getMetadata(WhatsappSession);
    const column = (property: EntityProperty) => `"${property.fieldNames[0]!}"`;
    this.table = `"${meta.tableName}"`;
    const named: Named[] = ['id', ...LINK_COLUMNS, 'updatedAt', 'updatedBy'];
    this.columnOf = Object.fromEntries(named.map((name) => [name, column(meta.properties[name])])) as Record<
      Named,
      string
    >;
    // The entity's own columns by name, not `*`: a prepared statement survives a column added
    // by a newer replica's migration.
    const columns = meta.props
      .filter((p) => p.kind === ReferenceKind.SCALAR || p.kind === ReferenceKind.MANY_TO_ONE)
      .flatMap((p) => p.fieldNames.map((name) => `"${name}"`));
    this.readSql = numbered(
      `select ${columns.join(', ')}, xmin::text as row_version from ${this.table} where ${this.columnOf.id} = ?`,
    );
  }

  async apply(sessionId: string, actor: Actor, change: LinkChange): Promise<LinkWritten | null> {
    const em = this.em.fork();
    return this.statements.onConnection(async (run) => {
      const [row] = await run<Record<string, unknown>>('session-link-read', this.readSql, [sessionId]);
      if (!row) throw DomainError.notFound('WhatsApp session', sessionId);
      const { row_version: version, ...columns } = row;
      const session = em.map(WhatsappSession, columns);
      const before = shownOf(session);
      const was = Object.fromEntries(LINK_COLUMNS.map((name) => [name, session[name]]));
      change(session);
      const written = LINK_COLUMNS.filter((name) => !sameValue(was[name], session[name]));
      if (written.length === 0) return { session, changed: false };
      if (session.status !== was['status']) return null;
      const changed = shownChanged(before, shownOf(session));
      // As the ORM stamps a row it writes: the time always, the actor when the API shows a change.
      session.updatedAt = new Date();
      if (changed) session.updatedBy = actor;
      const sets: Written[] = [...written, 'updatedAt', 'updatedBy'];
      // One prepared statement per set of columns written (named by it: LINK_COLUMNS' bits).
      const bits = LINK_COLUMNS.reduce(
        (mask, name, bit) => (written.includes(name) ? mask | (1 << bit) : mask),
        0,
      );
      const done = await run(`session-link-write-${bits}`, this.writeSql(bits, sets), [
        ...sets.map((name) => session[name] ?? null),
        sessionId,
        version,
      ]);
      return done.length === 1 ? { session, changed } : null;
    });
  }

  private writeSql(bits: number, sets: Written[]): string {
    let sql = this.writeSqls.get(bits);
    if (sql === undefined) {
      sql = numbered(
        `update ${this.table} set ${sets.map((name) => `${this.columnOf[name]} = ?`).join(', ')}
          where ${this.columnOf.id} = ? and xmin = ?::xid returning 1 as written`,
      );
      this.writeSqls.set(bits, sql);
    }
    return sql;
  }
}
