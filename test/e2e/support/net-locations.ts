// Network locations for e2e tests: a real sshd and an S3 server on loopback, with the
// environment Lifeboat and restic each need to reach them. Credentials only in env and files.
import { startS3Server, S3_ACCESS_KEY, S3_SECRET_KEY, type S3ServerFixture } from '../../../src/backend/s3-server.test-util.js';
import { startSshd, type SshdFixture } from '../../../src/backend/sshd.test-util.js';
import { cleanEnv } from './run.js';

export interface NetLocations {
  readonly sshd: SshdFixture;
  readonly s3: S3ServerFixture;
  /** `sftp://root@127.0.0.1:PORT//<dir>` for Lifeboat. */
  sftpUrl(dir: string): string;
  /** restic's form of the same folder (its port comes from the ssh command). */
  resticSftpUrl(dir: string): string;
  s3Url(prefix: string): string;
  /** Environment for Lifeboat: identity, known_hosts, S3 keys and CA, quick retries. */
  lifeboatEnv(extra?: Record<string, string | undefined>): Record<string, string>;
  /** restic arguments that must come before the command. */
  resticArgs(): string[];
  resticEnv(extra?: Record<string, string | undefined>): Record<string, string>;
  cleanup(): Promise<void>;
}

export const S3_BUCKET = 'lifeboat-e2e';

export async function startNetLocations(): Promise<NetLocations> {
  const sshd = await startSshd();
  const s3 = await startS3Server([S3_BUCKET]);
  return {
    sshd,
    s3,
    sftpUrl: (dir) => `sftp://root@127.0.0.1:${sshd.port}/${dir}`,
    resticSftpUrl: (dir) => `sftp:root@127.0.0.1:${dir}`,
    s3Url: (prefix) => `s3:${s3.endpoint}/${S3_BUCKET}/${prefix}`,
    lifeboatEnv: (extra = {}) =>
      cleanEnv({
        LIFEBOAT_KDF_N: '1024',
        LIFEBOAT_SFTP_IDENTITY: sshd.identityFile,
        LIFEBOAT_SFTP_KNOWN_HOSTS: sshd.knownHostsFile,
        AWS_ACCESS_KEY_ID: S3_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY,
        LIFEBOAT_S3_CACERT: s3.caFile,
        LIFEBOAT_RETRY_ATTEMPTS: '4',
        LIFEBOAT_RETRY_DELAY_MS: '100',
        ...extra,
      }),
    resticArgs: () => ['-o', `sftp.command=${sshd.sshCommand()}`, '--cacert', s3.caFile],
    resticEnv: (extra = {}) => cleanEnv({ AWS_ACCESS_KEY_ID: S3_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY, RESTIC_CACHE_DIR: '/tmp/lifeboat-e2e-restic-cache-locations', ...extra }),
    async cleanup() {
      await Promise.allSettled([sshd.cleanup(), s3.cleanup()]);
    },
  };
}
