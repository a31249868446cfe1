import { z } from '@hono/zod-openapi';
import { badRequest, notFound } from '../../src/core/faults.ts';
import { VA } from '../../src/volume/model.ts';
import { createType, deleteType, getType, listTypes, patchType } from '../../src/volume/types.ts';
import { volumeTypeView } from '../../src/volume/views.ts';
import { Project, ProjectId, boolOf, ctxOf, entity, jsonBody, metadataOf, ok, optString, requireAdmin, route, router, viewerOf } from './common.ts';

// /types (cinder/api/v3/types.py, contrib/types_manage.py, types_extra_specs.py,
// volume_type_access.py): StorageClasses as volume types.

const W = 'volume types';
const TypeKey = ProjectId.extend({ key: z.string() });
const listRoute = route('get', '/{project_id}/types', W, 'List volume types', ok('Types'), Project);
const showRoute = route('get', '/{project_id}/types/{id}', W, 'Show a volume type (or `default`)', ok('Type'), ProjectId);
const createRoute = route('post', '/{project_id}/types', W, 'Create a volume type (admin)', ok('Type'), Project);
const updateRoute = route('put', '/{project_id}/types/{id}', W, 'Update a volume type (admin)', ok('Type'), ProjectId);
const deleteRoute = route('delete', '/{project_id}/types/{id}', W, 'Delete a volume type (admin)', { 202: { description: 'Deleted' } }, ProjectId);
const specsList = route('get', '/{project_id}/types/{id}/extra_specs', W, 'List extra specs', ok('Extra specs'), ProjectId);
const specsCreate = route('post', '/{project_id}/types/{id}/extra_specs', W, 'Set extra specs (admin)', ok('Extra specs'), ProjectId);
const specShow = route('get', '/{project_id}/types/{id}/extra_specs/{key}', W, 'Show an extra spec', ok('Extra spec'), TypeKey);
const specPut = route('put', '/{project_id}/types/{id}/extra_specs/{key}', W, 'Set an extra spec (admin)', ok('Extra spec'), TypeKey);
const specDelete = route('delete', '/{project_id}/types/{id}/extra_specs/{key}', W, 'Delete an extra spec (admin)', { 202: { description: 'Deleted' } }, TypeKey);
const accessList = route('get', '/{project_id}/types/{id}/os-volume-type-access', W, 'List projects with access to a private type (admin)', ok('Access'), ProjectId);
const actionRoute = route('post', '/{project_id}/types/{id}/action', W, 'addProjectAccess / removeProjectAccess (admin)', { 202: { description: 'Accepted' } }, ProjectId);

const RULE = 'volume_extension:types_manage';

export const typeRoutes = router()
  .openapi(listRoute, async (c) => {
    const viewer = viewerOf(c);
    const types = await listTypes(ctxOf(c));
    return c.json({ volume_types: types.map((t) => volumeTypeView(viewer, t)) }, 200);
  })
  .openapi(showRoute, async (c) => c.json({ volume_type: volumeTypeView(viewerOf(c), await getType(ctxOf(c), c.req.valid('param').id)) }, 200))
  .openapi(createRoute, async (c) => {
    requireAdmin(c, RULE);
    const req = await entity(c, 'volume_type');
    const name = optString(req, 'name');
    if (!name?.trim()) throw badRequest('Invalid input for field/attribute name. The name of a volume type is required.');
    const isPublic = req['os-volume-type-access:is_public'] ?? req.is_public;
    const t = await createType(ctxOf(c), {
      name: name.trim(),
      description: optString(req, 'description') ?? null,
      isPublic: isPublic === undefined ? true : boolOf(isPublic, 'is_public'),
      extraSpecs: req.extra_specs === undefined ? {} : metadataOf(req.extra_specs, 'extra_specs'),
    });
    return c.json({ volume_type: volumeTypeView(viewerOf(c), t, 'create') }, 200);
  })
  .openapi(updateRoute, async (c) => {
    requireAdmin(c, RULE);
    const ctx = ctxOf(c);
    const req = await entity(c, 'volume_type');
    const t = await getType(ctx, c.req.valid('param').id);
    const ann: Record<string, string | null> = {};
    const name = optString(req, 'name');
    if (name !== undefined && name !== null) ann[VA.name] = name;
    const description = optString(req, 'description');
    if (description !== undefined) ann[VA.typeDescription] = description;
    if (req.is_public !== undefined) ann[VA.isPublic] = String(boolOf(req.is_public, 'is_public'));
    if (Object.keys(ann).length === 0) throw badRequest('Specify volume type name, description, is_public or a combination thereof.');
    return c.json({ volume_type: volumeTypeView(viewerOf(c), await patchType(ctx, t, ann), 'update') }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    requireAdmin(c, RULE);
    const ctx = ctxOf(c);
    await deleteType(ctx, await getType(ctx, c.req.valid('param').id));
    return c.body(null, 202);
  })
  .openapi(specsList, async (c) => c.json({ extra_specs: volumeTypeView(viewerOf(c), await getType(ctxOf(c), c.req.valid('param').id)).extra_specs as Record<string, string> }, 200))
  .openapi(specsCreate, async (c) => {
    requireAdmin(c, RULE);
    const ctx = ctxOf(c);
    const specs = metadataOf(((await jsonBody(c)) as Record<string, unknown>)?.extra_specs, 'extra_specs');
    const t = await getType(ctx, c.req.valid('param').id);
    await patchType(ctx, t, { [VA.extraSpecs]: JSON.stringify({ ...t.extraSpecs, ...specs }) });
    // Cinder answers with the specs it was given (merged into the type's).
    return c.json({ extra_specs: specs }, 200);
  })
  .openapi(specShow, async (c) => {
    const { id, key } = c.req.valid('param');
    const specs = volumeTypeView(viewerOf(c), await getType(ctxOf(c), id)).extra_specs as Record<string, string>;
    if (specs[key] === undefined) throw notFound(`Volume Type ${id} has no extra specs with key ${key}.`);
    return c.json({ [key]: specs[key] }, 200);
  })
  .openapi(specPut, async (c) => {
    requireAdmin(c, RULE);
    const ctx = ctxOf(c);
    const { id, key } = c.req.valid('param');
    const body = metadataOf(await jsonBody(c), 'extra_specs');
    if (Object.keys(body).length !== 1) throw badRequest('Request body contains too many items.');
    if (body[key] === undefined) throw badRequest('Request body and URI mismatch');
    const t = await getType(ctx, id);
    await patchType(ctx, t, { [VA.extraSpecs]: JSON.stringify({ ...t.extraSpecs, ...body }) });
    return c.json(body, 200);
  })
  .openapi(specDelete, async (c) => {
    requireAdmin(c, RULE);
    const ctx = ctxOf(c);
    const { id, key } = c.req.valid('param');
    const t = await getType(ctx, id);
    if (t.extraSpecs[key] === undefined) throw notFound(`Volume Type ${id} has no extra specs with key ${key}.`);
    const { [key]: _, ...rest } = t.extraSpecs;
    await patchType(ctx, t, { [VA.extraSpecs]: JSON.stringify(rest) });
    return c.body(null, 202);
  })
  .openapi(accessList, async (c) => {
    requireAdmin(c, 'volume_extension:volume_type_access');
    const t = await getType(ctxOf(c), c.req.valid('param').id);
    if (t.isPublic) throw notFound(`Access list not available for public volume types.`);
    return c.json({ volume_type_access: t.projects.map((project_id) => ({ volume_type_id: t.id, project_id })) }, 200);
  })
  .openapi(actionRoute, async (c) => {
    requireAdmin(c, 'volume_extension:volume_type_access');
    const ctx = ctxOf(c);
    const raw = (await jsonBody(c)) as Record<string, Record<string, unknown> | undefined>;
    const t = await getType(ctx, c.req.valid('param').id);
    if (t.isPublic) throw badRequest('Invalid volume type: Type access modification is not applicable to public volume type.');
    const add = raw?.addProjectAccess?.project;
    const remove = raw?.removeProjectAccess?.project;
    if (typeof add === 'string') {
      if (t.projects.includes(add)) throw badRequest(`Volume type access for ${t.id} / ${add} combination already exists.`);
      await patchType(ctx, t, { [VA.projects]: JSON.stringify([...t.projects, add]) });
    } else if (typeof remove === 'string') {
      if (!t.projects.includes(remove)) throw notFound(`Volume type access not found for ${t.id} / ${remove} combination.`);
      await patchType(ctx, t, { [VA.projects]: JSON.stringify(t.projects.filter((p) => p !== remove)) });
    } else throw badRequest('Invalid request body: addProjectAccess or removeProjectAccess with a project is expected.');
    return c.body(null, 202);
  });
