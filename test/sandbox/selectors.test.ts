import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/sandbox/apiserver/errors.ts';
import { fromLabelSelectorObject, matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from '../../src/sandbox/apiserver/selectors.ts';

const m = (sel: string, labels: Record<string, string>) => matchLabels(parseLabelSelector(sel), labels);

test('label selector operators', () => {
  const l = { app: 'web', tier: 'front', n: '5' };
  assert.equal(m('app=web', l), true);
  assert.equal(m('app==web', l), true);
  assert.equal(m('app!=web', l), false);
  assert.equal(m('app!=db', {}), true);
  assert.equal(m('app in (db, web)', l), true);
  assert.equal(m('app notin (web)', l), false);
  assert.equal(m('app notin (web)', {}), true);
  assert.equal(m('tier', l), true);
  assert.equal(m('!tier', l), false);
  assert.equal(m('!missing', l), true);
  assert.equal(m('app=web,tier=back', l), false);
  assert.equal(m('n>4,n<6', l), true);
  assert.equal(m('', l), true);
  assert.equal(m('app=', { app: '' }), true);
});

test('label selector syntax errors are 400s', () => {
  for (const bad of ['app in web', 'app in (web', '=web', 'app=web,,', 'a b']) {
    assert.throws(() => parseLabelSelector(bad), (e: unknown) => e instanceof ApiError && e.code === 400, bad);
  }
});

test('metav1.LabelSelector objects', () => {
  const sel = fromLabelSelectorObject({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'Exists' }, { key: 'c', operator: 'NotIn', values: ['x'] }] });
  assert.equal(matchLabels(sel, { a: '1', b: '' }), true);
  assert.equal(matchLabels(sel, { a: '1', b: '', c: 'x' }), false);
  assert.equal(matchLabels(sel, { a: '1' }), false);
});

test('field selectors', () => {
  const reqs = parseFieldSelector('metadata.name=a,status.phase!=Running');
  assert.deepEqual(reqs, [
    { field: 'metadata.name', op: '=', value: 'a' },
    { field: 'status.phase', op: '!=', value: 'Running' },
  ]);
  const get = (f: Record<string, string>) => (k: string) => f[k];
  assert.equal(matchFields(reqs, get({ 'metadata.name': 'a', 'status.phase': 'Pending' })), true);
  assert.equal(matchFields(reqs, get({ 'metadata.name': 'a', 'status.phase': 'Running' })), false);
  assert.deepEqual(parseFieldSelector('metadata.name==x\\,y'), [{ field: 'metadata.name', op: '=', value: 'x,y' }]);
  assert.throws(() => parseFieldSelector('nonsense'), (e: unknown) => e instanceof ApiError && e.code === 400);
});
