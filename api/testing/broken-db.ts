import {
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import type { Database } from '../db/schema.ts';

/** The error a broken storage throws: shaped like a driver error, not a domain one. */
export class SimulatedStorageError extends Error {
  readonly code = 'SQLITE_IOERR';
  constructor(what: string) {
    super(`simulated storage failure: ${what}`);
  }
}

const brokenConnection: DatabaseConnection = {
  executeQuery: async () => {
    throw new SimulatedStorageError('query');
  },
  // eslint-disable-next-line require-yield
  streamQuery: async function* () {
    throw new SimulatedStorageError('stream');
  },
};

const brokenDriver: Driver = {
  init: async () => undefined,
  acquireConnection: async () => brokenConnection,
  beginTransaction: async () => {
    throw new SimulatedStorageError('begin');
  },
  commitTransaction: async () => undefined,
  rollbackTransaction: async () => undefined,
  releaseConnection: async () => undefined,
  destroy: async () => undefined,
};

const brokenDialect: Dialect = {
  createAdapter: () => new SqliteAdapter(),
  createDriver: () => brokenDriver,
  createIntrospector: (db) => new SqliteIntrospector(db),
  createQueryCompiler: () => new SqliteQueryCompiler(),
};

/** A database that always fails: proves every path surfaces a clear domain error. */
export function createBrokenDb(): Kysely<Database> {
  return new Kysely<Database>({ dialect: brokenDialect });
}

/**
 * Wraps a real database so that queries matching `shouldFail` throw. Used to
 * fail the *second* statement of a transaction (e.g. the audit insert) and show
 * the first one was rolled back.
 */
export function failingWhen(db: Kysely<Database>, shouldFail: (node: RootOperationNode) => boolean): Kysely<Database> {
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      if (shouldFail(args.node)) throw new SimulatedStorageError(args.node.kind);
      return args.node;
    },
    transformResult: async (args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => args.result,
  };
  return db.withPlugin(plugin);
}

/** Matches an INSERT into the named table. */
export function insertInto(table: string): (node: OperationNode) => boolean {
  return (node) =>
    node.kind === 'InsertQueryNode' &&
    (node as unknown as { into?: { table?: { identifier?: { name?: string } } } }).into?.table?.identifier?.name === table;
}
