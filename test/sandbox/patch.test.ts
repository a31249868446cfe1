import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/sandbox/apiserver/errors.ts';
import { type Json, jsonPatch, mergePatch, strategicMergePatch } from '../../src/sandbox/apiserver/patch.ts';

test('JSON merge patch (RFC 7386)', () => {
  assert.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3], n: null }), { a: 1, b: { d: 3, e: 4 }, l: [3] });
  assert.deepEqual(mergePatch({ a: 1 }, [1] as Json), [1]);
});

test('JSON patch (RFC 6902) operations', () => {
  const doc: Json = { a: { b: 1 }, l: ['x', 'y'] };
  const out = jsonPatch(doc, [
    { op: 'add', path: '/a/c', value: 2 },
    { op: 'add', path: '/l/-', value: 'z' },
    { op: 'add', path: '/l/0', value: 'w' },
    { op: 'remove', path: '/l/1' },
    { op: 'replace', path: '/a/b', value: 10 },
    { op: 'copy', from: '/a/b', path: '/copied' },
    { op: 'move', from: '/a/c', path: '/moved' },
    { op: 'test', path: '/moved', value: 2 },
    { op: 'add', path: '/a~1b', value: 'slash' },
  ]);
  assert.deepEqual(out, { a: { b: 10 }, l: ['w', 'y', 'z'], copied: 10, moved: 2, 'a/b': 'slash' });
  assert.deepEqual(doc, { a: { b: 1 }, l: ['x', 'y'] }, 'input untouched');
});

test('JSON patch failures are 422s and apply nothing', () => {
  const fails = (ops: unknown) => assert.throws(() => jsonPatch({ a: 1 }, ops), (e: unknown) => e instanceof ApiError && e.code === 422);
  fails([{ op: 'test', path: '/a', value: 2 }]);
  fails([{ op: 'remove', path: '/missing' }]);
  fails([{ op: 'replace', path: '/missing', value: 1 }]);
  fails([{ op: 'add', path: '/x/y', value: 1 }]);
  fails([{ op: 'bogus', path: '/a' }]);
  assert.throws(() => jsonPatch({}, { op: 'add' }), (e: unknown) => e instanceof ApiError && e.code === 400);
});

test('strategic merge patch merges named lists and honours $patch', () => {
  const pod: Json = { spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }], args: ['x'] } };
  const out = strategicMergePatch(pod, {
    spec: { containers: [{ name: 'b', image: 'b:2' }, { name: 'c', image: 'c:1' }, { name: 'a', $patch: 'delete' }], args: ['y'] },
  });
  assert.deepEqual(out, { spec: { containers: [{ name: 'b', image: 'b:2' }, { name: 'c', image: 'c:1' }], args: ['y'] } });
  assert.deepEqual(strategicMergePatch({ m: { a: 1, b: 2 } }, { m: { $patch: 'replace', c: 3 } }), { m: { c: 3 } });
  assert.deepEqual(strategicMergePatch({ a: 1 }, { $setElementOrder: [], b: 2 }), { a: 1, b: 2 });
});
