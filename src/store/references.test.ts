import { describe, expect, it } from 'vitest';
import { storeBackends, useStore } from '../../test/store-harness.ts';
import { countAudit } from './audit.ts';
import { upsertDevices } from './devices.ts';
import { getLicence, upsertLicences } from './licences.ts';
import { ensureOrganisation } from './organisations.ts';

const actor = 'test';

describe.each(storeBackends())('references on $name', (backend) => {
  const store = useStore(backend);

  it('refuses a licence for a device the organisation does not have, and writes nothing', async () => {
    const db = store();
    await ensureOrganisation(db, 'acme', { actor });
    await ensureOrganisation(db, 'other', { actor });
    await upsertDevices(db, 'other', [{ key: 'SN1' }], { actor });
    const audit = await countAudit(db, 'acme');
    const licence = {
      key: 'SN1#preinstalled',
      channel: 'oem' as const,
      kind: 'full' as const,
      assignment: 'device' as const,
      product: 'windows',
      edition: 'pro',
      version: '10',
      deviceKey: 'SN1',
    };
    await expect(upsertLicences(db, 'acme', [licence], { actor })).rejects.toMatchObject({
      code: '23503',
      message: expect.stringMatching(/violates foreign key constraint/),
    });
    expect(await getLicence(db, 'acme', 'SN1#preinstalled')).toBeUndefined();
    expect(await countAudit(db, 'acme')).toBe(audit);
    // The same licence for a device it has is written.
    await upsertDevices(db, 'acme', [{ key: 'SN1' }], { actor });
    expect(await upsertLicences(db, 'acme', [licence], { actor })).toMatchObject({ inserted: 1 });
  });
});
