/** Expiry awareness (src/core/expiry.ts): the badge and the once-a-day reminder, on a clock the tests set. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ApiKey } from '../../src/core/apiKey';
import {
  cachedExpiryBadge,
  decideReminder,
  expiringSoon,
  listOrganization,
  localDay,
  parseReminderRecord,
  readExpiryBadge,
  recordReminder,
  reminderMessage,
  storableReminderRecord,
  type OpenedList,
  type ReminderClock,
  type ReminderRecord,
} from '../../src/core/expiry';
import { makeKey } from './helpers/coreFixtures';

const NOW = Date.UTC(2026, 2, 1, 9, 30, 0);
const HOUR = 3_600_000;
const DAY = 86_400_000;
const ORG_A = 'org_01kdx2z2ab3cd4ef5gh6jk7mna';
const ORG_B = 'org_01kdx2z2ab3cd4ef5gh6jk7mnb';

let serial = 0;
function key(name: string, overrides: Partial<ApiKey> = {}): ApiKey {
  const id = `key_${String(++serial).padStart(26, '0')}`;
  return makeKey({ id, orgId: ORG_A, name, prefix: `ffy_prod_${serial}...`, updatedAt: undefined, ...overrides });
}

const keys: ApiKey[] = [
  key('Never expires'),
  key('In ten days', { expiresAt: NOW + 10 * DAY }),
  key('Tomorrow', { expiresAt: NOW + DAY + HOUR }),
  key('In twenty days', { expiresAt: NOW + 20 * DAY }),
  key('Already expired', { expiresAt: NOW - DAY }),
  key('Inactive, expiring', { isActive: false, expiresAt: NOW + 2 * DAY }),
  key('Revoked, expiring', { revokedAt: NOW - DAY, expiresAt: NOW + 2 * DAY }),
  key('In three hours', { expiresAt: NOW + 3 * HOUR }),
];

const utc = (nowMs: number): ReminderClock => ({ nowMs, utcOffsetMinutes: 0 });

describe('expiry badge', () => {
  test('counts only active keys expiring within the window; the tooltip says so', () => {
    assert.deepEqual(readExpiryBadge(keys, NOW, 14).badge, { value: 3, tooltip: '3 active keys expire within 14 days' });
    assert.deepEqual(readExpiryBadge(keys, NOW, 30).badge, { value: 4, tooltip: '4 active keys expire within 30 days' });
    assert.deepEqual(readExpiryBadge(keys, NOW, 1).badge, { value: 1, tooltip: '1 active key expires within 1 day' });
  });

  test('no badge when nothing expires within the window, or the window is 0', () => {
    assert.equal(readExpiryBadge(keys, NOW, 0).badge, undefined);
    assert.equal(readExpiryBadge([keys[0]!, keys[4]!], NOW, 14).badge, undefined);
    assert.equal(readExpiryBadge([], NOW, 14).badge, undefined);
  });

  test('the clock moves keys into and out of the count', () => {
    // Eleven days on, "In twenty days" is within 14 days; the three soonest have expired.
    assert.deepEqual(readExpiryBadge(keys, NOW + 11 * DAY, 14).badge?.value, 1);
    assert.equal(readExpiryBadge(keys, NOW + 21 * DAY, 14).badge, undefined);
  });

  test('the badge comes with the first moment a key enters the window or expires', () => {
    // "In three hours" expires first; "In twenty days" enters the 14-day window in six days.
    assert.equal(readExpiryBadge(keys, NOW, 14).untilMs, NOW + 3 * HOUR);
    assert.equal(readExpiryBadge(keys, NOW + 3 * HOUR, 14).untilMs, NOW + DAY + HOUR, '"Tomorrow" expires next');
    assert.equal(readExpiryBadge(keys, NOW + 2 * DAY, 14).untilMs, NOW + 6 * DAY, '"In twenty days" enters the window');
    assert.equal(readExpiryBadge(keys, NOW + 2 * DAY, 30).untilMs, NOW + 10 * DAY, 'in a 30-day window it already counts');
    assert.equal(readExpiryBadge(keys, NOW + 20 * DAY, 14).untilMs, Infinity, 'every key has expired: nothing changes any more');
    assert.equal(readExpiryBadge([keys[0]!, keys[5]!, keys[6]!], NOW, 14).untilMs, Infinity, 'never-expiring, inactive, revoked');
  });

  test('the cached badge is reused until a key crosses into the window or expires, and changes exactly then', () => {
    const list = [...keys];
    let shown = cachedExpiryBadge(list, NOW, 14);
    assert.deepEqual(shown, { value: 3, tooltip: '3 active keys expire within 14 days' });
    // Each moment a key's state changes: the millisecond before, the reading of the last change is reused as it
    // is (no new pass); at the moment itself, the badge is new, and says what a fresh one says.
    const changes: Array<[number, number | undefined]> = [
      [NOW + 3 * HOUR, 2], // "In three hours" expires
      [NOW + DAY + HOUR, 1], // "Tomorrow" expires
      [NOW + 6 * DAY, 2], // "In twenty days" enters the window
      [NOW + 10 * DAY, 1], // "In ten days" expires
      [NOW + 20 * DAY, undefined], // "In twenty days" expires
    ];
    for (const [at, value] of changes) {
      assert.equal(cachedExpiryBadge(list, at - 1, 14), shown, `reused until ${(at - NOW) / HOUR} h`);
      const next = cachedExpiryBadge(list, at, 14);
      assert.equal(next?.value, value, `at ${(at - NOW) / HOUR} h`);
      assert.deepEqual(next, readExpiryBadge(list, at, 14).badge);
      shown = next;
    }
    assert.equal(cachedExpiryBadge(list, NOW + 5_000 * DAY, 14), undefined);
  });

  test('a new list, a new warning window or a clock gone back reads the keys again', () => {
    const list = [...keys];
    const first = cachedExpiryBadge(list, NOW, 14);
    const copy = [...list];
    const again = cachedExpiryBadge(copy, NOW, 14);
    assert.notEqual(again, first, 'another array is another list');
    assert.deepEqual(again, first);
    assert.equal(cachedExpiryBadge([...list, key('Soon too', { expiresAt: NOW + HOUR })], NOW, 14)?.value, 4);
    assert.deepEqual(cachedExpiryBadge(list, NOW, 30), { value: 4, tooltip: '4 active keys expire within 30 days' });
    assert.equal(cachedExpiryBadge(list, NOW, 0), undefined);
    assert.equal(cachedExpiryBadge(list, NOW, 14)?.value, 3, 'back to 14 days');
    // Six days on, "In twenty days" counts; the clock then set back: the reading was for later, not for now.
    assert.equal(cachedExpiryBadge(list, NOW + 6 * DAY, 14)?.value, 2);
    assert.equal(cachedExpiryBadge(list, NOW, 14)?.value, 3);
  });

  test('the cached badge agrees with a fresh one at any moment, in any order of renders', () => {
    const list = [...keys, key('Next week', { expiresAt: NOW + 7 * DAY }), key('In two months', { expiresAt: NOW + 60 * DAY })];
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i++) {
      const at = NOW - DAY + Math.floor(random() * 70 * DAY);
      const days = [0, 1, 14, 30][Math.floor(random() * 4)]!;
      assert.deepEqual(cachedExpiryBadge(list, at, days), readExpiryBadge(list, at, days).badge, `at ${at - NOW} ms, ${days} days`);
    }
  });

  test('expiringSoon orders soonest first', () => {
    assert.deepEqual(
      expiringSoon(keys, NOW, 14).map((k) => k.name),
      ['In three hours', 'Tomorrow', 'In ten days'],
    );
  });
});

describe('expiry reminder', () => {
  const listA: OpenedList = { organizationId: ORG_A, keys };
  const listB: OpenedList = { organizationId: ORG_B, keys: [key('B soon', { orgId: ORG_B, expiresAt: NOW + 5 * DAY })] };

  test('an opened organization with expiring keys gets a reminder naming them, soonest first', () => {
    const reminder = decideReminder([listA], utc(NOW), 14, {});
    assert.ok(reminder);
    assert.equal(reminder.organizationId, ORG_A);
    assert.equal(reminder.day, '2026-03-01');
    assert.deepEqual(
      reminder.keys.map((k) => k.name),
      ['In three hours', 'Tomorrow', 'In ten days'],
    );
  });

  test('at most one a day per organization: the same day says nothing, the next local day reminds again', () => {
    const first = decideReminder([listA], utc(NOW), 14, {});
    assert.ok(first);
    const record = recordReminder({}, first);
    assert.deepEqual(record, { [ORG_A]: '2026-03-01' });
    assert.equal(decideReminder([listA], utc(NOW + 14 * HOUR), 14, record), undefined, 'later the same day (23:30 UTC)');
    assert.equal(decideReminder([listA], utc(NOW + 14 * HOUR + 29 * 60_000), 14, record), undefined, '23:59 UTC');
    const nextDay = decideReminder([listA], utc(NOW + 14 * HOUR + 31 * 60_000), 14, record);
    assert.equal(nextDay?.day, '2026-03-02', 'just after midnight');
    assert.deepEqual(
      nextDay?.keys.map((k) => k.name),
      ['Tomorrow', 'In ten days'],
      'the key that expired meanwhile is left out',
    );
  });

  test('"a day" is the local calendar day', () => {
    // 09:30 UTC is 18:30 in UTC+9: the local day ends 5.5 hours later, not 14.5.
    const tokyo = (nowMs: number): ReminderClock => ({ nowMs, utcOffsetMinutes: 9 * 60 });
    assert.equal(localDay(tokyo(NOW)), '2026-03-01');
    const record = recordReminder({}, decideReminder([listA], tokyo(NOW), 14, {})!);
    assert.equal(decideReminder([listA], tokyo(NOW + 5 * HOUR), 14, record), undefined);
    assert.equal(decideReminder([listA], tokyo(NOW + 6 * HOUR), 14, record)?.day, '2026-03-02');
    assert.equal(localDay({ nowMs: NOW, utcOffsetMinutes: -10 * 60 }), '2026-02-28');
  });

  test('a clock that went back (record in the future) never reminds twice', () => {
    assert.equal(decideReminder([listA], utc(NOW), 14, { [ORG_A]: '2026-03-05' }), undefined);
  });

  test('organizations are decided separately, one reminder per call', () => {
    const record: ReminderRecord = { [ORG_A]: '2026-03-01' };
    assert.equal(decideReminder([listA, listB], utc(NOW), 14, record)?.organizationId, ORG_B);
    const both = decideReminder([listA, listB], utc(NOW), 14, {});
    assert.equal(both?.organizationId, ORG_A, 'one at a time: the first opened list');
    assert.equal(decideReminder([listA, listB], utc(NOW), 14, { ...record, [ORG_B]: '2026-03-01' }), undefined);
  });

  test('nothing for an organization that was never opened, or has nothing expiring', () => {
    assert.equal(decideReminder([], utc(NOW), 14, {}), undefined);
    assert.equal(decideReminder([{ organizationId: ORG_A, keys: [keys[0]!, keys[3]!, keys[4]!] }], utc(NOW), 14, {}), undefined);
    assert.equal(decideReminder([listA], utc(NOW), 0, {}), undefined, 'a 0-day window never reminds');
  });

  test('the record keeps the most recent organizations and reads back defensively', () => {
    let record: ReminderRecord = {};
    for (let i = 0; i < 60; i++) {
      const day = new Date(NOW + i * DAY).toISOString().slice(0, 10);
      record = recordReminder(record, { organizationId: `org_${i}`, keys: [], day });
    }
    assert.equal(Object.keys(record).length, 50);
    assert.ok(!('org_0' in record) && 'org_59' in record, 'the oldest are forgotten');
    assert.deepEqual(parseReminderRecord({ a: '2026-03-01', b: 3, c: 'yesterday', d: null }), { a: '2026-03-01' });
    for (const junk of [undefined, null, 'x', 7, ['2026-03-01']]) assert.deepEqual(parseReminderRecord(junk), {});
  });

  test('the message names the soonest keys as plain, quoted text', () => {
    const reminder = decideReminder([listA], utc(NOW), 14, {})!;
    assert.equal(
      reminderMessage(reminder, NOW, 14, ORG_A),
      `3 Factify API keys of ${ORG_A} expire within 14 days: “In three hours” (in 3 hours), “Tomorrow” (tomorrow) and “In ten days” (next week).`,
    );
    const four = decideReminder([listA], utc(NOW), 30, {})!;
    assert.match(
      reminderMessage(four, NOW, 30, ORG_A),
      /: “In three hours” \(in 3 hours\), “Tomorrow” \(tomorrow\), “In ten days” \(next week\) and 1 more\.$/,
    );
    const one = decideReminder([listB], utc(NOW), 14, {})!;
    assert.equal(reminderMessage(one, NOW, 14, ORG_B), `Factify API key “B soon” of ${ORG_B} expires in 5 days.`);
    const two = decideReminder([{ organizationId: ORG_A, keys: [keys[2]!, keys[7]!] }], utc(NOW), 14, {})!;
    assert.match(reminderMessage(two, NOW, 14, ORG_A), /: “In three hours” \(in 3 hours\) and “Tomorrow” \(tomorrow\)\.$/);
  });

  test('hostile names and organization labels stay one line of plain text', () => {
    const hostile = key('Click [here](command:factify.signOut)\n\u202Eevil', { expiresAt: NOW + DAY });
    const message = reminderMessage(
      decideReminder([{ organizationId: ORG_A, keys: [hostile] }], utc(NOW), 14, {})!,
      NOW,
      14,
      'org\u0000\nx',
    );
    // eslint-disable-next-line no-control-regex -- control characters are what these assertions look for
    assert.ok(!/[\u0000-\u001f\u202e]/.test(message), JSON.stringify(message));
    assert.ok(
      message.includes('“Click [here](command:factify.signOut) \ufffdevil”'),
      'quoted as data, never turned into a link (messages are not Markdown)',
    );
  });

  test('only an organization id names an organization or keys the stored record', () => {
    const hostileOrg = '[Renew this key now](command:factify.signOut)';
    const hostileKeys = [key('Soon', { orgId: hostileOrg, expiresAt: NOW + DAY })];
    assert.equal(listOrganization(undefined, hostileKeys), undefined, "a bad org id is the token's own organization");
    assert.equal(listOrganization(undefined, [...hostileKeys, key('B', { orgId: ORG_B })]), ORG_B);
    assert.equal(listOrganization(ORG_A, hostileKeys), ORG_A, 'the organization asked for comes first');
    assert.equal(listOrganization('__proto__', []), undefined);
    assert.equal(decideReminder([{ organizationId: hostileOrg, keys: hostileKeys }], utc(NOW), 14, {}), undefined);
    assert.equal(decideReminder([{ organizationId: '__proto__', keys: hostileKeys }], utc(NOW), 14, {}), undefined);
    assert.deepEqual(storableReminderRecord({ [ORG_A]: '2026-03-01', [hostileOrg]: '2026-03-01', org_x: '2026-03-01' }), {
      [ORG_A]: '2026-03-01',
    });
  });
});
