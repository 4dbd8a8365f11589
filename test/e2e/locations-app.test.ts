// An app of lifeboat.yaml with three locations (local disk, SFTP, S3): init --app creates all
// three, backup --app writes to all, a location down makes it exit 4 and `locations --app`
// show it behind, `sync --app` brings it level, and restic reads every location.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { s3ServerAvailable } from '../../src/backend/s3-server.test-util.js';
import { sshdAvailable } from '../../src/backend/sshd.test-util.js';
import { writeDataFile } from './support/data.js';
import { startNetLocations, type NetLocations } from './support/net-locations.js';
import { describe as show, expectExit, lifeboat, parseJsonOutput, restic, TempDir } from './support/run.js';

const skip = sshdAvailable() && s3ServerAvailable() ? false : 'needs root, /usr/sbin/sshd, s3rver and openssl';
let net: NetLocations;
let tmp: TempDir;

before(async () => {
  if (skip) return;
  net = await startNetLocations();
  tmp = new TempDir('lifeboat-e2e-app-locations-');
});
after(async () => {
  await net?.cleanup();
  tmp?.cleanup();
});

describe('an app over three locations', { skip, timeout: 600_000 }, () => {
  it('init, backup with one location down (exit 4), locations, sync, and restic check on each', async () => {
    const src = tmp.join('site');
    mkdirSync(join(src, 'uploads'), { recursive: true });
    writeDataFile(join(src, 'uploads', 'a.bin'), 5 * 1024 * 1024, 'app-loc');
    writeFileSync(join(src, 'config.yml'), 'x: 1\n');
    const pw = tmp.join('pw');
    writeFileSync(pw, 'app locations password\n', { mode: 0o600 });
    const sftpDir = join(net.sshd.dataDir, 'app-site');
    const urls = { disk: tmp.join('disk-repo'), ssh: net.sftpUrl(sftpDir), bucket: net.s3Url('app/site') };
    const cfg = tmp.join('lifeboat.yaml');
    writeFileSync(
      cfg,
      `locations:\n${Object.entries(urls).map(([n, u]) => `  ${n}: { url: "${u}", password_file: ${pw} }`).join('\n')}\n` +
        `apps:\n  site:\n    sources: [{ files: { paths: [${src}] } }]\n    locations: [disk, ssh, bucket]\n`,
    );
    const run = (args: string[]) => lifeboat({}, [...args, '-c', cfg], { env: net.lifeboatEnv({ LIFEBOAT_STATE_DIR: tmp.join('state') }), timeoutMs: 300_000 });

    const init = expectExit(run(['init', '--app', 'site', '--json']), 0);
    assert.deepEqual((parseJsonOutput(init)[0] as { locations: { status: string }[] }).locations.map((l) => l.status), ['created', 'created', 'created']);

    await net.sshd.stop();
    let backup;
    try {
      backup = run(['backup', '--app', 'site', '--json']);
    } finally {
      await net.sshd.start();
    }
    assert.equal(backup.status, 4, show(backup));
    const result = (parseJsonOutput(backup)[0] as { apps: { snapshotId: string; behind: string[] }[] }).apps[0]!;
    assert.deepEqual(result.behind, ['ssh']);
    assert.match(backup.stderr, /missing from ssh; fix them and run "lifeboat sync --app site"/);

    const status = parseJsonOutput(expectExit(run(['locations', '--app', 'site', '--json']), 0))[0] as { locations: { name: string; snapshotsBehind: number; behindSince?: { reason: string } }[] };
    assert.deepEqual(status.locations.map((l) => [l.name, l.snapshotsBehind]), [['disk', 0], ['ssh', 1], ['bucket', 0]]);
    assert.match(status.locations[1]!.behindSince?.reason ?? '', /connect/);
    const text = expectExit(run(['locations', '--app', 'site']), 0);
    assert.match(text.stdout, /ssh \(sftp:.*\)\n  snapshots:  0\n  behind:     1 snapshot\(s\), [\d.]+ MiB; run "lifeboat sync"/);

    const sync = expectExit(run(['sync', '--app', 'site']), 0);
    assert.match(sync.stdout, /ssh: up to date \(\d+ file\(s\), .* copied, 1 snapshot\(s\) added\)/);
    const after = parseJsonOutput(expectExit(run(['locations', '--app', 'site', '--json']), 0))[0] as { locations: { snapshotsBehind: number; bytesBehind: number; latest?: { id: string } }[] };
    for (const l of after.locations) {
      assert.equal(l.snapshotsBehind, 0);
      assert.equal(l.bytesBehind, 0);
      assert.equal(l.latest?.id, result.snapshotId);
    }
    // Every location is an ordinary restic repository holding the app snapshot.
    for (const r of [urls.disk, net.resticSftpUrl(sftpDir), urls.bucket]) {
      const c = restic({}, ['-r', r, ...net.resticArgs(), 'check', '--read-data'], { env: net.resticEnv({ RESTIC_PASSWORD_FILE: pw }) });
      assert.equal(c.status, 0, show(c));
    }
    // A passed check is recorded and shown.
    expectExit(lifeboat({}, ['check', '-r', urls.bucket], { env: net.lifeboatEnv({ LIFEBOAT_PASSWORD_FILE: pw, LIFEBOAT_STATE_DIR: tmp.join('state') }) }), 0);
    const checked = parseJsonOutput(expectExit(run(['locations', '--app', 'site', '--json']), 0))[0] as { locations: { lastCheck?: string }[] };
    assert.ok(checked.locations[2]!.lastCheck && !checked.locations[0]!.lastCheck);
  });
});
