export { LifeboatError, isLifeboatError } from './lifeboat-error.js';
export { ERROR_CODES, exitCodeFor, type ErrorCode } from './codes.js';
