/**
 * A statement's text for a prepared statement (PreparedStatements), from SQL that mixes `?`
 * placeholders (composed rows of other tables: the inbox, the outbox, the media store, in the
 * order they appear) and named ones, `{name}`: each `?` becomes the next `$n`, then each name one
 * `$n` after them, whatever the number of times it is used, cast to its type at every use so
 * PostgreSQL deduces one type per parameter. The values are the `?`s' in order, then the names'
 * in `names` order (see valuesOf).
 */
export interface NamedStatement<N extends string> {
  text: string;
  names: readonly N[];
}

export function withNamedParameters<N extends string>(
  sql: string,
  types: Readonly<Record<N, string>>,
): NamedStatement<N> {
  let n = 0;
  const positional = sql.replace(/\?/g, () => `$${++n}`);
  const names: N[] = [];
  const numbers = new Map<string, number>();
  const text = positional.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    if (!(name in types)) throw new Error(`No type for the statement parameter {${name}}`);
    let number = numbers.get(name);
    if (number === undefined) {
      number = ++n;
      numbers.set(name, number);
      names.push(name as N);
    }
    return `$${number}::${types[name as N]}`;
  });
  return { text, names };
}

/** The named values of `statement`, in its order. */
export function valuesOf<N extends string>(
  statement: NamedStatement<N>,
  values: Readonly<Record<N, unknown>>,
): unknown[] {
  return statement.names.map((name) => values[name]);
}
