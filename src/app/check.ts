// What `check -r` needs of app/ without loading app/index.js (which loads every command's code).
export { checkRepository, type CheckReport } from '../verify/index.js';
