import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries } from './audit.ts';
import type { Db } from './db.ts';
import { getDevice } from './devices.ts';
import { devicesWithLicences } from './fleet.ts';
import { migrate, migrations } from './migrate.ts';
import { wrapPglite } from './pglite.ts';

/** A store as 0007 left it: preinstalled licences as licence rows of their own. */
const before0008 = async (db: Db) => {
  await migrate(
    db,
    migrations().filter((m) => m.version < '0008'),
  );
  await db.exec(`
    insert into organisations (id, name) values ('acme', 'Acme');
    insert into devices (org_id, key, vendor) values ('acme', 'SN1', 'Dell'), ('acme', 'SN2', 'NEC'),
      ('acme', 'SN3', null);
    insert into licences (org_id, key, channel, kind, assignment, product, edition, version, components,
                          language, oem_vendor, device_key, source)
    values ('acme', 'SN1#preinstalled', 'oem', 'full', 'device', 'windows', 'pro', '7', null, 'ja-JP', 'Dell',
            'SN1', 'devices.csv'),
           ('acme', 'SN2#preinstalled', 'fpp', 'full', 'device', 'office', 'home-business', '2019',
            '{excel,word}', null, null, 'SN2', 'devices.csv'),
           ('acme', 'fpp/windows:pro:11/device:SN1', 'fpp', 'full', 'device', 'windows', 'pro', '11', null,
            null, null, 'SN1', 'licences.csv');`);
};

describe('migration 0008: the licence a device came with moves onto the device row', () => {
  let pglite: PGlite;
  let db: Db;
  beforeAll(async () => {
    pglite = await PGlite.create();
    db = wrapPglite(pglite);
    await before0008(db);
    expect(await migrate(db)).toEqual(
      migrations()
        .filter((m) => m.version >= '0008')
        .map((m) => m.version),
    );
  });
  afterAll(() => pglite.close());

  it('keeps each OS on its device, and other licences where they were', async () => {
    expect(await getDevice(db, 'acme', 'SN1')).toMatchObject({
      osChannel: 'oem',
      osProduct: 'windows',
      osEdition: 'pro',
      osVersion: '7',
      osComponents: null,
      osLanguage: 'ja-JP',
    });
    expect(await getDevice(db, 'acme', 'SN2')).toMatchObject({
      osChannel: 'fpp',
      osProduct: 'office',
      osComponents: ['excel', 'word'],
      osLanguage: null,
    });
    expect(await getDevice(db, 'acme', 'SN3')).toMatchObject({ osChannel: null, osProduct: null });
    const keys = await db.query<{ key: string }>('select key from licences order by key');
    expect(keys.map((k) => k.key)).toEqual(['fpp/windows:pro:11/device:SN1']);
  });

  it('reads the moved licences as before, under the same keys', async () => {
    const fleet = [];
    for await (const page of devicesWithLicences(db, 'acme')) fleet.push(...page);
    expect(
      fleet.map((d) => [
        d.device.key,
        d.licences.map((l) => [l.key, l.channel, l.product, l.version, l.components, l.oemVendor]),
      ]),
    ).toEqual([
      [
        'SN1',
        [
          ['SN1#preinstalled', 'oem', 'windows', '7', null, 'Dell'],
          ['fpp/windows:pro:11/device:SN1', 'fpp', 'windows', '11', null, null],
        ],
      ],
      ['SN2', [['SN2#preinstalled', 'fpp', 'office', '2019', ['excel', 'word'], null]]],
      ['SN3', []],
    ]);
  });

  it('says in the audit log where the licences went', async () => {
    const entries = await auditEntries(db, 'acme', { entity: 'licences' });
    expect(entries.map((e) => [e.actor, e.action, e.entityKeys, e.detail])).toEqual([
      [
        'kenri migration 0008',
        'move',
        ['SN1#preinstalled', 'SN2#preinstalled'],
        { count: 2, to: 'devices.os_*' },
      ],
    ]);
  });

  it('refuses a licence row under a preinstalled key, and an OS without its edition', async () => {
    await expect(
      db.query(
        `insert into licences (org_id, key, channel, kind, assignment, product, edition, version, device_key)
         values ('acme', 'SN3#preinstalled', 'oem', 'full', 'device', 'windows', 'pro', '10', 'SN3')`,
      ),
    ).rejects.toMatchObject({ code: '23514', constraint: 'licences_not_preinstalled' });
    await expect(
      db.query(`update devices set os_channel = 'oem', os_product = 'windows' where key = 'SN3'`),
    ).rejects.toMatchObject({ code: '23514', constraint: 'devices_os_whole' });
  });
});
