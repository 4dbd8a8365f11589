export type { Backend, FileInfo } from './backend.js';
