/**
 * A self-signed certificate for `localhost` / `127.0.0.1`, generated once per process with openssl.
 * Clients trust it by passing the returned `cert` as their `ca`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSignedCert {
  /** PEM private key. */
  key: string;
  /** PEM certificate (CN=localhost, SAN IP:127.0.0.1, DNS:localhost and DNS:api.factify.test (the remote name the proxy cases use), valid 2 days). */
  cert: string;
}

const OPENSSL = '/usr/bin/openssl';
let cached: SelfSignedCert | undefined;

export function selfSignedCert(): SelfSignedCert {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'factify-cert-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      OPENSSL,
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:api.factify.test',
        '-days',
        '2',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    cached = { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
