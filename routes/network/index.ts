import { badRequest } from '../../src/core/faults.ts';
import { netContext, nfault } from '../../src/network/context.ts';
import { EXTENSIONS, extensionView } from '../../src/network/extensions.ts';
import { ensureInfra } from '../../src/network/networks.ts';
import { listBody, pickFields } from '../../src/network/query.ts';
import { DEFAULT_QUOTAS, listQuotas, quotaDetails, resetQuota, showQuota, updateQuota } from '../../src/network/quotas.ts';
import { addInterface, changeRoutes, removeInterface, routerView } from '../../src/network/routers.ts';
import { checkTag, resourceBody, type Body } from '../../src/network/validate.ts';
import { listNodes, zoneOfNode } from '../../src/compute/zones.ts';
import { type Collection, COLLECTIONS, segmentOf } from './collections.ts';
import { jsonBody, param, route, router } from './common.ts';

// Neutron v2.0 under /<region>/network/v2.0: the collections of collections.ts as REST
// routes (list with filters/fields/sort/paging, show, create incl. bulk, update, delete,
// tags), router interface and extra-route actions, quotas, extensions, availability zones.

export const networkRoutes = router();

// The shared pod network and the external network exist before any call needs them.
networkRoutes.use('*', async (c, next) => {
  await ensureInfra(netContext(c));
  await next();
});

function collectionRoutes(col: Collection) {
  const seg = segmentOf(col);
  const base = (c: Parameters<typeof netContext>[0]) => `${c.get('baseUrl')}`;
  networkRoutes.openapi(route('get', `/${seg}`, `List ${col.plural}`, 200), async (c) => {
    const ctx = netContext(c);
    return c.json(listBody(col.plural, await col.list(ctx), c.req.url, base(c)) as never, 200);
  });
  networkRoutes.openapi(route('get', `/${seg}/{id}`, `Show a ${col.singular}`, 200), async (c) => {
    const view = await col.show(netContext(c), param(c, 'id'));
    return c.json({ [col.singular]: pickFields(view, new URL(c.req.url).searchParams) } as never, 200);
  });
  const create = col.create;
  if (create) {
    networkRoutes.openapi(route('post', `/${seg}`, `Create ${col.plural}`, 201), async (c) => {
      const ctx = netContext(c);
      const body = (await jsonBody(c)) as Record<string, unknown>;
      if (col.bulk && body && Array.isArray(body[col.plural])) {
        const items = body[col.plural] as unknown[];
        const made: Record<string, unknown>[] = [];
        try {
          for (const item of items) {
            if (!item || typeof item !== 'object' || Array.isArray(item)) throw badRequest(`Resource body required: ${col.singular}`);
            made.push(await create(ctx, item as Body));
          }
        } catch (err) {
          // Bulk creates are all or nothing.
          for (const v of made.reverse()) await col.remove?.(ctx, String(v.id)).catch(() => {});
          throw err;
        }
        return c.json({ [col.plural]: made } as never, 201);
      }
      return c.json({ [col.singular]: await create(ctx, resourceBody(body, col.singular)) } as never, 201);
    });
  }
  const update = col.update;
  if (update) {
    networkRoutes.openapi(route('put', `/${seg}/{id}`, `Update a ${col.singular}`, 200), async (c) => {
      const ctx = netContext(c);
      const b = resourceBody(await jsonBody(c), col.singular);
      return c.json({ [col.singular]: await update(ctx, param(c, 'id'), b) } as never, 200);
    });
  }
  const remove = col.remove;
  if (remove) {
    networkRoutes.openapi(route('delete', `/${seg}/{id}`, `Delete a ${col.singular}`, 204), async (c) => {
      await remove(netContext(c), param(c, 'id'));
      return c.body(null, 204);
    });
  }
  const tagged = col.tagged;
  if (tagged) {
    const setTags = async (c: Parameters<typeof netContext>[0], change: (tags: string[]) => string[]) => {
      const ctx = netContext(c);
      const { rec, kind } = await tagged(ctx, param(c, 'id'));
      const client = rec.projectId === ctx.caller.projectId || ctx.caller.isAdmin ? ctx.user : ctx.gw;
      const out = await ctx.store.update(kind, client, rec, (cur) => ({ attrs: { ...cur.attrs, tags: change((cur.attrs.tags as string[] | undefined) ?? []) } }));
      return (out.attrs.tags as string[] | undefined) ?? [];
    };
    networkRoutes.openapi(route('get', `/${seg}/{id}/tags`, `List tags of a ${col.singular}`, 200), async (c) => {
      const { rec } = await tagged(netContext(c), param(c, 'id'));
      return c.json({ tags: (rec.attrs.tags as string[] | undefined) ?? [] } as never, 200);
    });
    networkRoutes.openapi(route('get', `/${seg}/{id}/tags/{tag}`, `Check a tag of a ${col.singular}`, 204), async (c) => {
      const { rec } = await tagged(netContext(c), param(c, 'id'));
      const tag = decodeURIComponent(param(c, 'tag'));
      if (!((rec.attrs.tags as string[] | undefined) ?? []).includes(tag)) throw nfault(404, 'TagNotFound', `Tag ${tag} could not be found for ${col.singular} ${rec.id}.`);
      return c.body(null, 204);
    });
    networkRoutes.openapi(route('put', `/${seg}/{id}/tags`, `Replace the tags of a ${col.singular}`, 200), async (c) => {
      const body = (await jsonBody(c)) as { tags?: unknown };
      if (!Array.isArray(body?.tags) || body.tags.some((t) => typeof t !== 'string')) throw badRequest('Invalid input for tags. Reason: a list of strings is required.');
      const wanted = [...new Set((body.tags as string[]).map(checkTag))];
      return c.json({ tags: await setTags(c, () => wanted) } as never, 200);
    });
    networkRoutes.openapi(route('put', `/${seg}/{id}/tags/{tag}`, `Add a tag to a ${col.singular}`, 201), async (c) => {
      const tag = checkTag(decodeURIComponent(param(c, 'tag')));
      await setTags(c, (t) => (t.includes(tag) ? t : [...t, tag]));
      return c.body(null, 201);
    });
    networkRoutes.openapi(route('delete', `/${seg}/{id}/tags`, `Remove every tag of a ${col.singular}`, 204), async (c) => {
      await setTags(c, () => []);
      return c.body(null, 204);
    });
    networkRoutes.openapi(route('delete', `/${seg}/{id}/tags/{tag}`, `Remove a tag from a ${col.singular}`, 204), async (c) => {
      const tag = decodeURIComponent(param(c, 'tag'));
      const ctx = netContext(c);
      const { rec } = await tagged(ctx, param(c, 'id'));
      if (!((rec.attrs.tags as string[] | undefined) ?? []).includes(tag)) throw nfault(404, 'TagNotFound', `Tag ${tag} could not be found for ${col.singular} ${rec.id}.`);
      await setTags(c, (t) => t.filter((x) => x !== tag));
      return c.body(null, 204);
    });
  }
}

for (const col of COLLECTIONS) collectionRoutes(col);

networkRoutes
  .openapi(route('put', '/routers/{id}/add_router_interface', 'Add an interface to a router', 200), async (c) => {
    const b = (await jsonBody(c)) as Body;
    return c.json((await addInterface(netContext(c), param(c, 'id'), b ?? {})) as never, 200);
  })
  .openapi(route('put', '/routers/{id}/remove_router_interface', 'Remove an interface from a router', 200), async (c) => {
    const b = (await jsonBody(c)) as Body;
    return c.json((await removeInterface(netContext(c), param(c, 'id'), b ?? {})) as never, 200);
  })
  .openapi(route('put', '/routers/{id}/add_extraroutes', 'Add extra routes to a router', 200), async (c) => {
    return c.json({ router: routerView(await changeRoutes(netContext(c), param(c, 'id'), await jsonBody(c), true)) } as never, 200);
  })
  .openapi(route('put', '/routers/{id}/remove_extraroutes', 'Remove extra routes from a router', 200), async (c) => {
    return c.json({ router: routerView(await changeRoutes(netContext(c), param(c, 'id'), await jsonBody(c), false)) } as never, 200);
  })
  .openapi(route('get', '/extensions', 'List API extensions', 200), (c) => c.json({ extensions: EXTENSIONS.map(extensionView) } as never, 200))
  .openapi(route('get', '/extensions/{alias}', 'Show an API extension', 200), (c) => {
    const e = EXTENSIONS.find((x) => x.alias === param(c, 'alias'));
    if (!e) throw nfault(404, 'HTTPNotFound', `Extension with alias ${param(c, 'alias')} does not exist`);
    return c.json({ extension: extensionView(e) } as never, 200);
  })
  .openapi(route('get', '/availability_zones', 'List availability zones', 200), async (c) => {
    const ctx = netContext(c);
    const zones = [...new Set((await listNodes(ctx.gw)).map(zoneOfNode))].sort();
    // The id only gives the list a stable order for paging; it is dropped from the view.
    const all = zones.flatMap((name) => ['network', 'router'].map((resource) => ({ name, resource, state: 'available' })));
    const body = listBody('availability_zones', all.map((z) => ({ id: `${z.resource}/${z.name}`, ...z })), c.req.url, c.get('baseUrl'));
    const zonesOut = (body.availability_zones as Record<string, unknown>[]).map(({ id: _id, ...z }) => z);
    return c.json({ ...body, availability_zones: zonesOut } as never, 200);
  })
  .openapi(route('get', '/quotas', 'List quotas of projects with non-default quotas', 200), async (c) => {
    const ctx = netContext(c);
    if (!ctx.caller.isAdmin) throw nfault(403, 'AdminRequired', 'User does not have admin privileges: Cannot list quotas.');
    return c.json({ quotas: await listQuotas(ctx) } as never, 200);
  })
  .openapi(route('get', '/quotas/{project}', 'Show the quotas of a project', 200), async (c) => {
    return c.json({ quota: await showQuota(netContext(c), param(c, 'project')) } as never, 200);
  })
  .openapi(route('get', '/quotas/{project}/default', 'Show the default quotas', 200), (c) => c.json({ quota: { ...DEFAULT_QUOTAS } } as never, 200))
  .openapi(route('get', '/quotas/{project}/details', 'Show quota usage of a project', 200), async (c) => {
    return c.json({ quota: await quotaDetails(netContext(c), param(c, 'project')) } as never, 200);
  })
  // Neutron takes a `.json` format suffix; Tempest asks for the details that way.
  .openapi(route('get', '/quotas/{project}/details.json', 'Show quota usage of a project', 200), async (c) => {
    return c.json({ quota: await quotaDetails(netContext(c), param(c, 'project')) } as never, 200);
  })
  .openapi(route('put', '/quotas/{project}', 'Update the quotas of a project', 200), async (c) => {
    return c.json({ quota: await updateQuota(netContext(c), param(c, 'project'), await jsonBody(c)) } as never, 200);
  })
  .openapi(route('delete', '/quotas/{project}', 'Reset the quotas of a project', 204), async (c) => {
    await resetQuota(netContext(c), param(c, 'project'));
    return c.body(null, 204);
  });
