import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiFault, faultBody } from '../../src/core/faults.ts';
import { toFault } from '../../src/core/errors.ts';
import { ConflictError, NotFoundError, UnauthorizedError, UnavailableError } from '../../src/kube/index.ts';

describe('fault bodies', () => {
  const nf = new ApiFault(404, 'Server x could not be found.');
  test('nova and cinder name the fault', () => {
    assert.deepEqual(faultBody('compute', nf), { itemNotFound: { code: 404, message: 'Server x could not be found.' } });
    assert.deepEqual(faultBody('volume', new ApiFault(409, 'busy')), { conflictingRequest: { code: 409, message: 'busy' } });
    assert.deepEqual(faultBody('compute', new ApiFault(406, 'v')), { computeFault: { code: 406, message: 'v' } });
  });
  test('keystone uses error', () => {
    assert.deepEqual(faultBody('identity', new ApiFault(401, 'no')), { error: { code: 401, title: 'Unauthorized', message: 'no' } });
  });
  test('neutron uses NeutronError with a type', () => {
    assert.deepEqual(faultBody('network', new ApiFault(404, 'Network x could not be found.', { type: 'NetworkNotFound' })), {
      NeutronError: { type: 'NetworkNotFound', message: 'Network x could not be found.', detail: '' },
    });
    assert.equal((faultBody('network', new ApiFault(400, 'x')) as { NeutronError: { type: string } }).NeutronError.type, 'HTTPBadRequest');
  });
  test('glance uses the webob JSON body', () => {
    assert.deepEqual(faultBody('image', nf), { code: '404 Not Found', title: 'Not Found', message: 'Server x could not be found.' });
  });
});

describe('the error mapper', () => {
  test('Kubernetes errors become faults', () => {
    assert.equal(toFault(new NotFoundError(404, 'NotFound', 'gone')).status, 404);
    assert.equal(toFault(new ConflictError(409, 'Conflict', 'stale')).status, 409);
    assert.equal(toFault(new UnavailableError(503, 'ServiceUnavailable', 'down')).status, 503);
    // The gateway's own credential refused is the region's problem, not the user's.
    assert.equal(toFault(new UnauthorizedError(401, 'Unauthorized', 'bad token')).status, 503);
  });
  test('a bug is a 500 that says nothing of its cause', () => {
    const f = toFault(new TypeError('secret detail'));
    assert.equal(f.status, 500);
    assert.doesNotMatch(f.message, /secret/);
  });
});
