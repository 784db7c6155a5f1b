export * from './errors.js';
export * from './interfaces/model.js';
export type * from './interfaces/status.js';
export type * from './interfaces/source.js';
export type * from './interfaces/storage.js';
export type * from './interfaces/config.js';
export type * from './interfaces/catalog.js';
export type * from './interfaces/logger.js';
export * from './plugins/define.js';
