/** What the view's rows should be, worked out from the server's own records by the key-state rules, and checks against them. */
import assert from 'node:assert/strict';
import { type FactifyServer, type RecordedRequest, type ServerApiKey } from '../server/factifyServer';

export type State = 'Active' | 'Expired' | 'Inactive' | 'Revoked';

export function stateOf(key: ServerApiKey, nowMs = Date.now()): State {
  if (key.revoked_at) return 'Revoked';
  if (key.expires_at && Date.parse(key.expires_at) <= nowMs) return 'Expired';
  if (!key.is_active) return 'Inactive';
  return 'Active';
}

export interface ExpectedGroup {
  label: State;
  count: number;
  names: string[];
}

export function expectedGroups(keys: readonly ServerApiKey[], includeRevoked: boolean): ExpectedGroup[] {
  const order: State[] = ['Active', 'Expired', 'Inactive', 'Revoked'];
  return order
    .filter((state) => includeRevoked || state !== 'Revoked')
    .map((state) => {
      const names = keys.filter((key) => stateOf(key) === state).map((key) => key.name);
      return { label: state, count: names.length, names: names.sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })) };
    })
    .filter((group) => group.count > 0);
}

export function expectedRowCount(groups: readonly ExpectedGroup[]): number {
  return groups.reduce((sum, group) => sum + 1 + group.names.length, 0);
}

/** Rows parsed back into groups: `Active 8` starts a group, `<name>, active API key, …` is a key. */
export function parseRows(rows: readonly string[]): { label: string; count: string; names: string[] }[] {
  const groups: { label: string; count: string; names: string[] }[] = [];
  for (const row of rows) {
    const group = /^(Active|Expired|Inactive|Revoked) (\d+(?: of \d+)?)$/.exec(row);
    if (group) {
      groups.push({ label: group[1] as string, count: group[2] as string, names: [] });
      continue;
    }
    const current = groups.at(-1);
    assert.ok(current, `key row before any group row: ${row}`);
    const match = new RegExp(`^(.*), ${current.label.toLowerCase()} API key, (.*)$`).exec(row);
    assert.ok(match, `row "${row}" does not say it is ${current.label}`);
    current.names.push(match[1] as string);
  }
  return groups;
}

/** Asserts that the rows show exactly these groups, counts and key names. */
export function assertGroups(rows: readonly string[], expected: readonly ExpectedGroup[]): void {
  const parsed = parseRows(rows);
  assert.deepEqual(
    parsed.map((group) => ({ label: group.label, count: group.count, names: [...group.names].sort() })),
    expected.map((group) => ({ label: group.label, count: String(group.count), names: [...group.names].sort() })),
  );
}

export function keyNamed(api: FactifyServer, orgId: string, name: string): ServerApiKey {
  const key = api.keysOf(orgId).find((candidate) => candidate.name === name);
  assert.ok(key, `no key named ${name} in ${orgId}`);
  return key;
}

export function requestsOf(api: FactifyServer, method: string): RecordedRequest[] {
  return api.requests.filter((request) => request.method === method);
}
