import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ConfigError, getEnvBool, getEnvList, getEnvNum, getEnvStr, loadBaseConfig, requireEnv } from '../src/env';
import { BadUserInputError, NotFoundError, createFormatError } from '../src/errors';
import { databaseKind } from '../src/orm';

describe('env', () => {
  it('reads typed values and fails fast naming the variable', () => {
    expect(getEnvStr({}, 'A', 'x')).toBe('x');
    expect(getEnvNum({ N: '42' }, 'N', 1)).toBe(42);
    expect(() => getEnvNum({ N: 'forty' }, 'N', 1)).toThrow(/N must be a number/);
    expect(getEnvBool({ B: 'yes' }, 'B', false)).toBe(true);
    expect(() => getEnvBool({ B: 'maybe' }, 'B', false)).toThrow(ConfigError);
    expect(getEnvList({ L: 'a, b,,c' }, 'L')).toEqual(['a', 'b', 'c']);
    expect(() => requireEnv({}, 'SECRET_THING')).toThrow(/SECRET_THING is required/);
  });

  it('builds the base config with defaults and overrides', () => {
    const c = loadBaseConfig({ PORT: '5000', AIC_IDENTITY_URL: 'http://id:1' }, 'models', 4003);
    expect(c.port).toBe(5000);
    expect(c.auth.jwksUrl).toBe('http://id:1/.well-known/jwks.json');
    expect(c.serviceSecret).toBeUndefined();
    expect(loadBaseConfig({}, 'models', 4003).port).toBe(4003);
  });

  it('picks the database driver from DATABASE_URL', () => {
    expect(databaseKind(undefined)).toBe('sqlite');
    expect(databaseKind(':memory:')).toBe('sqlite');
    expect(databaseKind('postgresql://u@h/db')).toBe('postgresql');
    expect(databaseKind('mongodb://h/db')).toBe('mongodb');
    expect(() => databaseKind('mysql://h/db')).toThrow(/DATABASE_URL/);
  });
});

describe('formatError', () => {
  const logged: unknown[] = [];
  const format = createFormatError((e) => logged.push(e));
  it('keeps known codes with field details', () => {
    const err = new BadUserInputError('bad', [{ field: 'name', message: 'required' }]);
    expect(format({ message: 'bad', extensions: { code: 'BAD_USER_INPUT', fields: [] } }, err)).toMatchObject({
      message: 'bad',
      extensions: { code: 'BAD_USER_INPUT', fields: [{ field: 'name', message: 'required' }] },
    });
    expect(format({ message: 'x' }, new NotFoundError('Model', 'm1')).extensions?.code).toBe('NOT_FOUND');
  });
  it('masks internal errors and logs them', () => {
    const out = format(
      { message: 'db password is hunter2', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['...'] } },
      new Error('db password is hunter2'),
    );
    expect(out).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(logged).toHaveLength(1);
  });
  it('maps MikroORM not-found and unique violations', () => {
    class NotFoundErrorOrm extends Error {}
    Object.defineProperty(NotFoundErrorOrm, 'name', { value: 'NotFoundError' });
    class UniqueConstraintViolationException extends Error {}
    expect(format({ message: 'x' }, new NotFoundErrorOrm('x')).extensions?.code).toBe('NOT_FOUND');
    expect(format({ message: 'x' }, new UniqueConstraintViolationException('dup')).extensions?.code).toBe('CONFLICT');
    expect(
      format({ message: 'x' }, new GraphQLError('x', { extensions: { code: 'INCOMPATIBLE_SCHEMA', reasons: ['r'] } }))
        .extensions,
    ).toEqual({ code: 'INCOMPATIBLE_SCHEMA', reasons: ['r'] });
  });
});
