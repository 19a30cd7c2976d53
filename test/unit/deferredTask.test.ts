/**
 * DeferredTask (src/core/deferredTask.ts): a task runs after the turn that scheduled it and after every timer that
 * turn queued (where the view's rows are built), wherever the turn came from; only the newest task runs; none
 * after dispose. Every test waits for the task itself, never for a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { DeferredTask } from '../../src/core/deferredTask';
import { deferred } from './helpers/waitFor';

/** Schedules a task, then queues what the view does for the same change: a timer whose work ends in microtasks. */
function scheduleThenRender(task: DeferredTask, order: string[], done: () => void): void {
  task.schedule(() => {
    order.push('task');
    done();
  });
  setTimeout(() => {
    order.push('rows asked for');
    void Promise.resolve()
      .then(() => undefined)
      .then(() => order.push('rows built'));
  }, 0);
  void Promise.resolve().then(() => order.push('the turn’s microtasks'));
}

const AFTER_THE_ROWS = ['the turn’s microtasks', 'rows asked for', 'rows built', 'task'];

test('runs after the turn, and after the timer that turn queued later, with its microtasks: from plain code', async () => {
  const order: string[] = [];
  const ran = deferred();
  scheduleThenRender(new DeferredTask(), order, ran.resolve);
  await ran.promise;
  assert.deepEqual(order, AFTER_THE_ROWS);
});

test('the same when the change came from I/O (a list read from the network), where setImmediate alone comes first', async () => {
  const order: string[] = [];
  const ran = deferred();
  fs.readFile(__filename, () => scheduleThenRender(new DeferredTask(), order, ran.resolve));
  await ran.promise;
  assert.deepEqual(order, AFTER_THE_ROWS);
});

test('the same when the change came from a timer (a retry after a wait)', async () => {
  const order: string[] = [];
  const ran = deferred();
  setTimeout(() => scheduleThenRender(new DeferredTask(), order, ran.resolve), 0);
  await ran.promise;
  assert.deepEqual(order, AFTER_THE_ROWS);
});

test('a task scheduled while one waits replaces it: only the newest runs', async () => {
  const task = new DeferredTask();
  const ran: string[] = [];
  const newest = deferred();
  task.schedule(() => ran.push('first list'));
  task.schedule(() => ran.push('second list'));
  await new Promise<void>((resolve) => setImmediate(resolve)); // the first wait is half over
  task.schedule(() => {
    ran.push('third list');
    newest.resolve();
  });
  await newest.promise;
  assert.deepEqual(ran, ['third list']);
});

test('dispose drops the waiting task, and nothing scheduled afterwards runs', async () => {
  const task = new DeferredTask();
  const ran: string[] = [];
  task.schedule(() => ran.push('before dispose'));
  task.dispose();
  task.schedule(() => ran.push('after dispose'));
  // Another task scheduled now waits as long as those would have: once it ran, they would have too.
  const control = deferred();
  new DeferredTask().schedule(control.resolve);
  await control.promise;
  assert.deepEqual(ran, []);
});
