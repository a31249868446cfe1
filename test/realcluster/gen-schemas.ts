// Generates test/realcluster/crds/schemas.json: structural OpenAPI v3 schemas for the lane's
// KubeVirt and CDI CRDs, derived from the reference data (KubeVirt's swagger definitions, CDI's
// CRD YAML), without descriptions. Run when the reference data changes:
//   npx tsx test/realcluster/gen-schemas.ts [reference dir, default ../shared/reference/kubevirt]
// Embedded metadata and RawExtension keep unknown fields, Quantity/IntOrString are
// int-or-string, and a type that refers to itself is cut off with preserve-unknown-fields.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

type Schema = Record<string, unknown>;

const REF_DIR = process.argv[2] ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'kubevirt');
const OUT = join(import.meta.dirname, 'crds', 'schemas.json');

/** CRD name → KubeVirt swagger definition. */
const KUBEVIRT: Record<string, string> = {
  'virtualmachines.kubevirt.io': 'v1.VirtualMachine',
  'virtualmachineinstances.kubevirt.io': 'v1.VirtualMachineInstance',
  'virtualmachineinstancemigrations.kubevirt.io': 'v1.VirtualMachineInstanceMigration',
  'virtualmachineinstancetypes.instancetype.kubevirt.io': 'v1beta1.VirtualMachineInstancetype',
  'virtualmachineclusterinstancetypes.instancetype.kubevirt.io': 'v1beta1.VirtualMachineClusterInstancetype',
  'virtualmachinepreferences.instancetype.kubevirt.io': 'v1beta1.VirtualMachinePreference',
  'virtualmachineclusterpreferences.instancetype.kubevirt.io': 'v1beta1.VirtualMachineClusterPreference',
  'virtualmachinesnapshots.snapshot.kubevirt.io': 'v1beta1.VirtualMachineSnapshot',
  'virtualmachinesnapshotcontents.snapshot.kubevirt.io': 'v1beta1.VirtualMachineSnapshotContent',
  'virtualmachinerestores.snapshot.kubevirt.io': 'v1beta1.VirtualMachineRestore',
  // export.kubevirt.io v1beta1 has the shape of v1 (the swagger lists v1 only).
  'virtualmachineexports.export.kubevirt.io': 'v1.VirtualMachineExport',
};

/** CRD name → CDI CRD file (v1beta1 schema). */
const CDI: Record<string, string> = {
  'datavolumes.cdi.kubevirt.io': 'datavolume.yaml',
  'datasources.cdi.kubevirt.io': 'datasource.yaml',
  'cdiconfigs.cdi.kubevirt.io': 'cdiconfig.yaml',
  'storageprofiles.cdi.kubevirt.io': 'storageprofile.yaml',
};

const PRESERVE: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const INT_OR_STRING: Schema = { 'x-kubernetes-int-or-string': true };

function fromSwagger(defs: Record<string, Schema>, s: Schema, stack: string[]): Schema {
  const ref = s.$ref as string | undefined;
  if (ref) {
    const name = ref.split('/').pop() as string;
    if (/\.(Quantity|IntOrString)$/.test(name)) return INT_OR_STRING;
    if (/\.(Time|MicroTime)$/.test(name)) return { type: 'string', format: 'date-time', nullable: true };
    if (/\.(ObjectMeta|RawExtension)$/.test(name) || stack.includes(name)) return PRESERVE;
    const def = defs[name];
    if (!def) throw new Error(`missing definition ${name}`);
    return fromSwagger(defs, def, [...stack, name]);
  }
  if (Array.isArray(s.type)) return INT_OR_STRING;
  if (s.type === 'array') return { type: 'array', items: s.items ? fromSwagger(defs, s.items as Schema, stack) : PRESERVE };
  if (s.type === 'object' || s.properties || s.additionalProperties) {
    const props = s.properties as Record<string, Schema> | undefined;
    if (props) {
      const out: Schema = { type: 'object', properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, fromSwagger(defs, v, stack)])) };
      if (Array.isArray(s.required) && s.required.length) out.required = s.required;
      return out;
    }
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      return { type: 'object', additionalProperties: fromSwagger(defs, s.additionalProperties as Schema, stack) };
    }
    return PRESERVE;
  }
  if (typeof s.type === 'string') return s.format && ['int32', 'int64', 'double', 'float'].includes(s.format as string) ? { type: s.type, format: s.format } : { type: s.type };
  return { 'x-kubernetes-preserve-unknown-fields': true };
}

/** The CRD's own schema, minus descriptions. */
function strip(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(strip);
  if (s && typeof s === 'object') return Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'description').map(([k, v]) => [k, strip(v)]));
  return s;
}

const swagger = JSON.parse(readFileSync(join(REF_DIR, 'kubevirt-swagger-v1.9.0.json'), 'utf8')) as { definitions: Record<string, Schema> };
const out: Record<string, Schema> = {};
for (const [crd, def] of Object.entries(KUBEVIRT)) {
  const root = fromSwagger(swagger.definitions, swagger.definitions[def] as Schema, [def]);
  // The apiserver owns top-level metadata.
  delete (root.properties as Record<string, Schema>).metadata;
  out[crd] = root;
}
for (const [crd, file] of Object.entries(CDI)) {
  const doc = parse(readFileSync(join(REF_DIR, 'cdi-crds', file), 'utf8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] } };
  const v = doc.spec.versions.find((x) => x.name === 'v1beta1');
  if (!v) throw new Error(`${file}: no v1beta1`);
  out[crd] = strip(v.schema.openAPIV3Schema) as Schema;
}
writeFileSync(OUT, `${JSON.stringify(out)}\n`);
console.error(`wrote ${OUT} (${Object.keys(out).length} schemas, ${Math.round(JSON.stringify(out).length / 1024)} KiB)`);
