import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { serverSchema } from './server-schema.js';

type Definitions = (typeof serverSchema)['definitions'];

/** Properties with a schema `default` stay optional: a document may leave them out. */
type DeriveOptions = { keepDefaultedPropertiesOptional: true };

/** The type of one schema definition, references resolved against the schema's own definitions. */
type FromDefinition<K extends keyof Definitions> = FromSchema<
  { $ref: `#/definitions/${K}`; definitions: Definitions },
  DeriveOptions
>;

/**
 * The type of an object definition without the listed properties. Deriving `Package` or
 * `ServerDetail` in one go is too deep for tsc, so their referencing properties are left out here
 * and added back from the separately derived definitions.
 */
type FromDefinitionWithout<K extends keyof Definitions, P extends string> = FromSchema<
  Extract<WithoutProperties<Definitions[K], P>, JSONSchema>,
  DeriveOptions
>;

/** An object schema with the listed properties removed. */
type WithoutProperties<S, P extends string> = S extends { properties: infer Q }
  ? Omit<S, 'properties'> & { readonly properties: Omit<Q, P> }
  : never;

/** An icon a client may display for the server. */
export type Icon = FromDefinition<'Icon'>;
/** A user-supplied value (base of arguments, environment variables and headers). */
export type Input = FromDefinition<'Input'>;
/** A named input: an environment variable or an HTTP header. */
export type KeyValueInput = FromDefinition<'KeyValueInput'>;
/** A positional command-line argument. */
export type PositionalArgument = FromDefinition<'PositionalArgument'>;
/** A named command-line argument (`--flag value`). */
export type NamedArgument = FromDefinition<'NamedArgument'>;
/** A command-line argument of a package or its runtime. */
export type Argument = FromDefinition<'Argument'>;
/** How a client talks to a locally run package: stdio, streamable-http or sse. */
export type LocalTransport = FromDefinition<'LocalTransport'>;
/** A remote endpoint of the server: streamable-http or sse, with headers and URL variables. */
export type RemoteTransport = FromDefinition<'RemoteTransport'>;
/** Where the server's source code lives. */
export type Repository = FromDefinition<'Repository'>;

/** An installable package of the server (npm, pypi, oci, nuget, mcpb …). */
export type Package = FromDefinitionWithout<
  'Package',
  'transport' | 'environmentVariables' | 'packageArguments' | 'runtimeArguments'
> & {
  transport: LocalTransport;
  environmentVariables?: KeyValueInput[];
  packageArguments?: Argument[];
  runtimeArguments?: Argument[];
};

/**
 * One server version as a server.json document (schema 2025-12-11, `ServerDetail`). A value that
 * passed `validateServer` has this type.
 */
export type ServerJSON = FromDefinitionWithout<
  'ServerDetail',
  'icons' | 'packages' | 'remotes' | 'repository'
> & {
  icons?: Icon[];
  packages?: Package[];
  remotes?: RemoteTransport[];
  repository?: Repository;
};
