// `pg` is in node_modules (MikroORM's PostgreSQL driver uses it) but @types/pg is not a
// dependency: just the part of its API the benchmarks use.
declare module 'pg' {
  export interface QueryResult<R> {
    rows: R[];
    rowCount: number | null;
  }
  export class Pool {
    constructor(options: { connectionString: string; max?: number; application_name?: string });
    query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
    end(): Promise<void>;
  }
  const pg: { Pool: typeof Pool };
  export default pg;
}
