import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dns1035Label, dns1123Label, dns1123Subdomain, generateName, labelValue, qualifiedName } from '../../src/sandbox/apiserver/names.ts';

test('DNS-1123 subdomain with the apimachinery message', () => {
  assert.deepEqual(dns1123Subdomain('my-vm.example'), []);
  assert.deepEqual(dns1123Subdomain('Bad_Name'), [
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(dns1123Subdomain('a'.repeat(254))[0], 'must be no more than 253 characters');
});

test('DNS-1123 and DNS-1035 labels', () => {
  assert.deepEqual(dns1123Label('123-abc'), []);
  // A valid subdomain fails as a label only on its dots; apimachinery says so.
  assert.deepEqual(dns1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(dns1123Label('a_b'), [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.equal(dns1123Label('a'.repeat(64))[0], 'must be no more than 63 characters');
  assert.deepEqual(dns1035Label('abc-123'), []);
  assert.equal(dns1035Label('1abc').length, 1);
});

test('label values and keys', () => {
  assert.deepEqual(labelValue(''), []);
  assert.deepEqual(labelValue('My_Value.1'), []);
  assert.equal(labelValue('-bad').length, 1);
  assert.deepEqual(qualifiedName('kubevirt.io/vm'), []);
  assert.deepEqual(qualifiedName('app'), []);
  assert.ok(qualifiedName('Bad_Prefix/x').length > 0);
  assert.ok(qualifiedName('a/b/c').length > 0);
  assert.ok(qualifiedName('/x').length > 0);
});

test('generateName appends five characters from the Kubernetes alphabet', () => {
  const n = generateName('vm-');
  assert.match(n, /^vm-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(generateName('x'.repeat(70)).length, 63);
});
