export { type Clock, systemClock } from './clock.js';
export { mapConcurrent } from './map-concurrent.js';
export { PathPattern } from './path-pattern.js';
