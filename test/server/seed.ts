/**
 * Seed data for the test Factify server: identities (organizations, users, tokens) and API keys.
 *
 * Everything is deterministic: identifiers and tokens are the same on every run, and key timestamps are
 * computed relative to the `now` passed in, so tests can pin time and get byte-identical data.
 */
import type { ServerApiKey } from './factifyServer';

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz'; // lower-case Crockford base32
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DAY_MS = 86_400_000;
/** Time component of seeded ULID-like ids (2025-11-01), so ids and prefixes look like `01k8…`. */
const ID_EPOCH_MS = Date.UTC(2025, 10, 1);

/** Small, fast, deterministic PRNG (sfc32) seeded from a string label. */
class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(label: string) {
    // cyrb128-style string hash spread over the four state words.
    let h1 = 1779033703;
    let h2 = 3144134277;
    let h3 = 1013904242;
    let h4 = 2773480762;
    for (let i = 0; i < label.length; i++) {
      const k = label.charCodeAt(i);
      h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
      h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
      h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
      h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
    }
    this.a = h1 >>> 0;
    this.b = h2 >>> 0;
    this.c = h3 >>> 0;
    this.d = h4 >>> 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
}

/** A millisecond timestamp as the 10 base32 characters that start a ULID. */
function encodeTime(timeMs: number): string {
  let out = '';
  let t = timeMs;
  for (let i = 0; i < 10; i++) {
    out = BASE32[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** 26 lower-case Crockford base32 characters shaped like a ULID: 10 of time, 16 of randomness. */
function ulid(timeMs: number, rng: SeededRandom): string {
  return encodeTime(timeMs) + rng.chars(BASE32, 16);
}

function typedId(prefix: string, timeMs: number, rng: SeededRandom): string {
  return `${prefix}_${ulid(timeMs, rng)}`;
}

/** A token: `ffy_<env>_<26 base32><20 base62>`. */
function token(env: string, timeMs: number, rng: SeededRandom): string {
  return `ffy_${env}_${ulid(timeMs, rng)}${rng.chars(BASE62, 20)}`;
}

/** The displayed start of a key's secret: `ffy_<env>_`, 8 base32 characters of its ULID, then `...`. */
function keyPrefix(env: string, timeMs: number, rng: SeededRandom): string {
  return `ffy_${env}_${encodeTime(timeMs).slice(0, 3)}${rng.chars(BASE32, 5)}...`;
}

export interface SeedIdentities {
  orgs: { primary: string; secondary: string; staffHome: string };
  users: { admin: string; member: string; staff: string; otherOrgAdmin: string; secondaryMember: string };
  /**
   * Each accepted token is a listed key of its organization, whose prefix (less `...`) starts the token, as
   * the real API works: admin and member of primary, admin (`otherOrgAdmin`) and member of secondary, and the
   * staff token of staffHome. `unknown` is well-formed but not accepted.
   */
  tokens: { staff: string; admin: string; member: string; otherOrgAdmin: string; secondaryMember: string; unknown: string };
  /** The name of the key each accepted token is. */
  tokenKeys: { staff: string; admin: string; member: string; otherOrgAdmin: string; secondaryMember: string };
}

type OrgName = keyof SeedIdentities['orgs'];
type TokenName = keyof SeedIdentities['tokenKeys'];

/** Which seeded key each token is. Keys the tests revoke are avoided, so a token outlives them. */
const TOKEN_KEYS: Readonly<Record<TokenName, readonly [OrgName, string]>> = {
  admin: ['primary', 'Local development'],
  member: ['primary', 'Support dashboard'],
  otherOrgAdmin: ['secondary', 'Production API'],
  secondaryMember: ['secondary', 'Nightly reporting job'],
  staff: ['staffHome', 'Internal admin tooling'],
};

function buildIdentities(): SeedIdentities {
  const rng = new SeededRandom('factify-seed-identities');
  const at = (days: number): number => ID_EPOCH_MS - days * DAY_MS;
  const orgs = {
    primary: typedId('org', at(400), rng),
    secondary: typedId('org', at(380), rng),
    staffHome: typedId('org', at(900), rng),
  };
  const users = {
    admin: typedId('usr', at(399), rng),
    member: typedId('usr', at(300), rng),
    staff: typedId('usr', at(899), rng),
    otherOrgAdmin: typedId('usr', at(379), rng),
    secondaryMember: typedId('usr', at(370), rng),
  };
  // Prefixes do not depend on the time the keys are dated from.
  const keys = seedKeysOf(orgs, users, new Date(ID_EPOCH_MS));
  const tokenOf = (name: TokenName): string => {
    const [org, keyName] = TOKEN_KEYS[name];
    const key = keys.get(orgs[org])?.find((candidate) => candidate.name === keyName);
    if (!key) throw new Error(`seed: no key “${keyName}” in ${org}`);
    // `ffy_<env>_` + the 8 base32 characters the prefix shows + 18 more + 20 base62.
    return `${key.prefix.replace(/\.\.\.$/, '')}${rng.chars(BASE32, 18)}${rng.chars(BASE62, 20)}`;
  };
  const tokenKeys = Object.fromEntries(
    Object.entries(TOKEN_KEYS).map(([name, [, keyName]]) => [name, keyName]),
  ) as SeedIdentities['tokenKeys'];
  return {
    orgs,
    users,
    tokens: {
      staff: tokenOf('staff'),
      admin: tokenOf('admin'),
      member: tokenOf('member'),
      otherOrgAdmin: tokenOf('otherOrgAdmin'),
      secondaryMember: tokenOf('secondaryMember'),
      unknown: token('test', at(6), rng),
    },
    tokenKeys,
  };
}

export const SEED: SeedIdentities = buildIdentities();

interface KeySpec {
  name: string;
  env?: 'prod' | 'test';
  createdDaysAgo: number;
  updatedDaysAgo?: number;
  /** Days from now; negative = in the past; null = never expires. */
  expiresInDays: number | null;
  isActive?: boolean;
  revoked?: { daysAgo: number; by: string; comment: string | null };
}

function buildKeys(orgId: string, specs: readonly KeySpec[], now: Date): ServerApiKey[] {
  const rng = new SeededRandom(`factify-seed-keys:${orgId}`);
  const nowMs = now.getTime();
  const iso = (daysFromNow: number): string => new Date(nowMs + daysFromNow * DAY_MS).toISOString();
  return specs.map((spec, index) => {
    const idTime = ID_EPOCH_MS + index * 3_600_000;
    const updatedDaysAgo = spec.revoked?.daysAgo ?? spec.updatedDaysAgo ?? spec.createdDaysAgo;
    return {
      id: typedId('key', idTime, rng),
      org_id: orgId,
      name: spec.name,
      prefix: keyPrefix(spec.env ?? 'prod', idTime, rng),
      created_at: iso(-spec.createdDaysAgo),
      updated_at: iso(-updatedDaysAgo),
      is_active: spec.isActive ?? true,
      expires_at: spec.expiresInDays === null ? null : iso(spec.expiresInDays),
      revoked_at: spec.revoked ? iso(-spec.revoked.daysAgo) : null,
      revoked_by: spec.revoked ? spec.revoked.by : null,
      revoked_comment: spec.revoked ? spec.revoked.comment : null,
    };
  });
}

/**
 * The seeded keys of every organization, timestamps relative to `now`.
 *
 * Primary organization: every state — active (several), active expiring in 3 days, expired (still
 * `is_active`), inactive, revoked with a comment, revoked while `is_active` is still true ("revoked wins"),
 * never-expiring.
 */
export function seedKeys(now: Date): Map<string, ServerApiKey[]> {
  return seedKeysOf(SEED.orgs, SEED.users, now);
}

function seedKeysOf(orgs: SeedIdentities['orgs'], users: SeedIdentities['users'], now: Date): Map<string, ServerApiKey[]> {
  const primary: KeySpec[] = [
    { name: 'CI deploy', createdDaysAgo: 120, updatedDaysAgo: 30, expiresInDays: 200 },
    { name: 'Billing webhook', createdDaysAgo: 400, expiresInDays: null },
    { name: 'Data warehouse sync', createdDaysAgo: 75, expiresInDays: 90 },
    { name: 'Mobile app backend', createdDaysAgo: 20, expiresInDays: 365 },
    { name: 'Support dashboard', createdDaysAgo: 87, expiresInDays: 3 },
    { name: 'Staging smoke tests', env: 'test', createdDaysAgo: 95, expiresInDays: -5 },
    { name: 'Legacy importer', createdDaysAgo: 300, updatedDaysAgo: 40, expiresInDays: 60, isActive: false },
    {
      name: 'Partner integration (Acme & Co.)',
      createdDaysAgo: 210,
      expiresInDays: 155,
      isActive: false,
      revoked: { daysAgo: 12, by: users.admin, comment: 'Rotated after the contractor *offboarding* <see ticket #4821>' },
    },
    {
      name: 'Old CI token',
      createdDaysAgo: 500,
      expiresInDays: null,
      revoked: { daysAgo: 45, by: users.admin, comment: null },
    },
    { name: 'Analytics export', createdDaysAgo: 60, expiresInDays: 30 },
    { name: 'Zapier automation', createdDaysAgo: 33, expiresInDays: null },
    { name: 'Local development', env: 'test', createdDaysAgo: 5, expiresInDays: 45 },
  ];
  const secondary: KeySpec[] = [
    { name: 'Production API', createdDaysAgo: 180, expiresInDays: 185 },
    { name: 'Nightly reporting job', createdDaysAgo: 90, expiresInDays: null },
    { name: 'Sandbox', env: 'test', createdDaysAgo: 70, expiresInDays: -10 },
    {
      name: 'Old integration',
      createdDaysAgo: 365,
      expiresInDays: null,
      isActive: false,
      revoked: { daysAgo: 100, by: users.otherOrgAdmin, comment: 'No longer used' },
    },
  ];
  const staffHome: KeySpec[] = [
    { name: 'Internal admin tooling', createdDaysAgo: 250, expiresInDays: 115 },
    { name: 'Support audit export', createdDaysAgo: 15, expiresInDays: null },
  ];
  return new Map([
    [orgs.primary, buildKeys(orgs.primary, primary, now)],
    [orgs.secondary, buildKeys(orgs.secondary, secondary, now)],
    [orgs.staffHome, buildKeys(orgs.staffHome, staffHome, now)],
  ]);
}

const SERVICES = [
  'Billing',
  'Checkout',
  'Search',
  'Analytics',
  'Reporting',
  'Inventory',
  'Notifications',
  'Payments',
  'Onboarding',
  'Audit',
  'Support',
  'Marketing',
  'Warehouse',
  'Mobile',
  'Partner',
  'Compliance',
];
const PURPOSES = ['webhook', 'sync', 'deploy', 'export', 'import', 'backend', 'worker', 'cron job', 'integration', 'dashboard'];
const REVOKE_REASONS = ['rotated', 'Leaked in a build log', 'Service decommissioned', 'Owner left the team'];

/**
 * `n` deterministic keys for `orgId` in mixed states: about 80% active (some never expiring, some expiring
 * soon), 8% expired, 6% inactive and 6% revoked. Revocations are attributed to the seeded admin user.
 */
export function generateKeys(orgId: string, n: number, now: Date): ServerApiKey[] {
  const rng = new SeededRandom(`factify-generated-keys:${orgId}`);
  const nowMs = now.getTime();
  const iso = (ms: number): string => new Date(ms).toISOString();
  const keys: ServerApiKey[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const idTime = ID_EPOCH_MS + i * 1000;
    const createdMs = nowMs - (1 + rng.int(730)) * DAY_MS - rng.int(DAY_MS);
    const roll = rng.next();
    let expiresMs: number | null = rng.next() < 0.3 ? null : nowMs + (1 + rng.int(365)) * DAY_MS;
    let isActive = true;
    let revoked: { atMs: number; comment: string | null } | null = null;
    if (roll >= 0.8 && roll < 0.88) {
      expiresMs = createdMs + Math.floor((nowMs - createdMs) * rng.next());
    } else if (roll >= 0.88 && roll < 0.94) {
      isActive = false;
    } else if (roll >= 0.94) {
      isActive = rng.next() < 0.2;
      revoked = {
        atMs: createdMs + Math.floor((nowMs - createdMs) * rng.next()),
        comment: rng.next() < 0.5 ? null : rng.pick(REVOKE_REASONS),
      };
    }
    const createdAt = iso(createdMs);
    keys[i] = {
      id: typedId('key', idTime, rng),
      org_id: orgId,
      name: `${rng.pick(SERVICES)} ${rng.pick(PURPOSES)} ${i + 1}`,
      prefix: keyPrefix(rng.next() < 0.85 ? 'prod' : 'test', idTime, rng),
      created_at: createdAt,
      updated_at: revoked ? iso(revoked.atMs) : createdAt,
      is_active: isActive,
      expires_at: expiresMs === null ? null : iso(expiresMs),
      revoked_at: revoked ? iso(revoked.atMs) : null,
      revoked_by: revoked ? SEED.users.admin : null,
      revoked_comment: revoked ? revoked.comment : null,
    };
  }
  return keys;
}
