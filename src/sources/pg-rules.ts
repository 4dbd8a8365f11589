import type { FailureRules } from './tool-process.js';

/** Why a libpq tool failed, from its stderr (messages forced to English by LC_MESSAGES=C). */
export const PG_FAILURE_RULES: FailureRules = [
  { code: 'SOURCE_AUTH_FAILED', pattern: /password authentication failed|no password supplied|authentication failed|fe_sendauth|role "[^"]*" does not exist|pg_hba\.conf rejects/i, hint: 'check the user and the password (password_file or password_env)' },
  { code: 'SOURCE_UNREACHABLE', pattern: /could not connect|connection refused|could not translate host name|timeout expired|server closed the connection unexpectedly|terminating connection|no such file or directory|network is unreachable|no route to host/i, hint: 'check that PostgreSQL is running and the host and port are right' },
  { code: 'SOURCE_DUMP_FAILED', pattern: /database "[^"]*" does not exist/i, hint: 'check the database name' },
  { code: 'SOURCE_DUMP_FAILED', pattern: /permission denied to create database/i, hint: 'a drill creates and drops scratch databases: give the role CREATEDB (ALTER ROLE name CREATEDB)' },
  { code: 'SOURCE_DUMP_FAILED', pattern: /permission denied/i, hint: 'the user needs read access to every table (or use a superuser for the backup)' },
  { code: 'SOURCE_DUMP_FAILED', pattern: /server version: .*pg_dump version|aborting because of server version mismatch/i, hint: 'install a pg_dump at least as new as the server' },
];
