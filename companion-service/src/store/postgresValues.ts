import { types as pgTypes, type CustomTypesConfig } from 'pg';

/* Values between JavaScript and PostgreSQL for the PostgreSQL store: parameters going in, rows coming out. */

const INT8_OID = 20;

/** bigint columns (times in ms, ids) come back as numbers, as SQLite's do; pg would give strings to be safe for values
 * beyond 2^53, which these never reach: one that did would be refused rather than rounded. */
export const types: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid !== INT8_OID) return pgTypes.getTypeParser(oid, format ?? 'text');
    return (text: string) => {
      const value = Number(text);
      if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} does not fit a JavaScript number`);
      return value;
    };
  }) as CustomTypesConfig['getTypeParser'],
};

/** PostgreSQL text cannot hold U+0000, which SQLite keeps; it is the one character stored differently (as U+FFFD)
 * rather than failing the whole write. */
export function param(value: unknown): unknown {
  return typeof value === 'string' && value.includes('\u0000') ? value.replace(/\u0000/g, '\uFFFD') : value;
}

export const json = (value: unknown): string => JSON.stringify(value);

/** Milliseconds as the bigint columns take them: a whole number. */
export function ms(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new TypeError(`${what} must be a whole number of milliseconds`);
  return value;
}

export function count(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`${what} must be a whole number, 0 or more`);
  return value;
}
