import { Type, type Static } from '@sinclair/typebox';

/* The `store` block of the service configuration (config/schema.ts): the embedded SQLite file, or PostgreSQL. */

export const SqliteStoreConfig = Type.Object(
  {
    kind: Type.Literal('sqlite'),
    /** Relative to the repository when not absolute; ":memory:" for a throwaway store. */
    sqlitePath: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

/** Unquoted PostgreSQL identifier, so it can be written into SQL and the connection's search_path as it is. */
export const PostgresSchemaName = Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' });

export const DEFAULT_POSTGRES_POOL_SIZE = 10;

export const PostgresStoreConfig = Type.Object(
  {
    kind: Type.Literal('postgres'),
    /** postgres://user:password@host:port/database?sslmode=…; holds a secret, so it is never logged or echoed. */
    url: Type.String({ pattern: '^postgres(ql)?://[^\\s]+$', maxLength: 4096 }),
    /** Where the tables live; created on start when missing. Left out: the first schema of the user's search_path
     * (usually public). */
    schema: Type.Optional(PostgresSchemaName),
    /** Connections this instance keeps at most (default 10): every instance has its own pool, so the database must
     * allow instances × poolSize connections. */
    poolSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);

export const StoreConfigSchema = Type.Union([SqliteStoreConfig, PostgresStoreConfig]);
export type StoreConfig = Static<typeof StoreConfigSchema>;
export type PostgresStoreConfig = Static<typeof PostgresStoreConfig>;
