import os from 'node:os';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { MikroORM as MongoOrm, MongoNamingStrategy } from '@mikro-orm/mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@mikro-orm/core';
import { createOrm } from '../src/orm';
import { containsText, isMongoEntityManager } from '../src/text-query';

@Entity({ tableName: 'text_query_note' })
class Note {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'text' }) body!: string;
}

// Portable entities keep a string `id`; MongoDB stores it as `_id` (as lib/src/orm.ts maps it).
class MongoIdNamingStrategy extends MongoNamingStrategy {
  override propertyToColumnName(name: string): string {
    return name === 'id' ? '_id' : super.propertyToColumnName(name);
  }
}

const BODIES = ['price (usd) a.b', 'price usd axb', 'c:\\path', 'plain'];

describe('containsText', () => {
  let sqlite: MikroORM;
  let mongo: MikroORM;
  beforeAll(async () => {
    sqlite = await createOrm({
      databaseUrl: ':memory:',
      dataDir: os.tmpdir(),
      serviceName: 'text-query',
      entities: [Note],
    });
    const em = sqlite.em.fork();
    BODIES.forEach((body, i) => em.create(Note, { id: `n${i}`, body }));
    await em.flush();
    // A MongoDB entity manager needs no server until it queries.
    mongo = await MongoOrm.init({
      clientUrl: 'mongodb://127.0.0.1:9/text_query',
      entities: [Note],
      connect: false,
      namingStrategy: MongoIdNamingStrategy,
    });
  });
  afterAll(async () => {
    await sqlite.close(true);
    await mongo.close(true);
  });

  it('sends LIKE to SQL databases and finds the rows that contain the text', async () => {
    const em = sqlite.em.fork();
    expect(isMongoEntityManager(em)).toBe(false);
    expect(containsText(em, 'usd')).toEqual({ $like: '%usd%' });
    const found = await em.find(Note, { body: containsText(em, 'usd') }, { orderBy: { id: 'asc' } });
    expect(found.map((n) => n.id)).toEqual(['n0', 'n1']);
  });

  it('sends MongoDB a regular expression ($re, never $like) that matches the text literally', () => {
    const em = mongo.em.fork();
    expect(isMongoEntityManager(em)).toBe(true);
    for (const text of ['(usd) a.b', 'a.b', 'c:\\path', '[x]+*?^$|{}/']) {
      const filter = containsText(em, text);
      expect(filter).not.toHaveProperty('$like');
      const re = new RegExp((filter as { $re: string }).$re);
      expect(re.test(`before ${text} after`)).toBe(true);
    }
    const dot = new RegExp((containsText(em, 'a.b') as { $re: string }).$re);
    expect(BODIES.filter((b) => dot.test(b))).toEqual(['price (usd) a.b']);
  });
});
