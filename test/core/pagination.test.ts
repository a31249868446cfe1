import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiFault, notFound } from '../../src/core/faults.ts';
import { nextLinks, nextPageUrl, pageRequest, paginate } from '../../src/core/pagination.ts';

const items = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
const page = (limit?: number, marker?: string) =>
  paginate(items, { limit, marker }, (i) => i.id, (m) => notFound(`marker ${m} not found`));

describe('pagination', () => {
  test('no limit: everything after the marker, no next', () => {
    assert.deepEqual(page(undefined, 'b'), { items: [{ id: 'c' }, { id: 'd' }, { id: 'e' }], next: undefined });
  });
  test('pages carry a marker until the last one', () => {
    assert.deepEqual(page(2), { items: [{ id: 'a' }, { id: 'b' }], next: 'b' });
    assert.deepEqual(page(2, 'b'), { items: [{ id: 'c' }, { id: 'd' }], next: 'd' });
    assert.deepEqual(page(2, 'd'), { items: [{ id: 'e' }], next: undefined });
  });
  test('an exact last page has no next link', () => {
    assert.equal(page(5).next, undefined);
    assert.equal(page(1, 'd').next, undefined);
  });
  test('an unknown marker is the caller-worded error', () => {
    assert.throws(() => page(2, 'zz'), (e: unknown) => e instanceof ApiFault && e.status === 404);
  });
  test('limit parsing', () => {
    assert.deepEqual(pageRequest(new URLSearchParams('limit=3&marker=x')), { limit: 3, marker: 'x' });
    assert.deepEqual(pageRequest(new URLSearchParams('limit=5000'), 1000), { limit: 1000, marker: undefined });
    assert.throws(() => pageRequest(new URLSearchParams('limit=-1')), (e: unknown) => e instanceof ApiFault && e.status === 400);
  });
  test("each service's next link", () => {
    const href = nextPageUrl('http://h/r/compute/v2.1/servers?limit=2&marker=a', 'b');
    assert.equal(href, 'http://h/r/compute/v2.1/servers?limit=2&marker=b');
    assert.deepEqual(nextLinks.collection('servers', href), { servers_links: [{ rel: 'next', href }] });
    assert.deepEqual(nextLinks.collection('servers', undefined), {});
    assert.deepEqual(nextLinks.glance(undefined), {});
    assert.deepEqual(nextLinks.keystone('http://h/x', undefined), { links: { self: 'http://h/x', previous: null, next: null } });
  });
});
