export * from './id.js';
export * from './file-type.js';
