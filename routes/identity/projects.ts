import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { GatewayEnv } from '../../src/core/context.ts';
import { badRequest, forbidden, notFound } from '../../src/core/faults.ts';
import type { ProjectRecord } from '../../src/identity/model.ts';
import { requireAdmin, requireProjectReader } from '../../src/identity/policy.ts';
import { projectView } from '../../src/identity/views.ts';
import { authOf, boolFilter, idn, listBody, router, v3Of } from './common.ts';
import { P, ProjectCreate, ProjectQuery, ProjectUpdate, TagsBody, json, listOf, noContent, oneOf } from './schemas.ts';
import { z } from '@hono/zod-openapi';
import { removeProject } from '../../src/identity/removal.ts';

// /v3/projects: a project is a Namespace; creating or deleting one creates or deletes it.

const tags = ['identity'];
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
const Project = oneOf('project');
const TagList = z.object({ tags: z.array(z.string()), links: z.looseObject({}).optional() });

const list = createRoute({ method: 'get', path: '/v3/projects', tags, summary: 'List projects', request: { query: ProjectQuery }, responses: { 200: json(listOf('projects'), 'Projects') } });
const create = createRoute({ method: 'post', path: '/v3/projects', tags, summary: 'Create a project (and its namespace)', request: body(ProjectCreate), responses: { 201: json(Project, 'Created') } });
const show = createRoute({ method: 'get', path: '/v3/projects/{id}', tags, summary: 'Show a project', request: { params: P.id }, responses: { 200: json(Project, 'Project') } });
const update = createRoute({ method: 'patch', path: '/v3/projects/{id}', tags, summary: 'Update a project', request: { params: P.id, ...body(ProjectUpdate) }, responses: { 200: json(Project, 'Updated') } });
const remove = createRoute({ method: 'delete', path: '/v3/projects/{id}', tags, summary: 'Delete a project (and its namespace)', request: { params: P.id }, responses: { 204: noContent } });
const listTags = createRoute({ method: 'get', path: '/v3/projects/{id}/tags', tags, summary: 'List project tags', request: { params: P.id }, responses: { 200: json(TagList, 'Tags') } });
const replaceTags = createRoute({ method: 'put', path: '/v3/projects/{id}/tags', tags, summary: 'Replace project tags', request: { params: P.id, ...body(TagsBody) }, responses: { 200: json(TagList, 'Tags') } });
const clearTags = createRoute({ method: 'delete', path: '/v3/projects/{id}/tags', tags, summary: 'Remove all project tags', request: { params: P.id }, responses: { 204: noContent } });
const checkTag = createRoute({ method: 'get', path: '/v3/projects/{id}/tags/{tag}', tags, summary: 'Check a project tag', request: { params: P.tag }, responses: { 204: noContent } });
const addTag = createRoute({ method: 'put', path: '/v3/projects/{id}/tags/{tag}', tags, summary: 'Add a project tag', request: { params: P.tag }, responses: { 201: noContent } });
const delTag = createRoute({ method: 'delete', path: '/v3/projects/{id}/tags/{tag}', tags, summary: 'Remove a project tag', request: { params: P.tag }, responses: { 204: noContent } });

/** The project, if the caller may see it; 404 alike for missing and hidden ones is wrong for Keystone, which says 403. */
async function visible(c: Context<GatewayEnv>, projectId: string, action: string): Promise<ProjectRecord> {
  const auth = authOf(c);
  requireProjectReader(auth, projectId, action);
  const p = await idn(c).projects.get(projectId);
  if (!p) throw notFound(`Could not find project: ${projectId}.`);
  return p;
}

async function writable(c: Context<GatewayEnv>, projectId: string, action: string): Promise<ProjectRecord> {
  requireAdmin(authOf(c), action);
  const p = await idn(c).projects.get(projectId);
  if (!p) throw notFound(`Could not find project: ${projectId}.`);
  return p;
}

const validTag = (tag: string) => {
  if (!tag || tag.length > 255 || /[,/]/.test(tag)) throw badRequest(`Invalid tag: ${tag}.`);
  return tag;
};

export const projectRoutes = router()
  .openapi(list, async (c) => {
    const auth = authOf(c);
    const q = c.req.valid('query');
    if (!auth.isAdmin) throw forbidden('You are not authorized to perform the requested action: identity:list_projects.');
    let items = await idn(c).projects.list(q.domain_id);
    const enabled = boolFilter(q.enabled);
    if (q.name !== undefined) items = items.filter((p) => p.name === q.name);
    if (enabled !== undefined) items = items.filter((p) => p.enabled === enabled);
    if (q.tags) items = items.filter((p) => q.tags?.split(',').every((t) => p.tags.includes(t)));
    if (q['tags-any']) items = items.filter((p) => q['tags-any']?.split(',').some((t) => p.tags.includes(t)));
    if (q.is_domain === 'true') items = [];
    return c.json(listBody(c, 'projects', items.map((p) => projectView(v3Of(c), p))), 200);
  })
  .openapi(create, async (c) => {
    const auth = authOf(c);
    requireAdmin(auth, 'identity:create_project');
    const id = idn(c);
    const { name, description, domain_id, enabled, tags: t, is_domain: _d, parent_id, ...extra } = c.req.valid('json').project;
    const domainId = domain_id ?? auth.claims.project?.domain.id ?? 'default';
    const domain = await id.domains.get(domainId);
    if (!domain) throw badRequest(`Could not find domain: ${domainId}.`);
    if (parent_id && parent_id !== domainId) throw badRequest('Project hierarchies are not supported; parent_id must be the domain.');
    const p = await id.projects.create({ name, description: description ?? '', domainId, enabled: enabled ?? true, tags: t ?? [], extra });
    // Roles the domain passes on to its projects (OS-INHERIT) hold here from the start.
    await id.assignments.applyInherited(p);
    return c.json({ project: projectView(v3Of(c), p) }, 201);
  })
  .openapi(show, async (c) => {
    const p = await visible(c, c.req.valid('param').id, 'identity:get_project');
    return c.json({ project: projectView(v3Of(c), p) }, 200);
  })
  .openapi(update, async (c) => {
    const id = idn(c);
    const p = await writable(c, c.req.valid('param').id, 'identity:update_project');
    const { name, description, enabled, tags: t, domain_id, ...extra } = c.req.valid('json').project;
    if (domain_id !== undefined && domain_id !== p.domainId) throw badRequest('Cannot change the domain of a project.');
    delete (extra as Record<string, unknown>).is_domain;
    delete (extra as Record<string, unknown>).parent_id;
    delete (extra as Record<string, unknown>).id;
    const out = await id.projects.update(p, { name, description, enabled, tags: t, ...(Object.keys(extra).length ? { extra } : {}) });
    // Disabling a project ends its tokens at once; enabling it does not bring them back.
    if (enabled === false && p.enabled) await id.revocations.revokeProject(p.id);
    return c.json({ project: projectView(v3Of(c), out) }, 200);
  })
  .openapi(remove, async (c) => {
    const id = idn(c);
    const p = await writable(c, c.req.valid('param').id, 'identity:delete_project');
    await removeProject(id, p);
    return c.body(null, 204);
  })
  .openapi(listTags, async (c) => {
    const p = await visible(c, c.req.valid('param').id, 'identity:list_project_tags');
    return c.json({ tags: p.tags }, 200);
  })
  .openapi(replaceTags, async (c) => {
    const p = await writable(c, c.req.valid('param').id, 'identity:update_project_tags');
    const out = await idn(c).projects.update(p, { tags: [...new Set(c.req.valid('json').tags)] });
    return c.json({ tags: out.tags }, 200);
  })
  .openapi(clearTags, async (c) => {
    const p = await writable(c, c.req.valid('param').id, 'identity:delete_project_tags');
    await idn(c).projects.update(p, { tags: [] });
    return c.body(null, 204);
  })
  .openapi(checkTag, async (c) => {
    const { id: pid, tag } = c.req.valid('param');
    const p = await visible(c, pid, 'identity:get_project_tag');
    if (!p.tags.includes(tag)) throw notFound(`Tag ${tag} not found for project ${pid}.`);
    return c.body(null, 204);
  })
  .openapi(addTag, async (c) => {
    const { id: pid, tag } = c.req.valid('param');
    const p = await writable(c, pid, 'identity:create_project_tag');
    validTag(tag);
    if (!p.tags.includes(tag)) {
      if (p.tags.length >= 80) throw badRequest('A project may have at most 80 tags.');
      await idn(c).projects.update(p, { tags: [...p.tags, tag] });
    }
    c.header('Location', `${v3Of(c)}/projects/${pid}/tags/${encodeURIComponent(tag)}`);
    return c.body(null, 201);
  })
  .openapi(delTag, async (c) => {
    const { id: pid, tag } = c.req.valid('param');
    const p = await writable(c, pid, 'identity:delete_project_tag');
    if (!p.tags.includes(tag)) throw notFound(`Tag ${tag} not found for project ${pid}.`);
    await idn(c).projects.update(p, { tags: p.tags.filter((t) => t !== tag) });
    return c.body(null, 204);
  });
