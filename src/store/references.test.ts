import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { storeBackends, useStore } from '../../test/store-harness.ts';
import { countAudit } from './audit.ts';
import type { Db } from './db.ts';
import { upsertDevices } from './devices.ts';
import { getLicence, upsertLicences } from './licences.ts';
import { ensureOrganisation } from './organisations.ts';

const actor = 'test';

const licence = {
  key: 'oem/windows:pro:10/device:SN1',
  channel: 'oem' as const,
  kind: 'full' as const,
  assignment: 'device' as const,
  product: 'windows',
  edition: 'pro',
  version: '10',
  deviceKey: 'SN1',
};

const insertLicence = (db: Db, org: string, key: string, device: string | null, user: string | null = null) =>
  db.query(
    `insert into licences (org_id, key, channel, kind, assignment, product, edition, version, device_key, user_key)
     values ($1, $2, 'oem', 'full', 'device', 'windows', 'pro', '10', $3, $4)`,
    [org, key, device, user],
  );

describe.each(storeBackends())('references on $name', (backend) => {
  const store = useStore(backend);

  it('refuses a licence for a device the organisation does not have, and writes nothing', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    await ensureOrganisation(db, 'other', { actor });
    await upsertDevices(db, 'other', [{ key: 'SN1' }], { actor });
    const audit = await countAudit(db, 'acme');
    await expect(upsertLicences(db, 'acme', [licence], { actor })).rejects.toMatchObject({
      code: '23503',
      message: expect.stringMatching(/violates foreign key constraint/),
    });
    expect(await getLicence(db, 'acme', 'oem/windows:pro:10/device:SN1')).toBeUndefined();
    expect(await countAudit(db, 'acme')).toBe(audit);
    // The same licence for a device it has is written.
    await upsertDevices(db, 'acme', [{ key: 'SN1' }], { actor });
    expect(await upsertLicences(db, 'acme', [licence], { actor })).toMatchObject({ inserted: 1 });
  });

  it('refuses any writer a row whose parent is missing, as a foreign key would (23503)', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    await db.query(`insert into devices (org_id, key) values ('acme', 'SN1'), ('acme', 'SN2')`);
    await db.query(`insert into users (org_id, key) values ('acme', 'tanaka')`);
    await expect(insertLicence(db, 'acme', 'L1', 'SN404')).rejects.toMatchObject({
      code: '23503',
      constraint: 'licences_org_id_device_key_fkey',
      message:
        'insert or update on table "licences" violates foreign key constraint "licences_org_id_device_key_fkey"',
      detail: 'Key (org_id, device_key)=(acme, SN404) is not present in table "devices".',
    });
    await expect(insertLicence(db, 'acme', 'L1', null, 'suzuki')).rejects.toMatchObject({
      constraint: 'licences_org_id_user_key_fkey',
    });
    for (const sql of [
      `insert into devices (org_id, key) values ('nobody', 'SN1')`,
      `insert into users (org_id, key) values ('nobody', 'tanaka')`,
      `insert into audit_log (org_id, actor, action, entity) values ('nobody', 'x', 'insert', 'devices')`,
    ])
      await expect(db.query(sql)).rejects.toMatchObject({ code: '23503' });
    // One orphan among many valid rows fails the whole statement; an update is checked like an insert.
    await expect(
      db.query(`insert into devices (org_id, key) select 'acme', 'N' || i from generate_series(1, 99) i
                union all select 'nobody', 'N100'`),
    ).rejects.toMatchObject({ code: '23503' });
    await insertLicence(db, 'acme', 'L1', 'SN1');
    await insertLicence(db, 'acme', 'L2', null, 'tanaka');
    await insertLicence(db, 'acme', 'pool', null);
    await expect(db.query(`update licences set device_key = 'SN404' where key = 'L1'`)).rejects.toMatchObject(
      {
        code: '23503',
        constraint: 'licences_org_id_device_key_fkey',
      },
    );
    await db.query(`update licences set device_key = 'SN2' where key = 'L1'`);
    expect((await db.query('select key from devices order by key')).length).toBe(2);
  });

  it('refuses to delete, rekey or truncate a device, user or organisation still referenced', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    await db.query(`insert into devices (org_id, key) values ('acme', 'SN1'), ('acme', 'SN2')`);
    await db.query(`insert into users (org_id, key) values ('acme', 'tanaka'), ('acme', 'sato')`);
    await insertLicence(db, 'acme', 'L1', 'SN1');
    await insertLicence(db, 'acme', 'L2', null, 'tanaka');
    await expect(db.query(`delete from devices where key = 'SN1'`)).rejects.toMatchObject({
      code: '23503',
      constraint: 'licences_org_id_device_key_fkey',
      message:
        'update or delete on table "devices" violates foreign key constraint "licences_org_id_device_key_fkey" on table "licences"',
      detail: 'Key (org_id, key)=(acme, SN1) is still referenced from table "licences".',
    });
    await expect(db.query(`delete from devices`)).rejects.toMatchObject({ code: '23503' });
    await expect(db.query(`update devices set key = 'SN9' where key = 'SN1'`)).rejects.toMatchObject({
      code: '23503',
    });
    await expect(db.query(`delete from users where key = 'tanaka'`)).rejects.toMatchObject({
      constraint: 'licences_org_id_user_key_fkey',
    });
    await expect(db.query(`delete from organisations`)).rejects.toMatchObject({ code: '23503' });
    await expect(db.query(`update organisations set id = 'acme2'`)).rejects.toMatchObject({ code: '23503' });
    await expect(
      db.exec('truncate devices, installed_updates, windows_licences, mak_activations'),
    ).rejects.toMatchObject({ code: '23503' });
    // Rows nothing refers to may go, and a key nothing refers to may change.
    await db.query(`delete from devices where key = 'SN2'`);
    await db.query(`update users set key = 'satou' where key = 'sato'`);
    await db.query(`update devices set name = 'PC-001'`);
    expect(await db.query<{ key: string }>('select key from devices')).toEqual([{ key: 'SN1' }]);
    expect(await db.query<{ key: string }>('select key from users order by key')).toEqual([
      { key: 'satou' },
      { key: 'tanaka' },
    ]);
    // Once the licence is gone, so may its device be.
    await db.query(`delete from licences where key = 'L1'`);
    await db.query(`delete from devices where key = 'SN1'`);
  });

  it.runIf(backend.name === 'postgres')(
    'lets a delete and a concurrent insert of a licence for the device not both through',
    async () => {
      const db = store();
      await ensureOrganisation(db, 'acme', { actor });
      await db.query(`insert into devices (org_id, key) values ('acme', 'SN1'), ('acme', 'SN2')`);
      const [inserter, deleter] = [new pg.Client(backend.lastUrl()), new pg.Client(backend.lastUrl())];
      await Promise.all([inserter.connect(), deleter.connect()]);
      try {
        // The licence first, uncommitted: the delete waits for it, then sees it and refuses.
        await inserter.query('begin');
        await inserter.query(
          `insert into licences (org_id, key, channel, kind, assignment, product, edition, version, device_key)
           values ('acme', 'L1', 'oem', 'full', 'device', 'windows', 'pro', '10', 'SN1')`,
        );
        const deleting = deleter.query(`delete from devices where key = 'SN1'`).catch((e: unknown) => e);
        await new Promise((r) => setTimeout(r, 200));
        await inserter.query('commit');
        expect(await deleting).toMatchObject({ code: '23503' });
        // The delete first, uncommitted: the insert waits for it, then finds the device gone.
        await deleter.query('begin');
        await deleter.query(`delete from devices where key = 'SN2'`);
        const inserting = inserter
          .query(
            `insert into licences (org_id, key, channel, kind, assignment, product, edition, version, device_key)
             values ('acme', 'L2', 'oem', 'full', 'device', 'windows', 'pro', '10', 'SN2')`,
          )
          .catch((e: unknown) => e);
        await new Promise((r) => setTimeout(r, 200));
        await deleter.query('commit');
        expect(await inserting).toMatchObject({ code: '23503' });
        expect(await db.query('select key, device_key from licences')).toEqual([
          { key: 'L1', device_key: 'SN1' },
        ]);
      } finally {
        await Promise.all([inserter.end(), deleter.end()]);
      }
    },
  );
});
