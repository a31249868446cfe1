import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterViews, listBody, pickFields, sortViews } from '../../src/network/query.ts';

// Neutron list semantics on plain views: filters, fields, sorting, paging links.

const views = [
  { id: 'b', name: 'two', shared: true, tags: ['x', 'y'], fixed_ips: [{ subnet_id: 's1', ip_address: '10.0.0.5' }] },
  { id: 'a', name: 'one', shared: false, tags: ['x'], fixed_ips: [{ subnet_id: 's2', ip_address: '10.1.0.7' }] },
  { id: 'c', name: 'three', shared: false, tags: [], fixed_ips: [] },
];
const q = (s: string) => new URLSearchParams(s);

test('filters: attributes (repeated values ORed), booleans, list elements, substrings, tags', () => {
  assert.deepEqual(filterViews(views, q('name=one&name=two')).map((v) => v.id), ['b', 'a']);
  assert.deepEqual(filterViews(views, q('shared=True')).map((v) => v.id), ['b']);
  assert.deepEqual(filterViews(views, q('shared=false')).map((v) => v.id), ['a', 'c']);
  assert.deepEqual(filterViews(views, q('fixed_ips=ip_address=10.1.0.7')).map((v) => v.id), ['a']);
  assert.deepEqual(filterViews(views, q('fixed_ips=ip_address_substr=10.0.')).map((v) => v.id), ['b']);
  assert.deepEqual(filterViews(views, q('tags=x,y')).map((v) => v.id), ['b']);
  assert.deepEqual(filterViews(views, q('tags-any=y')).map((v) => v.id), ['b']);
  assert.deepEqual(filterViews(views, q('not-tags-any=x')).map((v) => v.id), ['c']);
});

test('fields keep exactly the asked keys; sorting by keys and direction', () => {
  assert.deepEqual(pickFields(views[0] as Record<string, unknown>, q('fields=id&fields=name')), { id: 'b', name: 'two' });
  assert.deepEqual(sortViews(views, q('')).map((v) => v.id), ['a', 'b', 'c']);
  assert.deepEqual(sortViews(views, q('sort_key=name&sort_dir=desc')).map((v) => v.id), ['b', 'c', 'a']); // two, three, one
  assert.throws(() => sortViews(views, q('sort_dir=sideways')));
});

test('paging: limit and marker with a next link, none on the last page', () => {
  const first = listBody('things', views, 'http://h/v2.0/things?limit=2');
  assert.deepEqual((first.things as { id: string }[]).map((v) => v.id), ['a', 'b']);
  const links = first.things_links as { rel: string; href: string }[];
  assert.equal(links[0]?.rel, 'next');
  assert.match(links[0]?.href ?? '', /marker=b/);
  const last = listBody('things', views, 'http://h/v2.0/things?limit=2&marker=b');
  assert.deepEqual((last.things as { id: string }[]).map((v) => v.id), ['c']);
  assert.ok(!(last.things_links as { rel: string }[]).some((l) => l.rel === 'next'));
});
