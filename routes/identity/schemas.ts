import { z } from '@hono/zod-openapi';

// Keystone v3 request and response schemas (keystone/api-ref samples). Requests are checked
// strictly where Keystone is strict; responses are described, extra keys allowed (Keystone
// returns a resource's "extra" attributes at the top level).

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
export const noContent = { description: 'No content' };

const Id = z.string().min(1).max(64);
const Name = z.string().min(1).max(255);
/** Keystone's names of projects and domains: at most 64 characters, not only blanks. */
const ResourceName = z.string().min(1).max(64).regex(/\S/, 'must not be blank');
const Text = z.string().max(65535).nullable();
const DomainRef = z.object({ id: Id.optional(), name: Name.optional() });
const NameOrId = z.object({ id: Id.optional(), name: Name.optional(), domain: DomainRef.optional() });

// ---- POST /v3/auth/tokens ----
export const AuthBody = z
  .object({
    auth: z.object({
      identity: z.object({
        methods: z.array(z.string()).min(1),
        password: z.object({ user: NameOrId.extend({ password: z.string().max(4096) }) }).optional(),
        token: z.object({ id: z.string().min(1).max(8192) }).optional(),
        application_credential: z
          .object({ id: Id.optional(), name: Name.optional(), secret: z.string().max(4096), user: NameOrId.optional() })
          .optional(),
      }),
      scope: z
        .union([
          z.literal('unscoped'),
          z.object({
            project: NameOrId.optional(),
            domain: DomainRef.optional(),
            system: z.object({ all: z.boolean().optional() }).optional(),
            'OS-TRUST:trust': z.object({ id: z.string() }).optional(),
          }),
        ])
        .optional(),
    }),
  })
  .openapi('AuthRequest');

export const Loose = z.looseObject({});
export const TokenResponse = z.object({ token: Loose }).openapi('Token');
export const CatalogResponse = z.object({ catalog: z.array(Loose), links: Loose.optional() });
export const Links = z.object({ self: z.string(), previous: z.string().nullable(), next: z.string().nullable() });
export const listOf = (key: string) => z.object({ [key]: z.array(Loose), links: Links });
export const oneOf = (key: string) => z.object({ [key]: Loose });

export const NoCatalog = z.object({ nocatalog: z.string().optional(), allow_expired: z.string().optional() });

// ---- resources ----
const Enabled = z.boolean();
const Tag = z.string().min(1).max(255).regex(/^[^,/]*$/, 'tags may not contain "," or "/"');
const Tags = z.array(Tag).max(80);

export const ProjectCreate = z.object({
  project: z.looseObject({
    name: ResourceName,
    description: Text.optional(),
    domain_id: Id.optional(),
    enabled: Enabled.optional(),
    is_domain: z.literal(false).optional(),
    parent_id: Id.nullable().optional(),
    tags: Tags.optional(),
  }),
});
export const ProjectUpdate = z.object({
  project: z.looseObject({
    name: ResourceName.optional(),
    description: Text.optional(),
    enabled: Enabled.optional(),
    tags: Tags.optional(),
    domain_id: Id.optional(),
  }),
});
export const TagsBody = z.object({ tags: Tags });

export const DomainCreate = z.object({
  domain: z.object({ name: ResourceName, description: Text.optional(), enabled: Enabled.optional(), explicit_domain_id: Id.optional(), tags: Tags.optional() }),
});
export const DomainUpdate = z.object({ domain: z.object({ name: ResourceName.optional(), description: Text.optional(), enabled: Enabled.optional(), tags: Tags.optional() }) });

const Password = z.string().min(1).max(4096);
export const UserCreate = z.object({
  user: z.looseObject({
    name: Name,
    domain_id: Id.optional(),
    password: Password.nullable().optional(),
    enabled: Enabled.optional(),
    email: z.string().max(255).nullable().optional(),
    description: Text.optional(),
    default_project_id: Id.nullable().optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  }),
});
export const UserUpdate = z.object({
  user: z.looseObject({
    name: Name.optional(),
    password: Password.nullable().optional(),
    enabled: Enabled.optional(),
    email: z.string().max(255).nullable().optional(),
    description: Text.optional(),
    default_project_id: Id.nullable().optional(),
    domain_id: Id.optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  }),
});
export const PasswordChange = z.object({ user: z.object({ password: Password, original_password: z.string().max(4096) }) });

export const GroupCreate = z.object({ group: z.object({ name: Name, domain_id: Id.optional(), description: Text.optional() }) });
export const GroupUpdate = z.object({ group: z.object({ name: Name.optional(), description: Text.optional() }) });

export const RoleCreate = z.object({
  role: z.object({ name: Name, description: Text.optional(), domain_id: Id.nullable().optional(), options: z.record(z.string(), z.unknown()).optional() }),
});
export const RoleUpdate = z.object({ role: z.object({ name: Name.optional(), description: Text.optional(), options: z.record(z.string(), z.unknown()).optional() }) });

export const AppCredCreate = z.object({
  application_credential: z.object({
    name: Name,
    description: Text.optional(),
    secret: z.string().min(1).max(4096).nullable().optional(),
    expires_at: z.string().max(64).nullable().optional(),
    roles: z.array(z.object({ id: Id.optional(), name: Name.optional() })).optional(),
    unrestricted: z.boolean().nullable().optional(),
    access_rules: z.array(z.unknown()).optional(),
  }),
});

// ---- path and query parameters ----
export const P = {
  id: z.object({ id: z.string() }),
  userId: z.object({ user_id: z.string() }),
  appCred: z.object({ user_id: z.string(), id: z.string() }),
  tag: z.object({ id: z.string(), tag: z.string() }),
  member: z.object({ id: z.string(), user_id: z.string() }),
  grant: z.object({ target: z.string(), actor: z.string(), role: z.string() }),
  grants: z.object({ target: z.string(), actor: z.string() }),
};

export const NameQuery = z.object({ name: z.string().optional(), domain_id: z.string().optional(), enabled: z.string().optional() });
export const ProjectQuery = NameQuery.extend({ tags: z.string().optional(), 'tags-any': z.string().optional(), parent_id: z.string().optional(), is_domain: z.string().optional() });
export const UserQuery = NameQuery.extend({ password_expires_at: z.string().optional() });
export const AssignmentQuery = z.object({
  'user.id': z.string().optional(),
  'group.id': z.string().optional(),
  'role.id': z.string().optional(),
  'scope.project.id': z.string().optional(),
  'scope.domain.id': z.string().optional(),
  'scope.system': z.string().optional(),
  'scope.OS-INHERIT:inherited_to': z.string().optional(),
  effective: z.string().optional(),
  include_names: z.string().optional(),
  include_subtree: z.string().optional(),
});
