/** Every permission string of the platform (shared contract with all services). */
export const ALL_PERMISSIONS = [
  'users:read',
  'users:write',
  'roles:manage',
  'org:manage',
  'apikeys:manage',
  'audit:read',
  'apps:read',
  'apps:deploy',
  'apps:manage',
  'models:read',
  'models:write',
  'models:train',
  'models:promote',
  'inference:read',
  'inference:invoke',
  'inference:manage',
  'synthetic:read',
  'synthetic:run',
  'catalog:read',
  'catalog:write',
  'catalog:read-pii',
  'catalog:manage',
  'schemas:read',
  'schemas:write',
] as const;

export type Permission = (typeof ALL_PERMISSIONS)[number];

const PERMISSION_SET: ReadonlySet<string> = new Set(ALL_PERMISSIONS);

/** True when `value` is one of the platform's permission strings. */
export function isPermission(value: string): value is Permission {
  return PERMISSION_SET.has(value);
}

export const BUILT_IN_ROLE_NAMES = ['owner', 'admin', 'ml-engineer', 'data-scientist', 'viewer'] as const;
export type BuiltInRoleName = (typeof BUILT_IN_ROLE_NAMES)[number];

const VIEWER: readonly Permission[] = ALL_PERMISSIONS.filter(
  (p) => p.endsWith(':read') && p !== 'audit:read' && p !== 'catalog:read-pii',
);

const DATA_SCIENTIST: readonly Permission[] = [
  ...VIEWER,
  'models:write',
  'models:train',
  'inference:invoke',
  'synthetic:run',
  'catalog:write',
];

const ML_ENGINEER: readonly Permission[] = [
  ...DATA_SCIENTIST,
  'apikeys:manage',
  'apps:deploy',
  'models:promote',
  'inference:manage',
  'schemas:write',
];

/**
 * Identity owns this mapping: the permissions of each built-in role. Owner and admin hold every
 * permission; they differ in that only an owner may grant or revoke the owner role.
 */
export const BUILT_IN_ROLES: Readonly<
  Record<BuiltInRoleName, { description: string; permissions: readonly Permission[] }>
> = {
  owner: { description: 'Full control of the organization, including its owners', permissions: ALL_PERMISSIONS },
  admin: { description: 'Full control of the organization except granting ownership', permissions: ALL_PERMISSIONS },
  'ml-engineer': { description: 'Builds, trains, promotes and serves models', permissions: ML_ENGINEER },
  'data-scientist': {
    description: 'Explores data, trains models and runs synthetic data jobs',
    permissions: DATA_SCIENTIST,
  },
  viewer: { description: 'Reads everything except the audit log and PII', permissions: VIEWER },
};

/** True when `name` is reserved for a built-in role. */
export function isBuiltInRoleName(name: string): name is BuiltInRoleName {
  return (BUILT_IN_ROLE_NAMES as readonly string[]).includes(name);
}

/** The permissions a role confers: built-ins from code, custom roles from their row. */
export function permissionsOf(role: {
  name: string;
  builtIn: boolean;
  permissions: readonly string[];
}): readonly string[] {
  return role.builtIn && isBuiltInRoleName(role.name) ? BUILT_IN_ROLES[role.name].permissions : role.permissions;
}
