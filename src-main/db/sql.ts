/**
 * The `sql` tagged template (Signal's shape): values become `?` parameters, never text.
 * Dynamic identifiers go through `sqlId()`, which only accepts plain names and quotes them.
 *
 *   const [query, params] = sql`SELECT * FROM tracks WHERE id = ${id}`;
 *   db.prepare(query).get(...params);
 */

/** A piece of SQL with its bound parameters. Destructures as `[query, params]`. */
export class SqlFragment {
  constructor(
    readonly query: string,
    readonly params: readonly unknown[],
  ) {}

  *[Symbol.iterator](): Generator<string | unknown[]> {
    yield this.query;
    yield [...this.params];
  }
}

/** Builds a parameterized query; nested fragments (from `sql`, `sqlId`, `sqlJoin`) are inlined. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment & [string, unknown[]] {
  let query = strings[0] ?? '';
  const params: unknown[] = [];
  values.forEach((v, i) => {
    if (v instanceof SqlFragment) {
      query += v.query;
      params.push(...v.params);
    } else {
      query += '?';
      params.push(v);
    }
    query += strings[i + 1] ?? '';
  });
  return new SqlFragment(query, params) as SqlFragment & [string, unknown[]];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A quoted identifier (table or column name).
 * @throws Error when `name` is not a plain identifier (programming error, never user input).
 */
export function sqlId(name: string): SqlFragment {
  if (!IDENT.test(name)) throw new Error(`sqlId: expected a plain identifier, got ${JSON.stringify(name.slice(0, 80))}`);
  return new SqlFragment(`"${name}"`, []);
}

/** Raw trusted SQL text (constants chosen from a fixed set in code; never user input). */
export function sqlRaw(text: string): SqlFragment {
  return new SqlFragment(text, []);
}

/** Joins fragments with a separator (`, ` by default). */
export function sqlJoin(parts: readonly SqlFragment[], separator = ', '): SqlFragment {
  return new SqlFragment(
    parts.map((p) => p.query).join(separator),
    parts.flatMap((p) => p.params),
  );
}

/** Largest number of `?` per statement we use when chunking `IN (...)` lists (SQLite allows 32766). */
export const MAX_VARIABLES = 999;

/** Splits `items` into chunks for `IN (...)` queries (Signal's batchMultiVarQuery). */
export function chunks<T>(items: readonly T[], size = MAX_VARIABLES): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
