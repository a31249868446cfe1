import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIsoTime } from '../../src/core/time.ts';

test('ISO 8601 timestamps parse as UTC unless zoned; other date shapes are refused', () => {
  assert.equal(parseIsoTime('2011-01-01'), Date.UTC(2011, 0, 1));
  assert.equal(parseIsoTime('2011-01-01T10:20:30'), Date.UTC(2011, 0, 1, 10, 20, 30));
  assert.equal(parseIsoTime('2011-01-01 10:20'), Date.UTC(2011, 0, 1, 10, 20));
  assert.equal(parseIsoTime('2011-01-01T10:20:30.5Z'), Date.UTC(2011, 0, 1, 10, 20, 30, 500));
  assert.equal(parseIsoTime('2011-01-01T10:20:30+02:00'), Date.UTC(2011, 0, 1, 8, 20, 30));
  assert.equal(parseIsoTime('2011-01-01T10:20:30-0130'), Date.UTC(2011, 0, 1, 11, 50, 30));
  assert.equal(parseIsoTime('2011-01-01T10:20:30+05'), Date.UTC(2011, 0, 1, 5, 20, 30));
  for (const bad of ['2011/01/01', 'yesterday', '2011-13-45', '', '2011-01-01T25:00', '1300000000']) assert.equal(parseIsoTime(bad), undefined, bad);
});
